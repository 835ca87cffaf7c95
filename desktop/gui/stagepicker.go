package gui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
)

// ownSession is the picker's first choice: a session with a QR code of its
// own, as before events existed.
func ownSession() string { return T("stage.ownSession") }

// stagePicker is Go Live's "Where" row: a session of the DJ's own or a
// stage of an event the DJ plays at, and, once live on a stage, the
// hand-over to the event's next DJ.
type stagePicker struct {
	g        *gui
	choices  []core.StageChoice
	sel      *widget.Select
	reload   *widget.Button
	handOver *widget.Button
	note     *note // why the list is empty, or which stage this set is on
	row      fyne.CanvasObject
	live     fyne.CanvasObject
}

func newStagePicker(g *gui) *stagePicker {
	s := &stagePicker{g: g}
	s.sel = widget.NewSelect([]string{ownSession()}, nil)
	s.sel.SetSelectedIndex(0)
	s.reload = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), s.load)
	s.note = newNote(widget.MediumImportance)
	s.handOver = widget.NewButtonWithIcon(T("stage.handOver"), theme.MailForwardIcon(), s.confirmHandOver)
	s.handOver.Hide()
	s.row = container.NewBorder(nil, nil, nil, s.reload, s.sel)
	s.live = container.NewVBox(s.note, container.NewHBox(s.handOver))
	return s
}

// load asks the relay for the DJ's events' stages (quietly: without a
// relay or a token the own session is the only choice).
func (s *stagePicker) load() {
	set := s.g.core.Settings()
	if set.RelayURL == "" || !s.g.core.HasToken() {
		s.set(nil)
		return
	}
	var got []core.StageChoice
	s.g.do(s.reload, func(ctx context.Context) error {
		var err error
		got, err = s.g.core.Stages(ctx)
		return err
	}, func(err error) {
		var plain *core.PlainHTTPError
		switch {
		case errors.As(err, &plain):
			s.set(nil) // Go Live asks about plain http itself
		case err != nil:
			s.set(nil)
			s.note.SetText(T("stage.listFailed", "Error", errorDetail(err)))
		default:
			s.set(got)
		}
	})
}

// set offers the choices, keeping the one picked (at first, the last
// set's) when it is still there.
func (s *stagePicker) set(choices []core.StageChoice) {
	keep := s.Stage()
	if s.choices == nil {
		keep = s.g.core.Settings().Stage // the stage of the last set
	}
	s.choices = choices
	opts := []string{ownSession()}
	at := 0
	for i, c := range choices {
		opts = append(opts, c.Label())
		if c.Stage.Slug == keep {
			at = i + 1
		}
	}
	s.sel.SetOptions(opts)
	s.sel.SetSelectedIndex(at)
	if len(choices) == 0 {
		s.note.SetText("")
	} else {
		s.note.SetText(T("stage.hint"))
	}
}

// Stage is the slug of the chosen stage, "" for a session of one's own.
func (s *stagePicker) Stage() string {
	if i := s.sel.SelectedIndex(); i > 0 && i <= len(s.choices) {
		return s.choices[i-1].Stage.Slug
	}
	return ""
}

// show draws the live state: the stage this set is on and its controls.
func (s *stagePicker) show(st core.LiveState) {
	if st.Live {
		s.sel.Disable()
		s.reload.Disable()
	} else {
		s.sel.Enable()
		s.reload.Enable()
	}
	switch {
	case st.Live && st.Stage != nil:
		s.note.SetText(T("stage.on", "Stage", st.Stage.Label()))
		s.handOver.Show()
	case st.Live:
		s.note.SetText("")
		s.handOver.Hide()
	default:
		s.handOver.Hide()
	}
}

func (s *stagePicker) confirmHandOver() {
	st := s.g.core.LiveState()
	if st.Stage == nil {
		return
	}
	msg := T("stage.handOver.text", "Event", st.Stage.Event.Name, "Stage", st.Stage.Stage.Name)
	d := dialog.NewConfirm(T("stage.handOver.title"), msg, func(ok bool) {
		if !ok {
			return
		}
		s.g.do(s.handOver, func(ctx context.Context) error {
			return s.g.core.HandOver(ctx, "")
		}, func(err error) {
			if err != nil {
				s.note.SetText(T("stage.handOver.failed", "Error", errorDetail(err)))
				return
			}
			s.note.SetText(T("stage.handedOver", "Stage", st.Stage.Stage.Name))
		})
	}, s.g.win)
	d.SetConfirmText(T("stage.handOver.confirm"))
	d.SetDismissText(T("stage.handOver.keep"))
	d.Show()
}
