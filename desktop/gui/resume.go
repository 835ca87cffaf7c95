package gui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/shared/protocol"
)

// offerResume asks, at start, about a session the last run left live
// (quit or crashed mid-set) while the relay can still resume it.
func (g *gui) offerResume() {
	var left core.LeftSession
	var ok bool
	g.do(nil, func(ctx context.Context) error {
		var err error
		left, ok, err = g.core.LeftLive(ctx)
		return err
	}, func(err error) {
		if err != nil || !ok || g.core.LiveState().Live {
			return
		}
		g.showResume(left)
	})
}

// resumeDialog is the open offer (nil when none), for tests.
type resumeDialog struct {
	d                 *dialog.CustomDialog
	title             string
	resume, end, skip *widget.Button
}

func (g *gui) showResume(left core.LeftSession) {
	name := left.Name
	if name == "" {
		name = T("resume.lastSession")
	} else {
		name = "“" + name + "”"
	}
	until := left.LastConnected.Add(protocol.ResumeWindow).Local().Format("15:04")
	msg := widget.NewLabel(T("resume.text", "Name", name, "Last", left.LastConnected.Local().Format("15:04"), "Until", until))
	r := &resumeDialog{}
	r.resume = widget.NewButtonWithIcon(T("resume.resume"), theme.MediaPlayIcon(), func() { r.d.Hide(); g.resumeLeft(false) })
	r.resume.Importance = widget.HighImportance
	r.end = widget.NewButtonWithIcon(T("resume.end"), theme.MediaStopIcon(), func() { r.d.Hide(); g.resumeLeft(true) })
	r.end.Importance = widget.DangerImportance
	r.skip = widget.NewButton(T("resume.notNow"), func() { r.d.Hide() })
	buttons := container.NewHBox(layout.NewSpacer(), r.skip, r.end, r.resume)
	r.title = T("resume.title", "Name", name, "Time", left.LastConnected.Local().Format("15:04"))
	r.d = dialog.NewCustomWithoutButtons(r.title, container.NewVBox(msg, buttons), g.win)
	r.d.SetOnClosed(func() { g.resume = nil })
	g.resume = r
	r.d.Show()
}

// resumeLeft resumes the left session, or ends it.
func (g *gui) resumeLeft(end bool) {
	lp := g.live
	lp.errLabel.SetText("")
	if end {
		lp.info.SetText(T("resume.ending"))
	} else {
		lp.info.SetText(T("resume.resuming"))
	}
	g.shell.showNamed(paneLive)
	g.do(lp.goLive, func(ctx context.Context) error {
		if end {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return g.core.EndLeft(ctx)
		}
		return g.core.ResumeLeft(ctx)
	}, func(err error) {
		lp.info.SetText("")
		switch {
		case errors.Is(err, core.ErrEndedHere):
			// ended() says what the relay does about it.
		case err != nil && end:
			lp.errLabel.SetText(T("resume.endFailed", "Error", errorDetail(err)))
		case err != nil:
			lp.errLabel.SetText(T("resume.failed", "Error", errorDetail(err)))
		}
		g.syncLive()
	})
}
