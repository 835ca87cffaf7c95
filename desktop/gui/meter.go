package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// meter is a bar with its number beside it, not on it: Fyne writes a
// progress bar's text in one colour across both the bright fill and the
// faded track, and on the faded half it was too dim to read in a dark
// booth. Beside the bar the number is ordinary text on the background.
type meter struct {
	bar     *widget.ProgressBar
	value   *widget.Label
	content fyne.CanvasObject
}

// newMeter makes a meter from 0 to max whose number takes valueWidth, so
// meters stacked in a column line up.
func newMeter(max float64, valueWidth float32) *meter {
	m := &meter{bar: widget.NewProgressBar(), value: widget.NewLabel("")}
	m.bar.Max = max
	m.bar.TextFormatter = func() string { return "" }
	m.value.TextStyle = fyne.TextStyle{Bold: true}
	m.content = container.NewBorder(nil, nil, nil, sized(m.value, valueWidth), m.bar)
	return m
}

// Set fills the bar to v and writes text beside it.
func (m *meter) Set(v float64, text string) {
	m.value.SetText(text)
	m.bar.SetValue(v)
}
