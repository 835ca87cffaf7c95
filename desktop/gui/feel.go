package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/shared/protocol"
)

// feelBars shows a track's energy, danceability and brightness (0–100)
// as three labelled bars; a missing number shows as "not analysed".
type feelBars struct {
	bars    [3]*meter
	content fyne.CanvasObject
}

var feelNames = [3]string{"Energy", "Danceability", "Brightness"}

func newFeelBars() *feelBars {
	f := &feelBars{}
	form := widget.NewForm()
	for i := range f.bars {
		b := newMeter(100, 120)
		b.Set(0, "–")
		f.bars[i] = b
		form.Append(feelLabel(feelNames[i]), b.content)
	}
	f.content = container.NewPadded(form)
	return f
}

// Set shows t's feel, or empty bars when t is nil.
func (f *feelBars) Set(t *protocol.Track) {
	var vals [3]*float64
	if t != nil {
		vals = [3]*float64{t.Energy, t.Danceability, t.Brightness}
	}
	for i, b := range f.bars {
		v := vals[i]
		if v == nil {
			b.Set(0, T("feel.notAnalysed"))
			continue
		}
		b.Set(*v, fmt.Sprintf("%.0f", *v))
	}
}
