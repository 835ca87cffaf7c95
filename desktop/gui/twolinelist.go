package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// newTwoLineList lists rows of a bold title over a detail line, both cut
// with an ellipsis; detail's importance colours the second line. item is
// asked for the texts of row i, which is below length().
func newTwoLineList(length func() int, item func(i int) (title, detail string), detail widget.Importance) *widget.List {
	return widget.NewList(
		length,
		func() fyne.CanvasObject {
			t := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			t.Truncation = fyne.TextTruncateEllipsis
			d := widget.NewLabel("")
			d.Importance = detail
			d.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(t, d)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= length() {
				return
			}
			title, text := item(id)
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(title)
			box.Objects[1].(*widget.Label).SetText(text)
		},
	)
}
