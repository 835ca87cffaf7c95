package e2e

import (
	"strings"
	"sync"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestPushFromTheServiceWorker: the dancer says Notify me, the browser
// (permission granted through CDP, as a dancer's tap would) lets the page
// try a push subscription, and a push message delivered to the service
// worker shows a notification that carries the payload's title, body and
// link. Headless Chromium reaches no vendor push service, so the
// subscription itself may fail there: the page must then go on as before
// (its own notifications), and when it does succeed the relay must hold it.
func TestPushFromTheServiceWorker(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Push.AllowLoopbackHTTP = true }))
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Friday Social"})
	d.play(protocol.Track{Artist: "Etta James", Title: "Slow Burn"})

	p := b.newPage(t, "dancer", 390, 844)
	var (
		regMu sync.Mutex
		regID serviceworker.RegistrationID
	)
	if err := chromedp.Listen(p.ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			regMu.Lock()
			for _, reg := range e.Registrations {
				if !reg.IsDeleted && strings.HasPrefix(reg.ScopeURL, r.URL) {
					regID = reg.RegistrationID
				}
			}
			regMu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(p.ctx, serviceworker.Enable, struct{}{}); err != nil {
		t.Fatalf("ServiceWorker.enable: %v", err)
	}
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Slow Burn")
	p.waitJS("the service worker in control", `() => navigator.serviceWorker && navigator.serviceWorker.controller !== null`)
	p.waitVisible("#notify-ask")

	step(t, "grant notifications and say Notify me")
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
		Origin: r.URL, BrowserContextID: chromedp.FromContext(p.ctx).BrowserContextID,
	}); err != nil {
		t.Fatalf("Browser.setPermission: %v", err)
	}
	p.click("#notify-yes")
	p.waitText("#toast", "You will get a notification when a poll starts")
	// The subscription's outcome: the page's module says whether the relay
	// took it; where the browser could make none, the page goes on.
	p.waitJS("the push attempt to settle", `async () => {
		const m = await import('/assets/js/push.js');
		const took = await m.lastPushAttempt();
		const sub = await (await navigator.serviceWorker.ready).pushManager.getSubscription().catch(() => null);
		window.pikaPushResult = { took, sub: sub !== null };
		return true;
	}`)
	took, hasSub := eval[bool](p, `window.pikaPushResult.took`), eval[bool](p, `window.pikaPushResult.sub`)
	switch {
	case took && !hasSub:
		t.Fatal("the page says the relay took a subscription the browser does not have")
	case hasSub && !took:
		t.Fatal("the browser made a push subscription the page did not hand to the relay")
	case !hasSub:
		t.Log("headless Chromium made no push subscription (no vendor push service reachable): the relay's side is tested in relay/server")
	}

	step(t, "a push message reaches the service worker")
	regMu.Lock()
	id := regID
	regMu.Unlock()
	if id == "" {
		t.Fatal("no service worker registration reported through CDP")
	}
	if _, err := chromedp.Call(p.ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
		Origin: r.URL, RegistrationID: id, Data: `{"title":"New poll","body":"Blues next?","url":"` + r.URL + `/live/` + d.sessionID + `"}`,
	}); err != nil {
		t.Fatalf("ServiceWorker.deliverPushMessage: %v", err)
	}
	p.waitJS("the notification", `async () => {
		const ns = await (await navigator.serviceWorker.ready).getNotifications();
		return ns.some((n) => n.title === 'New poll' && n.body === 'Blues next?' && n.data && n.data.url.endsWith('/live/' + arguments[0]));
	}`, d.sessionID)
}
