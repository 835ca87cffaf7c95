package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// meter is a bar with its number beside it, not on it: Fyne writes a
// progress bar's text in one colour across both the bright fill and the
// faded track, and on the faded half it was too dim to read in a dark
// booth. Beside the bar the number is ordinary text on the background.
type meter struct {
	bar     *meterBar
	value   *widget.Label
	content fyne.CanvasObject
}

// newMeter makes a meter from 0 to max whose number takes valueWidth, so
// meters stacked in a column line up.
func newMeter(max float64, valueWidth float32) *meter {
	m := &meter{bar: newMeterBar(max), value: widget.NewLabel("")}
	m.value.TextStyle = fyne.TextStyle{Bold: true}
	m.content = container.NewBorder(nil, nil, nil, sized(m.value, valueWidth), m.bar)
	return m
}

// Set fills the bar to v and writes text beside it.
func (m *meter) Set(v float64, text string) {
	m.value.SetText(text)
	m.bar.SetValue(v)
}

// meterBar is the bar: the accent fill on a faint track. Fyne's progress
// bar blends its track from the accent, which in amber read as a strong
// gold-brown, so an empty bar (an unanalysed track, a poll option nobody
// chose) looked full.
type meterBar struct {
	widget.BaseWidget
	Value, Max float64
}

func newMeterBar(max float64) *meterBar {
	b := &meterBar{Max: max}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue fills the bar to v (clamped to 0…Max).
func (b *meterBar) SetValue(v float64) {
	b.Value = v
	b.Refresh()
}

// fraction is how much of the bar is filled.
func (b *meterBar) fraction() float32 {
	if b.Max <= 0 || b.Value <= 0 {
		return 0
	}
	return float32(min(b.Value/b.Max, 1))
}

func (b *meterBar) CreateRenderer() fyne.WidgetRenderer {
	r := &meterBarRenderer{b: b, track: canvas.NewRectangle(color.Transparent), fill: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type meterBarRenderer struct {
	b           *meterBar
	track, fill *canvas.Rectangle
}

// colors: the empty part is the colour of an input box, a shade off the
// background, with a thin outline so the bar's length still shows.
func (r *meterBarRenderer) colors() (track, edge, fill color.Color) {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	return th.Color(theme.ColorNameInputBackground, v), th.Color(theme.ColorNameSeparator, v), th.Color(theme.ColorNamePrimary, v)
}

func (r *meterBarRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	r.track.Move(fyne.NewPos(0, 0))
	f := r.b.fraction()
	r.fill.Resize(fyne.NewSize(size.Width*f, size.Height))
	r.fill.Move(fyne.NewPos(0, 0))
	// A zero-width rectangle still draws its rounded edge: a sliver of
	// accent on an empty bar.
	if f > 0 {
		r.fill.Show()
	} else {
		r.fill.Hide()
	}
}

func (r *meterBarRenderer) MinSize() fyne.Size {
	th := r.b.Theme()
	return fyne.NewSize(th.Size(theme.SizeNamePadding)*4, th.Size(theme.SizeNameText)+th.Size(theme.SizeNameInnerPadding))
}

func (r *meterBarRenderer) Refresh() {
	track, edge, fill := r.colors()
	radius := r.b.Theme().Size(theme.SizeNameInputRadius)
	r.track.FillColor, r.track.StrokeColor, r.track.StrokeWidth, r.track.CornerRadius = track, edge, 1, radius
	r.fill.FillColor, r.fill.CornerRadius = fill, radius
	r.Layout(r.b.Size())
	r.track.Refresh()
	r.fill.Refresh()
}

func (r *meterBarRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.fill} }

func (r *meterBarRenderer) Destroy() {}
