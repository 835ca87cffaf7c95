package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// themedText shows a canvas.Text in a theme colour that follows theme
// changes: a bare canvas.Text keeps the colour it was made with, so after
// switching to the light theme the now-playing title stayed near-white on
// white. Fyne refreshes every widget when the theme changes; this one
// looks its colour up again then.
type themedText struct {
	widget.BaseWidget
	text  *canvas.Text
	color fyne.ThemeColorName
}

// themed wraps text, drawn in the theme's colour named color.
func themed(text *canvas.Text, color fyne.ThemeColorName) *themedText {
	t := &themedText{text: text, color: color}
	t.ExtendBaseWidget(t)
	t.applyColor()
	return t
}

func (t *themedText) applyColor() {
	t.text.Color = t.Theme().Color(t.color, fyne.CurrentApp().Settings().ThemeVariant())
}

func (t *themedText) CreateRenderer() fyne.WidgetRenderer { return &themedTextRenderer{t: t} }

type themedTextRenderer struct{ t *themedText }

func (r *themedTextRenderer) Layout(size fyne.Size)        { r.t.text.Resize(size) }
func (r *themedTextRenderer) MinSize() fyne.Size           { return r.t.text.MinSize() }
func (r *themedTextRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.t.text} }
func (r *themedTextRenderer) Destroy()                     {}
func (r *themedTextRenderer) Refresh() {
	r.t.applyColor()
	r.t.text.Refresh()
}
