package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestEventPages: an organizer creates an event with two stages through
// the organizer page, invites a DJ who accepts through the invite page
// (logging in on the way), schedules a set; a dancer's phone opens the
// stage link and sees the schedule's next set, and the QR card prints
// the stage's code.
func TestEventPages(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola Organizer")
	r.RegisterDJ(t, "ben@example.com", "DJ Ben")
	out := outputDir(t)
	p := b.newPage(t, "organizer", 1280, 900)
	p.open(r.URL + "/dj/login")
	eval[bool](p, fmt.Sprintf(`localStorage.setItem('pika.djToken', %q), true`, org))

	step(t, "create an event from the form")
	var eventID string
	{
		p.open(r.URL + "/dj/events")
		p.waitVisible("#events-empty")
		p.click("#create-section summary")
		p.fill("#event-form-name", "Warsaw Swing Weekend")
		p.fill("#event-form-zone", "Mars/Olympus")
		p.click("#event-form button[type=submit]")
		p.waitText("#event-form-error", "time zone")
		p.fill("#event-form-zone", "Europe/Warsaw")
		p.click("#event-form button[type=submit]")
		p.waitVisible("#event-page")
		p.waitText("#event-name", "Warsaw Swing Weekend")
		p.waitText("#event-when", "Europe/Warsaw")
		if when := p.text("#event-when"); strings.Contains(when, "Invalid") || !strings.Contains(when, time.Now().Format("2006")) {
			t.Errorf("event dates read %q", when)
		}
		eventID = eval[string](p, `location.hash.slice(1)`)
	}

	step(t, "add two stages")
	for _, name := range []string{"Main ballroom", "Blues room"} {
		p.fill("#stage-name", name)
		p.click("#stage-form button[type=submit]")
		p.waitText("#stages", name)
	}
	var ev protocol.Event
	if code := r.DoJSON(t, http.MethodGet, "/api/events/"+eventID, org, nil, &ev); code != 200 || len(ev.Stages) != 2 {
		t.Fatalf("event after the form: %d %+v", code, ev)
	}
	main := ev.Stages[0]

	step(t, "invite a DJ, who logs in and accepts")
	var link string
	{
		p.fill("#invite-label", "DJ Ben")
		p.click("#invite-form button[type=submit]")
		p.waitText("#new-invite-url", "/invite#"+protocol.InvitePrefix)
		link = p.text("#new-invite-url")
		p.waitText("#invites", "DJ Ben")
		d := b.newPage(t, "dj", 390, 844)
		d.open(link)
		d.waitVisible("#signin")
		if u := eval[string](d, `location.href`); strings.Contains(u, protocol.InvitePrefix) {
			t.Errorf("the invite token stays in the address bar: %s", u)
		}
		d.click("#signin a.primary")
		d.waitPath("/dj/login")
		d.fill("#email", "ben@example.com")
		d.fill("#password", relaytest.Password)
		d.click("#submit")
		d.waitPath("/invite")
		d.waitText("#me", "DJ Ben")
		d.click("#accept-button")
		d.waitText("#done-event", "Warsaw Swing Weekend")
		d.waitText("#done-role", "a DJ")
		d.screenshot(out, "invite-accepted.png", true)
		eval[bool](p, `location.reload(), true`)
		p.waitText("#members", "DJ Ben")
		p.waitText("#invites", "accepted by DJ Ben")
	}

	step(t, "schedule Ben's set on the main stage")
	start := time.Now().Add(2 * time.Hour).Truncate(time.Hour)
	{
		p.click(fmt.Sprintf(`li[data-stage-id=%q] button`, main.ID))
		p.waitVisible(".schedule")
		p.click(".schedule button:not(.primary)") // Add a set
		loc, _ := time.LoadLocation("Europe/Warsaw")
		eval[bool](p, fmt.Sprintf(`(() => {
			const row = document.querySelector('.schedule .slots li');
			const sel = row.querySelector('select');
			sel.value = [...sel.options].find((o) => o.text === 'DJ Ben').value;
			sel.dispatchEvent(new Event('change'));
			const [from, to] = row.querySelectorAll('input[type=datetime-local]');
			from.value = %q; to.value = %q;
			return true;
		})()`, start.In(loc).Format("2006-01-02T15:04"), start.Add(90*time.Minute).In(loc).Format("2006-01-02T15:04")))
		p.click(".schedule button.primary")
		p.waitText("#toast", "Schedule saved")
		p.screenshot(out, "event-organizer.png", true)
	}
	var sched protocol.ScheduleRequest
	r.DoJSON(t, http.MethodGet, "/api/events/"+eventID+"/stages/"+main.ID+"/schedule", org, nil, &sched)
	if len(sched.Slots) != 1 || sched.Slots[0].DJName != "DJ Ben" || !sched.Slots[0].StartsAt.Equal(start) {
		t.Fatalf("schedule saved from the page: %+v, want DJ Ben at %s (the event's clock read right)", sched.Slots, start)
	}

	var benConn *relaytest.Client
	step(t, "Ben plays a set on the main stage; the dashboard and the recap show it")
	{
		var login protocol.AuthResponse
		r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "ben@example.com", Password: relaytest.Password}, &login)
		dj := r.Dial(t, nil)
		benConn = dj
		f := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: login.Token, Name: "Ben's Friday", StageID: main.ID})
		if reg := f.Payload.(*protocol.SessionRegistered); reg.JoinURL != main.URL {
			t.Errorf("join link %q, want the stage's %q", reg.JoinURL, main.URL)
		}
		for i, tr := range []struct {
			title       string
			bpm, energy float64
		}{{"Slow Burn", 84, 40}, {"Steady", 96, 62}, {"Lift", 104, 78}} {
			bpm, energy := tr.bpm, tr.energy
			at := time.Now().Add(time.Duration(i-3) * 4 * time.Minute)
			dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: tr.title, BPM: &bpm, Energy: &energy}, PlayedAt: &at})
		}
		var sess []protocol.SessionSummary
		r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &sess)
		dancer, st := r.Join(t, sess[0].ID, "events-e2e-dancer", "")
		dancer.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: st.NowPlaying.PlayID})
		dancer.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: st.NowPlaying.PlayID, Vote: protocol.VotePerfect})

		p.open(r.URL + "/dj/events/" + eventID + "/dashboard")
		p.waitText(fmt.Sprintf(`[data-stage-id=%q]`, main.ID), "DJ Ben")
		p.waitText(fmt.Sprintf(`[data-stage-id=%q]`, main.ID), "1 dancer now")
		p.waitText(fmt.Sprintf(`[data-stage-id=%q]`, main.ID), "100 % perfect")
		p.screenshot(out, "event-dashboard.png", true)

		p.open(r.URL + "/events/" + eventID + "/recap")
		p.waitText("#top", "Lift")
		p.waitVisible("#export")
		p.waitVisible("#charts svg")
		p.screenshot(out, "event-recap.png", true)
		pub := b.newPage(t, "public", 390, 844)
		pub.open(r.URL + "/events/" + eventID + "/recap")
		pub.waitText("#stages", "Ben's Friday")
		pub.waitHidden("#export")
	}

	step(t, "announce to the main stage from the organizer page")
	{
		p.open(r.URL + "/dj/events#" + eventID)
		p.waitVisible("#announce-form")
		p.fill("#announce-text", "Workshop at 14:00 in the blue room")
		eval[bool](p, `(() => { const b = document.querySelectorAll('#announce-stages input'); b[1].checked = false; return true; })()`)
		p.click("#announce-form button[type=submit]")
		p.waitText("#announcements", "Main ballroom")
	}

	step(t, "a dancer opens the stage link and follows the room across a hand-over")
	{
		d := b.newPage(t, "dancer", 390, 844)
		d.open(r.URL + "/s/" + main.Slug)
		d.waitText("#stage-name", "Main ballroom")
		d.waitText("#dj-name", "DJ Ben")
		d.waitText("#now-title", "Lift")
		d.waitText("#event-anns", "Workshop at 14:00")
		d.screenshot(out, "stage-page.png", true)
		cid := eval[string](d, `localStorage.getItem('pika.clientId.stage:`+main.Slug+`')`)
		eval[bool](d, `(window.__samePage = true)`)

		// Ben hands over; Ola (an organizer, so one of the event's DJs)
		// goes live on the stage and plays.
		benConn.MustOK(t, protocol.TypeHandOver, protocol.HandOver{})
		ola := r.Dial(t, nil)
		ola.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: org, Name: "Ola's late set", StageID: main.ID})
		ola.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Night Band", Title: "Ola's Opener"}})
		d.waitText("#dj-name", "Ola Organizer")
		d.waitText("#now-title", "Ola's Opener")
		if !eval[bool](d, `window.__samePage === true`) {
			t.Error("the stage page reloaded to follow the hand-over")
		}
		if got := eval[string](d, `localStorage.getItem('pika.clientId.stage:`+main.Slug+`')`); cid == "" || got != cid {
			t.Errorf("client id %q before the hand-over, %q after: the page must keep its id in the room", cid, got)
		}
		d.screenshot(out, "stage-page-after-handover.png", true)

		// Ola ends: the page stays and shows the room between sets.
		ola.MustOK(t, protocol.TypeEndSession, nil)
		d.waitVisible("#between-view")
		d.waitText("#between-links", "Recap of Ola Organizer's set")
		d.waitText("#stage-schedule", "DJ Ben")
		d.screenshot(out, "stage-page-between-sets.png", true)
	}

	step(t, "the QR card")
	{
		c := b.newPage(t, "card", 900, 1100)
		c.open(r.URL + "/s/" + main.Slug + "/card")
		c.waitVisible("#card")
		c.waitText("#stage-name", "Main ballroom")
		c.waitText("#link", "/s/"+main.Slug)
		if w := eval[float64](c, `document.querySelector('#qr').naturalWidth`); w <= 0 {
			t.Errorf("QR image not drawn (naturalWidth %v)", w)
		}
		c.screenshot(out, "stage-qr-card.png", true)
	}
}
