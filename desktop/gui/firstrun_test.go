package gui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/relay/relaytest"
)

// On a first run the Live pane says what going live needs, step by step,
// the missing step highlighted, and the empty library says how to fill it.
func TestFirstRunChecklist(t *testing.T) {
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "eve@example.com", "DJ Eve")
	h := newHarness(t, pikaConfig())
	c, lv, lp := h.g.check, h.g.live, h.g.library
	h.show(paneLive)
	// The keychain answers off the UI thread; the library count too.
	h.waitFor("the first-run checklist", liveLimit, func() bool {
		return c.content.Visible() && lp.total == 0 && strings.HasPrefix(c.steps[0].label.Text, stepNext)
	}, func() string { return c.steps[0].label.Text })
	h.ui(func() {
		writePNG(filepath.Join(screenshotDir(t), "first-run-live.png"), h.win.Canvas().Capture())
		if lv.goLive.Importance == widget.HighImportance {
			t.Error("Go Live is highlighted before a relay and a token are set")
		}
		for i, want := range []string{stepNext, stepTodo, stepTodo} {
			if !strings.HasPrefix(c.steps[i].label.Text, want) || !c.steps[i].btn.Visible() {
				t.Errorf("step %d reads %q (button shown %v), want it to start with %q", i+1, c.steps[i].label.Text, c.steps[i].btn.Visible(), want)
			}
		}
		if !strings.Contains(c.steps[0].hint.Text, "http://127.0.0.1:8080") || strings.Contains(c.steps[0].hint.Text, "--") {
			t.Errorf("the relay step's hint %q", c.steps[0].hint.Text)
		}
	})
	// Pressing Go Live anyway says what is missing in the window's words.
	h.ui(func() { lv.source.SetSelectedIndex(len(liveSources) - 1) })
	h.tap(lv.goLive)
	h.waitFor("the missing-relay message", liveLimit, func() bool { return lv.errLabel.Text != "" }, nil)
	h.ui(func() {
		if !strings.Contains(lv.errLabel.Text, "No relay yet") || strings.Contains(lv.errLabel.Text, "--") || strings.Contains(lv.errLabel.Text, "PIKA_") {
			t.Errorf("Go Live without a relay: %q", lv.errLabel.Text)
		}
	})
	h.show(paneLibrary)
	h.ui(func() {
		writePNG(filepath.Join(screenshotDir(t), "first-run-library.png"), h.win.Canvas().Capture())
		if !lp.empty.Visible() || lp.table.table.Visible() {
			t.Error("the empty library shows blank columns instead of how to add music")
		}
	})

	signIn(h, relay, token, "DJ Eve", "")
	h.waitFor("steps 1 and 2 done", liveLimit, func() bool {
		return strings.HasPrefix(c.steps[0].label.Text, stepDone) && strings.HasPrefix(c.steps[1].label.Text, stepDone) &&
			strings.HasPrefix(c.steps[2].label.Text, stepNext)
	}, func() string {
		return c.steps[0].label.Text + " | " + c.steps[1].label.Text + " | " + c.steps[2].label.Text
	})
	h.ui(func() {
		if lv.goLive.Importance != widget.HighImportance {
			t.Error("Go Live is not highlighted once it can work")
		}
	})
	h.show(paneLibrary)
	h.typeIn(lp.path, copyCorpus(t, "00-rnb-104-Amin.mp3"))
	h.tap(lp.addBtn)
	h.waitFor("the checklist gone and the table back", analysisLimit, func() bool {
		return !c.content.Visible() && lp.total == 1 && lp.table.table.Visible() && !lp.empty.Visible()
	}, func() string { return c.steps[2].label.Text + " " + lp.summary.Text })
}
