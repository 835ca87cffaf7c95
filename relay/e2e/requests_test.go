package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// requestList is the DJ's request catalogue as the desktop app publishes
// it: library ids, artist, title, BPM, key and duration, no paths.
var requestList = []protocol.CatalogueTrack{
	{ID: "lib-1", Artist: "Ella Moon", Title: "Slow Burn", BPM: ptr(96.0), Camelot: "8A", DurationS: ptr(214.0)},
	{ID: "lib-2", Artist: "The Swingers", Title: "Westside Groove", BPM: ptr(102.0), Camelot: "2B", DurationS: ptr(188.0)},
	{ID: "lib-3", Artist: "Nora Blue", Title: "Late Night Shuffle", BPM: ptr(88.0), Camelot: "8B"},
	{ID: "lib-4", Artist: "Michael Bublé", Title: "Feeling Good", BPM: ptr(128.0), Camelot: "8A"},
	{ID: "lib-5", Artist: "Michael Bublé", Title: "Sway", BPM: ptr(124.0)},
	{ID: "lib-6", Artist: "The Swingers", Title: "Eastside Stomp", BPM: ptr(110.0)},
}

// queue waits for a REQUEST_QUEUE that matches.
func (d *dj) queue(what string, match func(*protocol.RequestQueue) bool) *protocol.RequestQueue {
	d.t.Helper()
	f := d.expect("REQUEST_QUEUE with "+what, func(f frame) bool {
		q, ok := f.payload.(*protocol.RequestQueue)
		return ok && match(q)
	})
	return f.payload.(*protocol.RequestQueue)
}

const resultBtn = `#req-results li[data-track-id=%q] button`

// TestRequestsOnThreePhones: a DJ takes requests from a catalogue; two
// dancers search (with a typo, as one types on a phone) and request the
// same track, which becomes one request asked by two; a track played
// tonight cannot be requested; the DJ accepts and plays the request and
// both phones say so; a third dancer's next request within the cool-down
// is refused by the page and by the relay.
func TestRequestsOnThreePhones(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Requests.Cooldown = 10 * time.Minute }))
	out := outputDir(t)
	token := r.RegisterDJ(t, "req@example.com", "DJ Req")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Request night"})
	sid := d.sessionID
	d.play(trackSlowBurn)

	ann := b.newPage(t, "dancer Ann", 390, 844)
	cem := b.newPage(t, "dancer Cem", 390, 844)
	dora := b.newPage(t, "dancer Dora", 390, 844)

	step(t, "requests are off by default: no card")
	ann.open(r.URL + "/live/" + sid)
	ann.waitText("#now-title", "Slow Burn")
	if eval[bool](ann, `!document.querySelector('#requests').hidden`) {
		t.Fatal("the Requests card shows before the DJ turned requests on")
	}

	step(t, "the DJ turns requests on and publishes the catalogue in two chunks")
	d.request(protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true})
	d.request(protocol.TypeCatalogue, protocol.Catalogue{Reset: true, Tracks: requestList[:3]})
	d.request(protocol.TypeCatalogue, protocol.Catalogue{Tracks: requestList[3:]})
	ann.waitVisible("#req-search")

	step(t, "Ann searches with a typo and requests Westside Groove")
	ann.fill("#req-search", "westsdie")
	ann.waitText(`#req-results li[data-track-id="lib-2"]`, "Westside Groove")
	ann.click(fmt.Sprintf(resultBtn, "lib-2"))
	ann.waitText("#req-mine .req-state", "Waiting for the DJ")
	ann.waitText("#req-mine .req-what", "Westside Groove")
	d.queue("Westside Groove ×1", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].Count == 1 })

	step(t, "Cem finds it by artist and backs it: one request, asked by two")
	cem.open(r.URL + "/live/" + sid)
	cem.fill("#req-search", "swingers")
	cem.waitText(fmt.Sprintf(resultBtn, "lib-2"), "+1 · ×1")
	cem.click(fmt.Sprintf(resultBtn, "lib-2"))
	cem.waitText("#req-mine .req-state", "asked by 2 dancers")
	ann.waitText("#req-mine .req-state", "asked by 2 dancers")
	q := d.queue("Westside Groove ×2", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].Count == 2 })
	westside := q.Requests[0]
	if westside.TrackID != "lib-2" {
		t.Fatalf("queue = %+v, want lib-2 asked twice", q.Requests)
	}

	step(t, "Dora cannot request the track played tonight; she asks for another")
	dora.open(r.URL + "/live/" + sid)
	dora.fill("#req-search", "slow burn")
	dora.waitText(fmt.Sprintf(resultBtn, "lib-1"), "Played at")
	if !eval[bool](dora, fmt.Sprintf(`document.querySelector(%q).disabled`, fmt.Sprintf(resultBtn, "lib-1"))) {
		t.Fatal("the track played tonight can be tapped")
	}
	dora.fill("#req-search", "bubl")
	dora.waitText(`#req-results li[data-track-id="lib-5"]`, "Sway")
	dora.screenshot(out, "requests-search.png", true)
	dora.click(fmt.Sprintf(resultBtn, "lib-5"))
	dora.waitText("#req-mine .req-state", "Waiting for the DJ")
	q = d.queue("two requests", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 2 })
	sway := q.Requests[1]
	if q.Requests[0].RequestID != westside.RequestID || sway.TrackID != "lib-5" {
		t.Fatalf("queue order %+v: want Westside (×2) before Sway (×1)", q.Requests)
	}

	step(t, "the DJ declines Sway: Dora sees why, and that she must wait")
	d.request(protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: sway.RequestID, State: protocol.RequestDeclined, Reason: "not this set"})
	dora.waitText("#req-mine .req-state", "Declined: not this set")
	dora.waitText("#req-hint", "You can request again in")
	dora.fill("#req-search", "feeling")
	dora.waitText(`#req-results li[data-track-id="lib-4"]`, "Feeling Good")
	if !eval[bool](dora, fmt.Sprintf(`document.querySelector(%q).disabled`, fmt.Sprintf(resultBtn, "lib-4"))) {
		t.Fatal("Dora can tap Request during her cool-down")
	}
	step(t, "…and the relay refuses her repeat request within the cool-down")
	doraID := eval[string](dora, fmt.Sprintf(`localStorage.getItem('pika.clientId.%s')`, sid))
	c := r.Dial(t, nil)
	c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: sid, ClientID: doraID})
	f := c.Request(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "lib-4"})
	if e := f.Err(); e == nil || e.Code != protocol.CodeRateLimited || e.RetryAfterS < 60 {
		t.Fatalf("Dora's repeat request within the cool-down: %s %s, want rate_limited with minutes to wait", f.Type, f.Raw)
	}
	c.Close()

	step(t, "the DJ accepts Westside Groove, plays it and marks it played")
	d.request(protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: westside.RequestID, State: protocol.RequestAccepted})
	ann.waitText("#req-mine .req-state", "Accepted")
	cem.waitText("#req-mine .req-state", "Accepted")
	d.play(trackWestside)
	d.request(protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: westside.RequestID, State: protocol.RequestPlayed})
	for _, p := range []*page{ann, cem} {
		p.waitText("#req-mine .req-state", "Played at")
		p.waitAttr("#req-mine .req-state", "data-state", "played")
	}
	d.queue("nothing open", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 0 })
	ann.screenshot(out, "requests-played.png", true)

	step(t, "now Westside Groove is played tonight: nobody can request it")
	cem.fill("#req-search", "westside")
	cem.waitText(fmt.Sprintf(resultBtn, "lib-2"), "Played at")

	step(t, "the DJ allows free text: a dancer without a request asks in her own words")
	d.request(protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true, FreeText: true})
	eve := b.newPage(t, "dancer Eve", 390, 844)
	eve.open(r.URL + "/live/" + sid)
	eve.waitVisible("#req-text")
	eve.fill("#req-text", "Something by Michael Bublé?")
	eve.click("#req-text-submit")
	eve.waitText("#req-mine .req-what", "Something by Michael Bublé?")
	q = d.queue("the free-text request", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].Text != "" })
	if q.Requests[0].Text != "Something by Michael Bublé?" {
		t.Fatalf("free text in the queue: %+v", q.Requests[0])
	}
	eve.screenshot(out, "requests-free-text.png", true)
	if strings.Contains(eval[string](cem, `document.body.textContent`), "Michael Bublé?") {
		t.Error("another dancer's page shows Eve's free-text request")
	}

	step(t, "the DJ closes requests for now")
	d.request(protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true, Paused: true})
	cem.waitVisible("#req-closed")
	cem.waitHidden("#req-search")
	cem.screenshot(out, "requests-closed.png", false)
}

// TestRequestsOnAStagePage: the stage's page (/s/SLUG) shows the set's
// Requests card, takes a request, and forgets the card when the next set
// on the stage takes no requests.
func TestRequestsOnAStagePage(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org-req@example.com", "Ola Organizer")
	ev, stages := r.CreateEvent(t, org, "Request Weekend", "Main room")
	st := stages[0]
	dj := r.EventDJ(t, org, ev.ID, "stage-req@example.com", "DJ Stage")

	d := goLive(t, r, protocol.RegisterSession{Token: dj, Name: "First set", StageID: st.ID})
	d.play(trackSlowBurn)
	d.request(protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true})
	d.request(protocol.TypeCatalogue, protocol.Catalogue{Reset: true, Tracks: requestList})

	p := b.newPage(t, "dancer on the stage", 390, 844)
	p.open(r.URL + "/s/" + st.Slug)
	p.waitText("#now-title", "Slow Burn")
	p.fill("#req-search", "sway")
	p.waitText(`#req-results li[data-track-id="lib-5"]`, "Sway")

	step(t, "a request tapped offline waits in the outbox and goes out when the network is back")
	p.setOffline(true)
	p.waitText("#conn", "Offline")
	p.click(fmt.Sprintf(resultBtn, "lib-5"))
	p.waitText("#req-mine .req-state", "Sending")
	p.setOffline(false)
	p.waitText("#req-mine .req-state", "Waiting for the DJ")
	d.queue("Sway", func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].TrackID == "lib-5" })

	step(t, "the set ends; the next one on the stage takes no requests")
	d.request(protocol.TypeEndSession, protocol.Empty{})
	p.waitVisible("#between-view")
	d2 := goLive(t, r, protocol.RegisterSession{Token: dj, Name: "Second set", StageID: st.ID})
	d2.play(trackWestside)
	p.waitText("#now-title", "Westside Groove")
	p.waitHidden("#requests")
}
