package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// checklist is the first-run path on the Live pane: what going live needs
// (a relay, a DJ token, music), each step saying where it comes from, the
// first missing one highlighted, with a button to the pane that does it.
// It hides once everything is there.
type checklist struct {
	g       *gui
	steps   []*checkStep
	content *fyne.Container
}

type checkStep struct {
	done  func(*gui) bool
	label *widget.Label
	hint  *note
	btn   *widget.Button
	row   fyne.CanvasObject
	title string
}

// Step states as they read on screen.
const (
	stepDone = "✓ "
	stepTodo = "○ "
	stepNext = "→ "
)

func newChecklist(g *gui) *checklist {
	c := &checklist{g: g}
	add := func(title, hint, button, paneName string, done func(*gui) bool) {
		s := &checkStep{done: done, title: title, label: widget.NewLabel(title), hint: newNote(widget.MediumImportance)}
		s.label.TextStyle = fyne.TextStyle{Bold: true}
		s.hint.SetText(hint)
		s.btn = widget.NewButton(button, func() { g.shell.showNamed(paneName) })
		s.row = container.NewBorder(nil, nil, nil, container.NewVBox(s.btn), container.NewVBox(s.label, s.hint))
		c.steps = append(c.steps, s)
	}
	add(T("firstrun.relay"), T("firstrun.relay.hint"),
		T("firstrun.openSettings"), paneSettings, func(g *gui) bool { return g.core.Settings().RelayURL != "" })
	add(T("firstrun.token"), T("firstrun.token.hint"),
		T("firstrun.openSettings"), paneSettings, func(g *gui) bool { return g.settings.hasToken })
	add(T("firstrun.music"), T("firstrun.music.hint"),
		T("firstrun.openLibrary"), paneLibrary, func(g *gui) bool { return g.library.total != 0 })
	c.content = container.NewVBox(sectionTitle(T("firstrun.title")))
	for _, s := range c.steps {
		c.content.Add(s.row)
	}
	c.content.Add(widget.NewLabel(T("firstrun.then")))
	return c
}

// ready reports whether the steps going live needs are done (music is
// recommended, not needed).
func (c *checklist) ready() bool { return c.steps[0].done(c.g) && c.steps[1].done(c.g) }

// refresh marks each step and highlights the first missing one.
func (c *checklist) refresh() {
	next := true
	all := true
	for _, s := range c.steps {
		done := s.done(c.g)
		all = all && done
		switch {
		case done:
			s.label.SetText(stepDone + s.title)
			s.label.Importance = widget.SuccessImportance
			s.hint.Hide()
			s.btn.Hide()
		case next:
			next = false
			s.label.SetText(stepNext + s.title)
			s.label.Importance = widget.WarningImportance
			s.hint.Show()
			s.btn.Importance = widget.HighImportance
			s.btn.Show()
		default:
			s.label.SetText(stepTodo + s.title)
			s.label.Importance = widget.MediumImportance
			s.hint.Show()
			s.btn.Importance = widget.MediumImportance
			s.btn.Show()
		}
		s.label.Refresh()
		s.btn.Refresh()
	}
	if all {
		c.content.Hide()
	} else {
		c.content.Show()
	}
	// Go Live is the highlighted button only once it can work.
	if c.ready() {
		c.g.live.goLive.Importance = widget.HighImportance
	} else {
		c.g.live.goLive.Importance = widget.MediumImportance
	}
	c.g.live.goLive.Refresh()
}
