package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// leaveLive is a first run that goes live and quits mid-set: it returns
// the config folder and the session it left.
func leaveLive(t *testing.T, relay *relaytest.Relay, token, name string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveLimit)
	defer cancel()
	dir := t.TempDir()
	pc, err := core.Open(ctx, core.Config{ConfigDir: dir, NoKeyring: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := pc.Settings()
	s.RelayURL = relay.URL
	if err := pc.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := pc.SetToken(token); err != nil {
		t.Fatal(err)
	}
	if err := pc.GoLive(ctx, "manual", name, ""); err != nil {
		t.Fatal(err)
	}
	for pc.LiveState().Session.ID == "" {
		if ctx.Err() != nil {
			t.Fatal("no session")
		}
		time.Sleep(20 * time.Millisecond)
	}
	id := pc.LiveState().Session.ID
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, id
}

// Started again after quitting mid-set, the app offers to resume the
// session: Resume carries on with it, End it ends it, Not now leaves it.
func TestStartOffersToResumeTheLeftSession(t *testing.T) {
	tests := []struct{ answer string }{{"Resume"}, {"End it"}, {"Not now"}}
	for _, tc := range tests {
		t.Run(tc.answer, func(t *testing.T) {
			relay := relaytest.Start(t)
			token := relay.RegisterDJ(t, "gus@example.com", "DJ Gus")
			dir, id := leaveLive(t, relay, token, "Late Blues")
			dancer, _ := relay.Join(t, id, "dancer-gus-0001", "")
			cfg := pikaConfig()
			cfg.ConfigDir = dir
			h := newHarness(t, cfg)
			h.waitFor("the offer to resume", liveLimit, func() bool { return h.g.resume != nil }, nil)
			r := h.g.resume
			h.ui(func() {
				if title := r.title; !strings.Contains(title, "Resume the session “Late Blues” from ") {
					t.Errorf("offer titled %q", title)
				}
			})
			switch tc.answer {
			case "Resume":
				h.tap(r.resume)
				h.waitFor("the resumed session", liveLimit, func() bool {
					st := h.core.LiveState()
					return st.Session.ID == id && st.Session.Resumed && h.g.live.end.Disabled() == false
				}, func() string { return h.g.live.errLabel.Text })
			case "End it":
				h.tap(r.end)
				dancer.Expect(t, protocol.TypeSessionEnded)
				h.waitFor("the window out of live mode with the recap link", liveLimit, func() bool {
					return !h.core.LiveState().Live && strings.Contains(h.g.live.qr.link.Text, "/recap/"+id)
				}, func() string { return h.g.live.errLabel.Text + " | " + h.g.live.qr.link.Text })
			case "Not now":
				h.tap(r.skip)
				h.ui(func() {
					if h.core.LiveState().Live || h.win.Canvas().Overlays().Top() != nil {
						t.Error("Not now went live or left the dialog open")
					}
				})
			}
			h.ui(func() {
				if h.g.resume != nil {
					t.Error("the offer stays after the answer")
				}
			})
		})
	}
}
