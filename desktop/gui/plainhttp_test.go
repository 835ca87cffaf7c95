package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/shared/protocol"
)

// "Save and check" with a plain http:// relay on the internet asks before
// the token leaves: Cancel sends nothing, "Send anyway" sends it (here to
// a name that does not resolve, so the check then fails on the network).
func TestPlainHTTPRelayAsksFirst(t *testing.T) {
	h := newHarness(t, pikaConfig())
	h.show(paneSettings)
	sp := h.g.settings
	h.ui(func() { sp.relay.SetText("http://pika-relay.invalid:8080") })
	h.typeIn(sp.token, protocol.TokenPrefix+strings.Repeat("3", 32))
	answer := func(button string) {
		h.tap(sp.checkBtn)
		h.waitFor("the plain-http question", liveLimit, func() bool { return h.g.plainDialog != nil },
			func() string { return sp.tokenErr.Text })
		var b *widget.Button
		h.ui(func() {
			top := h.win.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no dialog shown")
			}
			b = findButton(top, button)
		})
		if b == nil {
			t.Fatalf("the dialog has no %q button", button)
		}
		h.tap(b)
	}
	answer("Cancel")
	h.ui(func() {
		if !strings.Contains(sp.tokenErr.Text, "Not sent yet") || sp.who.Text != "" {
			t.Fatalf("after Cancel: %q / %q", sp.tokenErr.Text, sp.who.Text)
		}
	})
	answer("Send anyway")
	h.waitFor("the check over plain http", liveLimit, func() bool {
		return strings.Contains(sp.tokenErr.Text, "The token was not accepted")
	}, func() string { return sp.tokenErr.Text })
	// Confirmed once: the next check does not ask again.
	h.tap(sp.checkBtn)
	h.waitFor("the second check", liveLimit, func() bool {
		return strings.Contains(sp.tokenErr.Text, "The token was not accepted")
	}, func() string { return sp.tokenErr.Text })
	if h.g.plainDialog != nil {
		t.Fatal("asked again after Send anyway")
	}
}
