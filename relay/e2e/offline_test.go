package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestPageOpensWithoutTheNetwork: a dancer page seen once opens again when
// nothing answers (the venue's Wi-Fi gone, the relay restarting): the
// service worker serves its shell from the cache, the page says it keeps
// trying, and once the relay is back it shows the track by itself.
func TestPageOpensWithoutTheNetwork(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social"})
	d.play(protocol.Track{Artist: "Etta James", Title: "Slow Burn"})

	p := b.newPage(t, "dancer", 390, 844)
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Slow Burn")
	p.waitJS("the service worker in control", `() => navigator.serviceWorker && navigator.serviceWorker.controller !== null`)
	// Loaded under the worker's control, the shell is in its cache.
	p.do("reload online", chromedp.Reload())
	p.waitText("#now-title", "Slow Burn")

	r.Stop()
	p.do("reload with the relay gone", chromedp.Reload())
	p.waitVisible("#loading-view")
	p.waitText("#loading-text", "Cannot reach Pika! yet. Still trying")
	if got := eval[string](p, `document.title`); got == "" {
		t.Error("the page from the cache has no title")
	}
	p.screenshot(outputDir(t), "dancer-offline-from-cache.png", false)

	r.Restart(t)
	goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social", ResumeSessionID: d.sessionID})
	p.waitText("#now-title", "Slow Burn")
}
