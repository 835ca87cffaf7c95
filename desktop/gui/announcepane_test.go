package gui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pikadj/pika/relay/relaytest"
)

// TestAnnouncementHistoryFromCore checks that the history is the
// session's, as the core keeps it: a window opened later over the same
// core shows what was sent before it, and ending the session empties it.
func TestAnnouncementHistoryFromCore(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "di@example.com", "DJ Di")
	h := newHarness(t, pikaConfig())
	ctx := context.Background()
	s := h.core.Settings()
	s.RelayURL = relay.URL
	if err := h.core.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := h.core.SetToken(token); err != nil {
		t.Fatal(err)
	}
	if err := h.core.GoLive(ctx, "manual", "Saturday Swing", ""); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the session", liveLimit, func() bool {
		st := h.core.LiveState()
		return st.Connected && st.Session.ID != ""
	}, nil)

	first := h.g.announce
	texts := []string{"Welcome to Saturday Swing", "Last dance at 2 am"}
	for _, text := range texts {
		if err := h.core.Announce(ctx, text, 0); err != nil {
			t.Fatalf("announce %q: %v", text, err)
		}
	}
	newestFirst := []string{texts[1], texts[0]}
	h.waitFor("both announcements in the history", liveLimit, func() bool {
		return slices.Equal(historyTexts(first), newestFirst) && first.current.Text == texts[1]
	}, func() string { return first.current.Text })
	h.ui(func() {
		for _, a := range first.history {
			if _, ok := first.sentAt[a.AnnouncementID]; !ok {
				t.Errorf("no time for %q, which this window saw go out", a.Text)
			}
		}
	})

	// The window opened again over the same core.
	g2 := newGUI(ctx, h.app, h.core)
	g2.win = test.NewTempWindow(t, g2.shell.content)
	g2.win.Resize(fyne.NewSize(1280, 820))
	var stop func()
	onUI(g2, func() {
		stop = g2.start()
		g2.shell.showNamed(paneAnnouncements)
	})
	t.Cleanup(stop)
	second := g2.announce
	onUI(g2, func() {
		if got := historyTexts(second); !slices.Equal(got, newestFirst) {
			t.Errorf("reopened window's history %q, want %q", got, newestFirst)
		}
		if second.histList.Length() != len(texts) {
			t.Errorf("reopened window lists %d lines", second.histList.Length())
		}
		if second.current.Text != texts[1] || second.clearBtn.Disabled() {
			t.Errorf("reopened window shows %q now (clear enabled: %v)", second.current.Text, !second.clearBtn.Disabled())
		}
	})

	// Clearing the banner keeps the history; ending the session ends it.
	if err := h.core.ClearAnnouncement(ctx); err != nil {
		t.Fatal(err)
	}
	waitUI(t, g2, "the banner cleared in the reopened window", func() bool {
		return second.current.Text == "No announcement is showing." && slices.Equal(historyTexts(second), newestFirst)
	})
	if err := h.core.End(ctx); err != nil {
		t.Fatal(err)
	}
	waitUI(t, g2, "the history gone with the session", func() bool { return len(second.history) == 0 })
	h.waitFor("the history gone with the session", liveLimit, func() bool { return len(first.history) == 0 }, nil)
}

func historyTexts(p *announcePane) []string {
	var out []string
	for _, a := range p.history {
		out = append(out, a.Text)
	}
	return out
}

// onUI runs fn as g's Fyne thread would.
func onUI(g *gui, fn func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn()
}

// waitUI polls cond on g's side until it holds; a hang guard only.
func waitUI(t *testing.T, g *gui, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(liveLimit)
	for {
		var ok bool
		onUI(g, func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
