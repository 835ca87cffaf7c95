package e2e

import (
	"fmt"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestOlderPlaysOnDemand: the state carries the newest plays only; the
// page offers the older ones and loads them, page by page, until none are
// left.
func TestOlderPlaysOnDemand(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.HistoryLimit = 3 }))
	token := r.RegisterDJ(t, "hist@example.com", "DJ Hist")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Marathon"})
	const plays = 55 // the newest 3, then pages of 50
	for i := range plays {
		d.play(protocol.Track{Artist: "Artist", Title: fmt.Sprintf("Song %02d", i)})
	}
	p := b.newPage(t, "dancer", 390, 844)
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Song 54")
	if n := eval[int](p, `document.querySelectorAll('#history li').length`); n != 3 {
		t.Fatalf("history shows %d plays at first, want the newest 3", n)
	}
	p.waitVisible("#history-more")
	p.click("#history-more")
	p.waitText("#history", "Song 02")
	p.waitVisible("#history-more")
	p.click("#history-more")
	p.waitText("#history", "Song 00")
	p.waitHidden("#history-more")
	if n := eval[int](p, `document.querySelectorAll('#history li').length`); n != plays {
		t.Fatalf("history shows %d plays after loading all, want %d", n, plays)
	}
}
