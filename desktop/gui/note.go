package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// note is a wrapped label that takes no room while it has nothing to say:
// the error and status lines under each form, so an empty one leaves no
// hole in the pane.
type note struct {
	widget.Label
}

func newNote(imp widget.Importance) *note {
	n := &note{}
	n.ExtendBaseWidget(n)
	n.Wrapping = fyne.TextWrapWord
	n.Importance = imp
	n.Hide()
	return n
}

// newErrorNote is a note in the error colour.
func newErrorNote() *note { return newNote(widget.DangerImportance) }

// SetText sets the text and shows the note only when there is some.
func (n *note) SetText(s string) {
	n.Label.SetText(s)
	if s == "" {
		n.Hide()
	} else {
		n.Show()
	}
}

// sectionTitle is a small caption in the accent colour over a group of
// widgets.
func sectionTitle(text string) fyne.CanvasObject {
	t := canvas.NewText(text, nil)
	t.TextStyle = fyne.TextStyle{Bold: true}
	t.TextSize = 14
	return themed(t, colorNameAccentText)
}
