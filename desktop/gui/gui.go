// Package gui is Pika!'s desktop window (Fyne): the DJ's cockpit. It only
// calls into the desktop core (package core); long work runs on goroutines
// and comes back to widgets through fyne.Do.
package gui

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"

	"github.com/pikadj/pika/desktop/core"
	// Before Fyne's init reads the locale: see the package comment.
	_ "github.com/pikadj/pika/desktop/gui/internal/clocale"
	"github.com/pikadj/pika/shared/protocol"
)

// appID names the app to the OS (preferences, notifications, .desktop
// file); it matches desktop/FyneApp.toml.
const appID = "dj.pika.app"

// prefLightTheme remembers the DJ's choice of the light theme (daylight
// gigs); dark is the default.
const prefLightTheme = "lightTheme"

// Pane names, as the code knows them (the sidebar shows each pane's
// title, in the window's language).
const (
	paneLive          = "Live"
	paneLibrary       = "Library"
	paneAnalysis      = "Analysis"
	panePolls         = "Polls"
	paneAnnouncements = "Announcements"
	paneSettings      = "Settings"
)

// Run opens the window and blocks until it is closed or ctx ends.
func Run(ctx context.Context, pc *core.Core) error {
	if pc == nil {
		return errors.New("gui: no core")
	}
	a := app.NewWithID(appID)
	a.SetIcon(appIcon)
	g := newGUI(ctx, a, pc)
	w := g.newMainWindow()
	stop := g.start()
	defer stop()
	go func() {
		<-g.ctx.Done()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return nil
}

// gui is the whole window's state. Its fields are touched only on the Fyne
// thread (from callbacks or fyne.Do).
type gui struct {
	ctx    context.Context
	cancel context.CancelFunc
	app    fyne.App
	core   *core.Core
	win    fyne.Window
	shell  *shell
	// mu is held by everything that touches widgets from ui(). On a real
	// window that is always the Fyne thread, so it is never contended;
	// under the test driver, where fyne.Do runs on the caller's
	// goroutine, it keeps the event goroutine and the test apart.
	mu sync.Mutex

	library  *libraryPane
	analysis *analysisPane
	live     *livePane
	polls    *pollsPane
	announce *announcePane
	settings *settingsPane

	plainDialog *dialog.ConfirmDialog // open while asking about a plain-http relay (plainhttp.go)
	check       *checklist
	// resume is the offer to resume a session left live (nil when none).
	resume *resumeDialog
}

func newGUI(ctx context.Context, a fyne.App, pc *core.Core) *gui {
	useLanguage(chooseLanguage(a.Preferences().String(prefLanguage)))
	a.Settings().SetTheme(&pikaTheme{light: a.Preferences().Bool(prefLightTheme)})
	g := &gui{app: a, core: pc}
	g.ctx, g.cancel = context.WithCancel(ctx)
	g.library = newLibraryPane(g)
	g.analysis = newAnalysisPane(g)
	g.live = newLivePane(g)
	g.polls = newPollsPane(g)
	g.announce = newAnnouncePane(g)
	g.settings = newSettingsPane(g)
	g.check = newChecklist(g)
	g.live.firstRun.Add(g.check.content)
	g.shell = newShell([]*pane{
		{name: paneLive, title: T("pane.live"), icon: theme.MediaPlayIcon(), content: g.live.content},
		{name: paneLibrary, title: T("pane.library"), icon: theme.FolderOpenIcon(), content: g.library.content, shown: g.library.refresh},
		{name: paneAnalysis, title: T("pane.analysis"), icon: theme.ViewRefreshIcon(), content: g.analysis.content, shown: g.analysis.refresh},
		{name: panePolls, title: T("pane.polls"), icon: theme.ListIcon(), content: g.polls.content},
		{name: paneAnnouncements, title: T("pane.announcements"), icon: theme.InfoIcon(), content: g.announce.content},
		{name: paneSettings, title: T("pane.settings"), icon: theme.SettingsIcon(), content: g.settings.content, shown: g.settings.load},
	})
	return g
}

// newMainWindow makes the main window around the shell.
func (g *gui) newMainWindow() fyne.Window {
	w := g.app.NewWindow("Pika!")
	w.SetIcon(appIcon)
	w.SetContent(g.shell.content)
	w.Resize(fyne.NewSize(1280, 820))
	w.SetMaster()
	w.SetCloseIntercept(g.closeRequested)
	g.win = w
	return w
}

// closeRequested asks before quitting in the middle of a set: the dancers
// keep the session for a while, and a restart within that time resumes it.
func (g *gui) closeRequested() {
	if !g.core.LiveState().Live {
		g.win.Close()
		return
	}
	msg := T("quit.live.text", "Minutes", int(protocol.ResumeWindow/time.Minute))
	dialog.ShowConfirm(T("quit.live.title"), msg, func(quit bool) {
		if quit {
			g.win.Close()
		}
	}, g.win)
}

// start subscribes to the core's events and loads the first data; the
// returned function unsubscribes.
func (g *gui) start() func() {
	events, unsubscribe := g.core.Events()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-g.ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				g.ui(func() { g.apply(e) })
			}
		}
	}()
	g.library.refresh()
	g.analysis.refresh()
	g.settings.load()
	g.settings.about.watch()
	g.syncLive()
	g.offerResume()
	if ws := g.core.Warnings(); len(ws) > 0 {
		g.shell.showError(T("start.problems", "Problems", strings.Join(ws, "; ")))
	}
	return func() {
		g.cancel()
		unsubscribe()
		<-done
	}
}

// apply shows one core event. It runs on the Fyne thread.
func (g *gui) apply(e core.Event) {
	switch e := e.(type) {
	case core.AnalysisProgress:
		g.analysis.show(e.Progress)
		if e.LastErr != nil || e.Finished {
			g.analysis.refreshFailures()
		}
		g.library.refreshSoon()
	case core.LibraryChanged:
		g.library.refreshSoon()
	case core.Error:
		if e.Err != nil {
			g.shell.showError(errorText(e.Err))
		}
	case core.AnnouncementShown:
		g.announce.record(e.Announcement, e.At)
		g.syncLive()
	case core.SessionChanged:
		if e.Ended {
			g.live.ended(e.Session)
		}
		g.syncLive()
	default:
		g.syncLive()
	}
}

// syncLive redraws everything that depends on the live session from the
// core's snapshot, so no event order can leave the window inconsistent.
func (g *gui) syncLive() {
	st := g.core.LiveState()
	g.check.refresh()
	g.live.show(st)
	g.polls.show(st)
	g.announce.show(st)
	g.library.updateSendLive(st.Live)
	switch {
	case !st.Live:
		g.shell.status.SetRelay(T("status.relay.none"), false)
	case st.Connected && st.Outbox > 0:
		g.shell.status.SetRelay(TN("status.relay.sending", st.Outbox), true)
	case st.Connected:
		g.shell.status.SetRelay(T("status.relay.connected"), true)
	case st.Outbox > 0:
		g.shell.status.SetRelay(TN("status.relay.offlineWaiting", st.Outbox), false)
	default:
		g.shell.status.SetRelay(T("status.relay.offline"), false)
	}
	if st.Live {
		g.shell.status.SetLive(T("status.live", "Name", st.Session.Name), true)
		g.shell.status.SetListeners(listenersLine(st.Listeners))
	} else {
		g.shell.status.SetLive(T("status.notLive"), false)
		g.shell.status.SetListeners("")
	}
}

// do runs work off the Fyne thread and then, back on it, done with its
// error; busy, when set, is disabled meanwhile so a second tap cannot
// start the same work twice.
func (g *gui) do(busy fyne.Disableable, work func(ctx context.Context) error, done func(error)) {
	if busy != nil {
		busy.Disable()
	}
	go func() {
		err := work(g.ctx)
		if err != nil && g.ctx.Err() == nil {
			slog.Info("gui: action failed", "err", err)
		}
		g.ui(func() {
			if busy != nil {
				busy.Enable()
			}
			if done != nil {
				done(err)
			}
		})
	}()
}

// ui runs fn on the Fyne thread, for goroutines that update widgets.
func (g *gui) ui(fn func()) {
	fyne.Do(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		fn()
	})
}
