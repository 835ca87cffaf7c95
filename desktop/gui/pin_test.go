package gui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestPINGuessesInTheLivePane: typing a PIN makes the recap private by
// default; wrong PINs at the relay show as a warning with their count;
// the DJ changes the PIN from the pane and the relay takes the new one.
func TestPINGuessesInTheLivePane(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "guard@example.com", "DJ Guard")
	h := newHarness(t, pikaConfig())
	signIn(h, relay, token, "DJ Guard", "")
	h.show(paneLive)
	lv := h.g.live
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.ui(func() {
		if !lv.publicRecap.Checked {
			t.Error("a session without a PIN does not default to a public recap")
		}
	})
	h.typeIn(lv.pin, "2468")
	h.ui(func() {
		if lv.publicRecap.Checked {
			t.Error("typing a PIN left the recap public")
		}
	})
	h.tap(lv.goLive)
	h.waitFor("the session", liveLimit, func() bool { return h.core.LiveState().Session.ID != "" }, func() string { return lv.errLabel.Text })
	id := h.core.LiveState().Session.ID
	status := func(pin string) int {
		req, _ := http.NewRequest(http.MethodGet, relay.URL+"/api/sessions/"+id+"/state", nil)
		req.Header.Set("X-Session-Pin", pin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status("1111")
	status("1112")
	h.waitFor("the PIN warning", liveLimit, func() bool {
		return strings.Contains(lv.pinWarn.Text, "Someone is guessing this session's PIN: 2 wrong tries")
	}, func() string { return lv.pinWarn.Text })

	h.typeIn(lv.newPIN, "97531")
	h.tap(lv.changePIN)
	h.waitFor("the PIN changed note", liveLimit, func() bool { return strings.Contains(lv.info.Text, "PIN changed") }, func() string { return lv.info.Text + " | " + lv.errLabel.Text })
	deadline := time.Now().Add(liveLimit)
	for status("97531") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the relay never took the new PIN")
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.ui(func() {
		if lv.pinWarn.Text != "" {
			t.Errorf("the warning stays after a new PIN: %q", lv.pinWarn.Text)
		}
	})
	h.tap(lv.end)
	h.waitFor("the end", liveLimit, func() bool { return !lv.goLive.Disabled() }, nil)
	var rc protocol.Recap
	if s := relay.DoJSON(t, http.MethodGet, "/api/sessions/"+id+"/recap", "", nil, &rc); s != http.StatusForbidden {
		t.Fatalf("recap of a PIN session left private: %d, want 403", s)
	}
}

func TestPINWarningText(t *testing.T) {
	now := time.Date(2026, 5, 1, 22, 0, 0, 0, time.Local)
	later := now.Add(90 * time.Second)
	earlier := now.Add(-time.Second)
	tests := []struct {
		st   core.LiveState
		want []string
	}{
		{core.LiveState{}, nil},
		{core.LiveState{PINWrong: 1}, []string{"1 wrong try.", "change the PIN"}},
		{core.LiveState{PINWrong: 250, PINLockedUntil: &later}, []string{"250 wrong tries.", "until 22:01:30", "lets them in"}},
		{core.LiveState{PINWrong: 3, PINLockedUntil: &earlier}, []string{"3 wrong tries.", "If it goes on"}},
	}
	for _, tc := range tests {
		got := pinWarning(tc.st, now)
		if tc.want == nil && got != "" {
			t.Errorf("%+v: %q, want none", tc.st, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: %q lacks %q", tc.st, got, w)
			}
		}
	}
}
