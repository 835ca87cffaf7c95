package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestPINLockoutShowsTheWait: when the relay refuses every PIN from this
// address for a while, the page says so with a countdown instead of
// "Checking the PIN…" for ever, keeps the Join button off until then, and
// lets the right PIN in afterwards. The page keeps the client id the relay
// issued across a reload.
func TestPINLockoutShowsTheWait(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t, relaytest.WithPINLimits(pinguard.Limits{AddrGuesses: 2, AddrRefill: time.Hour, Lockout: 4 * time.Second, SessionGuesses: 1000}))
	token := r.RegisterDJ(t, "lock@example.com", "DJ Lock")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Locked Door", PIN: "4321"})
	d.play(trackWestside)
	p := b.newPage(t, "guest", 390, 844)
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitVisible("#pin-view")

	step(t, "a wrong PIN is refused, the next one locks the address")
	p.fill("#pin-input", "1111")
	p.click("#pin-submit")
	p.waitText("#pin-error", "not right")
	p.fill("#pin-input", "2222")
	p.click("#pin-submit")
	p.waitText("#pin-error", "Too many wrong PINs: try again in")
	if v := eval[string](p, `document.body.dataset.view`); v != "pin" {
		t.Fatalf("view %q while locked, want the PIN form", v)
	}
	if !eval[bool](p, `document.querySelector('#pin-submit').disabled`) {
		t.Error("the Join button is on while the relay refuses PINs")
	}
	p.screenshot(outputDir(t), "pin-locked.png", false)
	first, _ := strconv.Atoi(eval[string](p, `document.querySelector('#pin-error').dataset.retry`))
	if first < 1 || first > 4 {
		t.Fatalf("countdown starts at %d s, want 1–4", first)
	}
	step(t, "the countdown runs down and the form opens again")
	p.waitJS("a lower countdown", `(n) => +document.querySelector('#pin-error').dataset.retry < n`, first)
	p.waitText("#pin-error", "You can try again now")
	if eval[bool](p, `document.querySelector('#pin-submit').disabled`) {
		t.Fatal("the Join button stays off after the wait")
	}
	p.fill("#pin-input", "4321")
	p.click("#pin-submit")
	p.waitText("#now-title", "Westside Groove")

	step(t, "the page keeps the id the relay issued across a reload")
	key := "pika.clientId." + d.sessionID
	id := eval[string](p, `localStorage.getItem('`+key+`')`)
	if len(id) < protocol.MinClientIDLen || !strings.HasPrefix(id, "c") {
		t.Fatalf("stored client id %q: want the relay's", id)
	}
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Westside Groove")
	if again := eval[string](p, `localStorage.getItem('`+key+`')`); again != id {
		t.Fatalf("client id after reload %q, want %q", again, id)
	}
	step(t, "an old page's own random id is replaced by an issued one")
	p.do("set an old id", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('`+key+`', 'oldpage-random-123456')`))
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#now-title", "Westside Groove")
	p.waitJS("an issued id", `(k) => { const v = localStorage.getItem(k); return v && v !== 'oldpage-random-123456' && v.startsWith('c'); }`, key)
}

// TestPrivateRecapAsksForThePIN: a PIN session's recap opens with its PIN
// typed in, with ?pin= in the link, and for the browser that joined it.
func TestPrivateRecapAsksForThePIN(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "recap-pin@example.com", "DJ Private")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Members Night", PIN: "8642"})
	d.play(trackWestside)
	d.request(protocol.TypeEndSession, protocol.Empty{})

	p := b.newPage(t, "stranger", 390, 844)
	step(t, "a stranger sees a PIN form and nothing of the session")
	p.open(r.URL + "/recap/" + d.sessionID)
	p.waitVisible("#pin-view")
	if body := eval[string](p, `document.body.innerText`); strings.Contains(body, "Westside Groove") || strings.Contains(body, "Members Night") {
		t.Fatal("the private recap shows the session before the PIN")
	}
	p.fill("#pin-input", "1111")
	p.click("#pin-submit")
	p.waitText("#pin-error", "not right")
	p.screenshot(outputDir(t), "recap-pin.png", false)
	p.fill("#pin-input", "8642")
	p.click("#pin-submit")
	p.waitText("#session-name", "Members Night")
	p.waitText("#tracks", "Westside Groove")

	step(t, "a link with ?pin= opens it at once")
	q := b.newPage(t, "link", 390, 844)
	q.open(r.URL + "/recap/" + d.sessionID + "?pin=8642")
	q.waitText("#session-name", "Members Night")
}
