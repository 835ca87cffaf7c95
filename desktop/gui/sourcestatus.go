package gui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/nowplaying"
)

// sourceStatus is the Live pane's line about the now-playing source: which
// one is followed, when it last gave a track, and why nothing arrives, in
// nowplaying.Status's words. When rekordbox's key is wrong it offers a box
// to paste the DJ's key. It follows the core's events itself, so the Live
// pane only places it.
type sourceStatus struct {
	g       *gui
	line    *note
	key     *widget.Entry
	saveKey *widget.Button
	keyNote *note
	keyBox  *fyne.Container
	content fyne.CanvasObject
}

// srcStatusView makes the widget for the Live pane and returns its content.
func (p *livePane) srcStatusView(g *gui) fyne.CanvasObject {
	s := &sourceStatus{g: g}
	s.line = newNote(widget.MediumImportance)
	s.key = widget.NewPasswordEntry()
	s.key.SetPlaceHolder("paste your rekordbox key")
	s.saveKey = widget.NewButtonWithIcon("Save key", theme.DocumentSaveIcon(), s.save)
	s.keyNote = newNote(widget.MediumImportance)
	s.keyBox = container.NewVBox(container.NewBorder(nil, nil, nil, s.saveKey, s.key), s.keyNote)
	s.keyBox.Hide()
	s.content = container.NewVBox(s.line, s.keyBox)
	p.srcStatus = s
	events, stop := g.core.Events()
	go func() {
		defer stop()
		for {
			select {
			case <-g.ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				switch e := e.(type) {
				case core.SourceStatusChanged:
					g.ui(func() { s.show(true, e.Status) })
				case core.SessionChanged:
					if e.Ended {
						g.ui(func() { s.show(false, nowplaying.Status{}) })
					}
				}
			}
		}
	}()
	return s.content
}

// show draws st while live; not live, the widget is empty.
func (s *sourceStatus) show(live bool, st nowplaying.Status) {
	if !live {
		s.line.SetText("")
		s.keyBox.Hide()
		return
	}
	if st.OK() || st.State == nowplaying.StateStarting {
		s.line.Importance = widget.MediumImportance
	} else {
		s.line.Importance = widget.WarningImportance
	}
	s.line.SetText(st.Text())
	if st.State == nowplaying.StateWrongKey {
		s.keyBox.Show()
	} else {
		s.keyBox.Hide()
	}
	// A box shown after the pane was laid out has no size yet: lay out
	// again.
	s.content.Refresh()
}

// save keeps the pasted key in the settings; the watcher reads it when the
// DJ goes live again.
func (s *sourceStatus) save() {
	set := s.g.core.Settings()
	set.RekordboxKey = strings.TrimSpace(s.key.Text)
	if err := s.g.core.SaveSettings(set); err != nil {
		s.keyNote.SetText("Cannot save the key: " + err.Error())
		return
	}
	s.key.SetText("")
	s.keyNote.SetText("Key saved. End the session and go live again to read rekordbox with it.")
}
