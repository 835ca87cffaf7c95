package e2e

import (
	"fmt"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestAnalyticsPage: after a set, its DJ opens the recap signed in, finds
// the link to the private analytics and reads there what the public
// recap does not show: the tempo vote shares per track, the dancers who
// left during a track, the tracks nobody liked.
func TestAnalyticsPage(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social"})
	bpm := 96.0
	loved := d.play(protocol.Track{Artist: "Etta James", Title: "Slow Burn", BPM: &bpm})
	c1, _ := r.Join(t, d.sessionID, "dancer-one", "")
	c2, _ := r.Join(t, d.sessionID, "dancer-two", "")
	d.expect("LISTENER_COUNT 2", func(f frame) bool {
		lc, ok := f.payload.(*protocol.ListenerCount)
		return ok && lc.Count == 2
	})
	c1.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: loved})
	c1.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: loved, Vote: protocol.VoteSlower})
	c2.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: loved, Vote: protocol.VoteSlower})
	c2.Close()
	// Let the room count the dancer who left before the next track.
	d.expect("LISTENER_COUNT 1", func(f frame) bool {
		lc, ok := f.payload.(*protocol.ListenerCount)
		return ok && lc.Count == 1
	})
	d.play(protocol.Track{Artist: "Nobody", Title: "Crickets"})
	d.request(protocol.TypeEndSession, protocol.Empty{})

	p := b.newPage(t, "dj", 1100, 1000)
	p.open(r.URL + "/dj/login")
	eval[bool](p, fmt.Sprintf(`localStorage.setItem('pika.djToken', %q), true`, token))
	p.open(r.URL + "/recap/" + d.sessionID)
	p.waitAttr("body", "data-loaded", "true")
	p.waitText(fmt.Sprintf(`#tracks li[data-play-id=%q] .tempo-votes`, loved), "slower 2")
	p.waitVisible("#analytics-link")
	p.click("#analytics-link")
	p.waitPath("/dj/sessions/" + d.sessionID)
	p.waitAttr("body", "data-loaded", "true")
	p.waitText("#session-name", "Friday Social")
	p.waitText(fmt.Sprintf(`#tracks tr[data-play-id=%q] .slower`, loved), "100 % (2)")
	p.waitText("#shares", "100 % slower")
	p.waitText("#nolikes", "Crickets")
	p.waitText("#dropoffs", "Slow Burn")
	p.waitText("#dropoffs", "up to 2 dancers, 1 left during it")
	p.waitVisible("#curve svg")
	p.screenshot(outputDir(t), "set-analytics.png", true)

	// A dancer's browser (no DJ token) is sent to log in.
	q := b.newPage(t, "dancer", 390, 844)
	q.open(r.URL + "/dj/sessions/" + d.sessionID)
	q.waitPath("/dj/login")
}
