package gui

import (
	"context"
	"errors"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/appversion"
)

// aboutSection is the end of the Settings pane: the version, the About
// box and the update check (the relay is asked at most once a day whether
// a newer release exists; the app only tells the DJ, never installs).
type aboutSection struct {
	g        *gui
	version  *widget.Label
	check    *widget.Check
	update   *widget.Hyperlink // "Pika! 1.5.0 is out: download it", hidden until one is
	status   *note             // why the last check did not answer
	aboutBtn *widget.Button
	about    dialog.Dialog // the open About box, nil when closed
	notified string        // the release the DJ was already told of this run
	last     core.Update   // the last answer shown
	content  fyne.CanvasObject
}

func newAboutSection(g *gui) *aboutSection {
	a := &aboutSection{g: g}
	a.version = widget.NewLabel("Pika! " + appversion.String())
	a.check = widget.NewCheck(T("about.checkUpdates"), nil)
	a.update = widget.NewHyperlink("", nil)
	a.update.Hide()
	a.status = newNote(widget.MediumImportance)
	a.aboutBtn = widget.NewButtonWithIcon(T("about.button"), theme.InfoIcon(), a.showAbout)
	a.content = container.NewVBox(
		widget.NewSeparator(),
		sectionTitle(T("about.section")),
		container.NewBorder(nil, nil, nil, a.aboutBtn, a.version),
		a.check,
		a.update,
		a.status,
	)
	return a
}

// load shows the saved choice without saving it back.
func (a *aboutSection) load() {
	a.check.OnChanged = nil
	a.check.SetChecked(!a.g.core.Settings().NoUpdateCheck)
	a.check.OnChanged = a.setCheck
}

// setCheck saves the DJ's choice; turning the check on asks at once.
func (a *aboutSection) setCheck(on bool) {
	s := a.g.core.Settings()
	s.NoUpdateCheck = !on
	a.g.do(nil, func(context.Context) error { return a.g.core.SaveSettings(s) }, func(err error) {
		if err != nil {
			a.status.SetText(T("settings.notSaved", "Error", errorDetail(err)))
			return
		}
		a.status.SetText("")
		if on {
			a.checkUpdate()
		} else {
			a.update.Hide()
		}
	})
}

// recheckEvery is how often a window left open looks again; the core
// asks the relay only once its last answer is a day old.
const recheckEvery = time.Hour

// watch checks now and then every recheckEvery until the window closes,
// so an app left running for a weekend still hears of a release.
func (a *aboutSection) watch() {
	go func() {
		for {
			a.checkUpdate()
			select {
			case <-a.g.ctx.Done():
				return
			case <-time.After(recheckEvery):
			}
		}
	}()
}

// checkUpdate runs the (daily) check off the UI thread. A relay that
// cannot be reached or is not set is not worth an error banner: the note
// under the check says it.
func (a *aboutSection) checkUpdate() {
	var u core.Update
	a.g.do(nil, func(ctx context.Context) (err error) {
		u, err = a.g.core.CheckForUpdate(ctx)
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, core.ErrUpdateCheckOff), errors.Is(err, core.ErrNoRelay):
			a.status.SetText("")
			return
		case err != nil:
			a.status.SetText(T("about.checkFailed", "Error", errorDetail(err)))
			return
		}
		a.status.SetText("")
		a.last = u
		link, perr := url.Parse(u.DownloadURL)
		if !u.Newer || perr != nil {
			a.update.Hide()
			return
		}
		a.update.SetText(T("about.update", "Latest", u.Latest, "Version", appversion.Version))
		a.update.SetURL(link)
		a.update.Show()
		if a.notified != u.Latest {
			a.notified = u.Latest
			a.g.app.SendNotification(fyne.NewNotification(T("about.notify.title", "Latest", u.Latest), T("about.notify.body")))
		}
	})
}

// showAbout opens the About box.
func (a *aboutSection) showAbout() {
	body := container.NewVBox(
		heading("Pika!"),
		widget.NewLabel(T("about.tagline")),
		widget.NewLabel(T("about.version", "Version", appversion.String())),
	)
	if a.update.Visible() {
		body.Add(widget.NewHyperlink(a.update.Text, a.update.URL))
	}
	d := dialog.NewCustom(T("about.button"), T("about.close"), body, a.g.win)
	d.SetOnClosed(func() { a.about = nil })
	a.about = d
	d.Show()
}
