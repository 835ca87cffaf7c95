package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestLiveSessionOnTwoPhones follows one evening: a DJ goes live over the
// WebSocket protocol and two dancers follow on phone-sized pages; likes,
// tempo votes, a poll and an announcement travel between them; one phone
// loses its network, misses a track and taps a like offline; the relay
// restarts; the session ends and the recap shows what happened.
func TestLiveSessionOnTwoPhones(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	out := outputDir(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")

	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social"})
	sid := d.sessionID
	playSlowBurn := d.play(trackSlowBurn)
	livePath := "/live/" + sid

	ann := b.newPage(t, "dancer Ann", 390, 844)
	cem := b.newPage(t, "dancer Cem", 390, 844)

	step(t, "the landing page lists the session and leads to it")
	ann.open(r.URL + "/")
	link := fmt.Sprintf(`#sessions a[data-session-id=%q]`, sid)
	ann.waitText(link, "Friday Social")
	ann.waitText(link, "DJ Ana")
	ann.screenshot(out, "landing.png", true)
	ann.click(link)
	ann.waitPath(livePath)

	step(t, "/live with exactly one live session goes straight to it")
	cem.open(r.URL + "/live")
	cem.waitPath(livePath)

	step(t, "both dancers see the track, its BPM, key and feel, the DJ and each other")
	for _, p := range []*page{ann, cem} {
		p.waitText("#now-title", "Slow Burn")
		p.waitText("#now-artist", "Ella Moon")
		p.waitText("#now-bpm", "96")
		p.waitText("#now-key", "A minor")
		p.waitText("#now-key .camelot", "8A")
		if got := p.text("#now-key"); got != "8A · A minor" {
			t.Errorf("%s: key %q, want it as the app writes it: 8A · A minor", p.name, got)
		}
		if n := eval[int](p, `document.querySelectorAll('#now-key .key-uncertain').length`); n != 0 {
			t.Fatalf("Slow Burn carries no key confidence, yet its key is marked uncertain")
		}
		p.waitText("#now-feel", "Danceability")
		p.waitText("#dj-name", "DJ Ana")
		p.waitText("#session-name", "Friday Social")
		p.waitText("#listeners", "2 dancers")
		p.waitText("#history", "Slow Burn")
	}

	step(t, "a like on one phone shows on the other")
	ann.click("#like")
	ann.waitAttr("#like", "aria-pressed", "true")
	ann.waitText("#like-count", "1")
	cem.waitText("#like-count", "1")
	if got := eval[string](cem, `document.querySelector('#like').getAttribute('aria-pressed')`); got != "false" {
		t.Fatalf("Cem's like button is pressed (%s) though only Ann liked", got)
	}
	waitOutboxEmpty(ann, sid)
	ann.click("#like") // changed her mind…
	ann.waitAttr("#like", "aria-pressed", "false")
	cem.waitText("#like-count", "0")
	ann.click("#like") // …and back
	cem.waitText("#like-count", "1")
	waitOutboxEmpty(ann, sid)

	step(t, "a tempo vote shows its tally on the other phone")
	cem.click(`.tempo button[data-vote="faster"]`)
	cem.waitAttr(`.tempo button[data-vote="faster"]`, "aria-pressed", "true")
	ann.waitText("#tempo-faster", "1")
	ann.waitText("#tempo-slower", "0")

	step(t, "a poll: both vote, the results update live, the DJ closes it")
	pollID := d.startPoll("Blues or swing next?", "Blues", "Swing")
	for _, p := range []*page{ann, cem} {
		p.waitText("#poll-question", "Blues or swing next?")
		if !eval[bool](p, `document.querySelector('#poll').classList.contains('pulse')`) {
			t.Errorf("%s: the new poll does not pulse", p.name)
		}
	}
	ann.click(`#poll-options button[data-index="1"]`)
	ann.waitJS("Ann's pick marked", `() => document.querySelector('#poll-options button[data-index="1"]').classList.contains('mine')`)
	cem.waitText(`#poll-options button[data-index="1"] .tally`, "1 · 100%")
	cem.click(`#poll-options button[data-index="0"]`)
	ann.waitText(`#poll-options button[data-index="0"] .tally`, "1 · 50%")
	d.request(protocol.TypeClosePoll, protocol.ClosePoll{PollID: pollID})
	for _, p := range []*page{ann, cem} {
		p.waitAttr("#poll", "data-state", "closed")
		p.waitText("#poll-status", "Poll closed · 2 votes")
	}

	step(t, "an announcement appears on both phones and can be dismissed")
	d.request(protocol.TypeAnnounce, protocol.Announce{Text: "Last dance at 1 am — thank you!"})
	ann.waitText("#announcement-text", "Last dance at 1 am")
	cem.waitText("#announcement-text", "Last dance at 1 am")
	ann.waitVisible("#notify-ask") // asked once, politely…
	ann.click("#notify-no")
	ann.waitHidden("#notify-ask")
	ann.screenshot(out, "dancer-390x844.png", false)
	ann.screenshot(out, "dancer-full.png", true)
	ann.click("#announcement-close")
	ann.waitHidden("#announcement")
	cem.waitVisible("#announcement")
	d.request(protocol.TypeClearAnnouncement, protocol.Empty{})
	cem.waitHidden("#announcement")

	step(t, "Cem's phone loses its network; a track is played meanwhile; Cem taps like offline")
	cem.setOffline(true)
	cem.waitAttr("body", "data-conn", "reconnecting")
	cem.waitText("#conn", "Offline")
	ann.waitText("#listeners", "1 dancer") // the relay saw Cem's socket go
	playWestside := d.play(trackWestside)
	ann.waitText("#now-title", "Westside Groove")
	ann.waitText("#now-key .key-uncertain", "(uncertain)") // its key confidence is 0.18
	if got := cem.text("#now-title"); got != "Slow Burn" {
		t.Fatalf("Cem is offline but shows %q", got)
	}
	cem.click("#like") // still Slow Burn on Cem's screen
	cem.waitAttr("#like", "aria-pressed", "true")
	cem.waitText("#like-count", "2")
	if n := eval[int](cem, fmt.Sprintf(`JSON.parse(localStorage.getItem('pika.outbox.%s')).length`, sid)); n != 1 {
		t.Fatalf("Cem's outbox holds %d frames, want the 1 like", n)
	}

	step(t, "the network comes back: the missed track appears and the offline like arrives once")
	statesBefore := eval[string](cem, `document.body.dataset.subscriptions`)
	cem.setOffline(false)
	cem.waitAttr("body", "data-conn", "open")
	cem.waitText("#now-title", "Westside Groove")
	// Only what was missed came back (CAUGHT_UP), not a whole state.
	cem.waitAttr("body", "data-caught-up", "1")
	if got := eval[string](cem, `document.body.dataset.subscriptions`); got != statesBefore {
		t.Errorf("Cem's page took %s SESSION_STATEs after the drop (%s before): a catch-up was expected", got, statesBefore)
	}
	cem.waitText("#history", "Westside Groove")
	cem.waitText(historyLike(playSlowBurn), "♥ 2")
	ann.waitText(historyLike(playSlowBurn), "♥ 2")
	ann.waitText("#listeners", "2 dancers")
	waitOutboxEmpty(cem, sid)
	if got := likesOf(t, r, sid, playSlowBurn); got != 2 {
		t.Fatalf("the relay counts %d likes on Slow Burn, want 2 (Ann's and Cem's offline one, once)", got)
	}

	step(t, "a reload keeps Cem's likes and votes, and Ann is not asked about notifications again")
	cem.open(r.URL + livePath)
	cem.waitText("#now-title", "Westside Groove")
	ann.open(r.URL + livePath)
	ann.waitText("#now-title", "Westside Groove")
	if eval[bool](ann, `!document.querySelector('#notify-ask').hidden`) {
		t.Error("Ann is asked about notifications again after answering")
	}
	cem.waitAttr(historyLike(playSlowBurn), "aria-pressed", "true")
	cem.waitText(historyLike(playSlowBurn), "♥ 2")
	cem.waitAttr(historyLike(playWestside), "aria-pressed", "false")

	step(t, "a like from the history list counts like one from the big button")
	cem.click(historyLike(playWestside))
	cem.waitAttr(historyLike(playWestside), "aria-pressed", "true")
	cem.waitAttr("#like", "aria-pressed", "true")
	ann.waitText("#like-count", "1")
	ann.waitText(historyLike(playWestside), "♡ 1") // counted, but not Ann's like

	step(t, "the relay restarts: both pages reconnect by themselves and follow the resumed session")
	before := eval[string](ann, `document.body.dataset.subscriptions`)
	r.Restart(t)
	for _, p := range []*page{ann, cem} {
		p.waitJS("a new subscription after the restart", `(n) => document.body.dataset.subscriptions !== n && document.body.dataset.conn === 'open'`, before)
	}
	d = goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social", ResumeSessionID: sid})
	if d.sessionID != sid || !d.resumed {
		t.Fatalf("the DJ's resume after the restart gave session %s (resumed %v), want %s resumed", d.sessionID, d.resumed, sid)
	}
	playShuffle := d.play(trackShuffle)
	for _, p := range []*page{ann, cem} {
		p.waitText("#now-title", "Late Night Shuffle")
		p.waitText("#now-bpm", "88")
	}
	cem.click("#like")
	ann.waitText("#like-count", "1")

	step(t, "the session ends: both phones say so and link to the recap")
	d.request(protocol.TypeEndSession, protocol.Empty{})
	for _, p := range []*page{ann, cem} {
		p.waitVisible("#ended-view")
		p.waitAttr("#recap-link", "href", "/recap/"+sid)
	}

	step(t, "the recap shows what happened")
	ann.click("#recap-link")
	ann.waitPath("/recap/" + sid)
	ann.waitAttr("body", "data-loaded", "true")
	ann.waitText("#session-name", "Friday Social")
	ann.waitText("#dj-name", "DJ Ana")
	titles := eval[[]string](ann, `[...document.querySelectorAll('#tracks li .title')].map((n) => n.textContent)`)
	if strings.Join(titles, "|") != "Slow Burn|Westside Groove|Late Night Shuffle" {
		t.Fatalf("recap tracks %q, want the three plays in order", titles)
	}
	ann.waitText(recapLikes(playSlowBurn), "♥ 2")
	ann.waitText(recapLikes(playWestside), "♥ 1")
	ann.waitText(recapLikes(playShuffle), "♥ 1")
	ann.waitText(fmt.Sprintf(`#tracks li[data-play-id=%q]`, playSlowBurn), "96 BPM")
	// Tempo votes per track are the DJ's own (the analytics page), not
	// the dancers' recap.
	if n := eval[int](ann, `document.querySelectorAll('#tracks .tempo-votes').length`); n != 0 {
		t.Errorf("the public recap shows tempo votes on %d tracks", n)
	}
	ann.waitText("#top li", "Slow Burn")
	ann.waitText("#polls", "Blues or swing next?")
	ann.waitText("#polls", "2 votes")
	ann.waitText("#announcements", "Last dance at 1 am")
	if got := statValue(ann, "peak dancers"); got != "2" {
		t.Errorf("recap peak dancers %q, want 2", got)
	}
	if got := statValue(ann, "likes"); got != "4" {
		t.Errorf("recap total likes %q, want 4", got)
	}
	if n := eval[int](ann, `document.querySelectorAll('#chart svg circle').length`); n != 3 {
		t.Errorf("the BPM chart has %d points, want 3", n)
	}
	ann.screenshot(out, "recap-390.png", true)

	step(t, "an ended session opened later says so; an unknown one says it does not exist")
	cem.open(r.URL + livePath)
	cem.waitVisible("#ended-view")
	cem.open(r.URL + "/live/no-such-session")
	cem.waitVisible("#missing-view")
	cem.open(r.URL + "/recap/no-such-session")
	cem.waitText("#status", "no session")
}

// TestProtectedSessionAsksForThePIN checks that a PIN session refuses a
// wrong PIN and lets the right one in, and that the page remembers it.
func TestProtectedSessionAsksForThePIN(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "pin@example.com", "DJ Pin")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Private Party", PIN: "4321"})
	d.play(trackWestside)
	p := b.newPage(t, "guest", 390, 844)

	step(t, "the landing page marks the session as protected")
	p.open(r.URL + "/")
	p.waitText(fmt.Sprintf(`#sessions a[data-session-id=%q]`, d.sessionID), "PIN")

	step(t, "with two live sessions, /live lists both and goes to neither")
	open := goLive(t, r, protocol.RegisterSession{Token: r.RegisterDJ(t, "open@example.com", "DJ Open"), Name: "Open Floor"})
	p.open(r.URL + "/live")
	p.waitText(fmt.Sprintf(`#sessions a[data-session-id=%q]`, open.sessionID), "Open Floor")
	p.waitText(fmt.Sprintf(`#sessions a[data-session-id=%q]`, d.sessionID), "PIN")
	if n := eval[int](p, `document.querySelectorAll('#sessions .lock').length`); n != 1 {
		t.Errorf("%d sessions show a lock, want the 1 with a PIN", n)
	}
	if path := eval[string](p, `location.pathname`); path != "/live" {
		t.Errorf("/live went to %s with two sessions live", path)
	}

	step(t, "the page asks for the PIN and shows nothing of the session")
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitVisible("#pin-view")
	if body := eval[string](p, `document.body.innerText`); strings.Contains(body, "Westside Groove") {
		t.Fatal("the track shows before the PIN was given")
	}

	tests := []struct {
		pin, want string
	}{
		{"12", "4 to 8 digits"},
		{"abcd", "4 to 8 digits"},
		{"1111", "not right"},
		{"98765432", "not right"},
	}
	for _, tc := range tests {
		step(t, "PIN "+tc.pin+" is refused")
		p.fill("#pin-input", tc.pin)
		p.click("#pin-submit")
		p.waitVisible("#pin-view")
		p.waitText("#pin-error", tc.want)
		if body := eval[string](p, `document.body.innerText`); strings.Contains(body, "Westside Groove") {
			t.Fatalf("PIN %s shows the session", tc.pin)
		}
	}

	step(t, "the right PIN opens the session, and a reload keeps it")
	p.fill("#pin-input", "4321")
	p.click("#pin-submit")
	p.waitText("#now-title", "Westside Groove")
	p.waitText("#session-name", "Private Party")
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Westside Groove")

	step(t, "the state API refuses a wrong PIN too")
	req := func(pin string) int {
		req, err := http.NewRequest(http.MethodGet, r.URL+"/api/sessions/"+d.sessionID+"/state", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Session-Pin", pin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := req("1111"); code != http.StatusForbidden {
		t.Errorf("state with a wrong PIN: %d, want 403", code)
	}
	if code := req("4321"); code != http.StatusOK {
		t.Errorf("state with the PIN: %d, want 200", code)
	}
}

func historyLike(playID string) string {
	return fmt.Sprintf(`#history li[data-play-id=%q] .likebtn`, playID)
}

func recapLikes(playID string) string {
	return fmt.Sprintf(`#tracks li[data-play-id=%q] .likes`, playID)
}

func statValue(p *page, what string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(() => {
		const s = [...document.querySelectorAll('#stats .stat')].find((n) => n.querySelector('.what').textContent === %q);
		return s ? s.querySelector('.value').textContent : '';
	})()`, what))
}

// waitOutboxEmpty waits until every queued like and vote was acknowledged.
func waitOutboxEmpty(p *page, sessionID string) {
	p.t.Helper()
	p.waitJS("an empty outbox", `(key) => { const v = localStorage.getItem(key); return v !== null && JSON.parse(v).length === 0; }`, "pika.outbox."+sessionID)
}

// likesOf reads a play's like count from the relay's REST state.
func likesOf(t *testing.T, r *relaytest.Relay, sessionID, playID string) int {
	t.Helper()
	var st protocol.SessionState
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+sessionID+"/state", "", nil, &st); code != http.StatusOK {
		t.Fatalf("GET state: status %d", code)
	}
	for _, h := range st.History {
		if h.PlayID == playID {
			return h.Likes
		}
	}
	t.Fatalf("play %s is not in the session's history", playID)
	return 0
}
