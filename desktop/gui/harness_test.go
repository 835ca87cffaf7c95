package gui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/testenv"
)

// harness is the whole window, built by newGUI as Run builds it, on the
// Fyne test driver, over a real core with its own settings and library.
type harness struct {
	t    *testing.T
	app  fyne.App
	core *core.Core
	g    *gui
	win  fyne.Window
}

func newHarness(t *testing.T, cfg core.Config) *harness {
	t.Helper()
	return newHarnessIn(t, cfg, "en")
}

// newHarnessIn is newHarness with the window in language lang (the
// DJ's choice in Settings; the tests' words are English elsewhere).
func newHarnessIn(t *testing.T, cfg core.Config, lang string) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLanguage, lang)
	if cfg.ConfigDir == "" {
		cfg.ConfigDir = t.TempDir()
	}
	cfg.NoKeyring = true
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pc, err := core.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open core: %v", err)
	}
	t.Cleanup(func() {
		if err := pc.Close(); err != nil {
			t.Errorf("close core: %v", err)
		}
	})
	h := &harness{t: t, app: a, core: pc}
	h.g = newGUI(ctx, a, pc)
	h.win = test.NewTempWindow(t, h.g.shell.content)
	h.win.Resize(fyne.NewSize(1280, 820))
	h.g.win = h.win
	var stop func()
	h.ui(func() { stop = h.g.start() })
	t.Cleanup(stop)
	return h
}

// ui runs fn as the Fyne thread would, apart from the core's events.
func (h *harness) ui(fn func()) {
	h.g.mu.Lock()
	defer h.g.mu.Unlock()
	fn()
}

// tap and typeIn drive widgets like a DJ's mouse and keyboard.
func (h *harness) tap(o fyne.Tappable) { h.ui(func() { test.Tap(o) }) }

func (h *harness) typeIn(o fyne.Focusable, text string) { h.ui(func() { test.Type(o, text) }) }

// show opens a pane from the sidebar.
func (h *harness) show(name string) {
	h.t.Helper()
	h.ui(func() {
		if !h.g.shell.showNamed(name) {
			h.t.Fatalf("no pane %q", name)
		}
	})
}

// waitFor polls cond (on the UI side) until it holds; what describes the
// wait in the failure, and state, when set, what the window shows instead.
func (h *harness) waitFor(what string, limit time.Duration, cond func() bool, state func() string) {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		h.ui(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			msg := ""
			if state != nil {
				h.ui(func() { msg = state() })
			}
			h.t.Fatalf("gave up waiting for %s after %v; window shows: %s", what, limit, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// copyCorpus copies the named corpus files into a fresh folder.
func copyCorpus(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		testenv.CopyFile(t, testenv.CorpusFile(t, n), filepath.Join(dir, n))
	}
	return dir
}

// relayout lays the window out again, as a real window does on its next
// frame, so a capture shows notes whose text grew since the last layout.
func (h *harness) relayout() {
	h.ui(func() {
		size := h.win.Canvas().Size()
		h.win.Resize(size.AddWidthHeight(1, 0))
		h.win.Resize(size)
	})
}
