package gui

import (
	"image"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// An empty meter looks empty: its track is a faint shade off the
// background, far from the accent fill (Fyne's progress bar blended the
// track from the amber accent into a strong gold-brown).
func TestMeterEmptyLooksEmpty(t *testing.T) {
	for _, light := range []bool{false, true} {
		a := test.NewTempApp(t)
		th := &pikaTheme{light: light}
		a.Settings().SetTheme(th)
		empty, full, half := newMeter(100, 80), newMeter(100, 80), newMeter(100, 80)
		empty.Set(0, "not analysed")
		full.Set(100, "100")
		half.Set(50, "50")
		w := test.NewTempWindow(t, container.NewVBox(empty.content, half.content, full.content))
		w.Resize(fyne.NewSize(400, 200))
		img := w.Canvas().Capture()
		writePNG(filepath.Join(screenshotDir(t), map[bool]string{false: "meters-dark.png", true: "meters-light.png"}[light]), img)
		bg := th.Color(theme.ColorNameBackground, th.variant())
		accent := th.Color(theme.ColorNamePrimary, th.variant())
		at := func(m *meter, fx float32) image.Point {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(m.bar)
			s := m.bar.Size()
			scale := float32(img.Bounds().Dx()) / w.Canvas().Size().Width
			return image.Pt(int((pos.X+s.Width*fx)*scale), int((pos.Y+s.Height/2)*scale))
		}
		tests := []struct {
			name       string
			m          *meter
			fx         float32
			wantFilled bool
		}{
			{"empty bar, middle", empty, 0.5, false},
			{"empty bar, start", empty, 0.05, false},
			{"empty bar, first pixel inside", empty, 0.005, false},
			{"half bar, first quarter", half, 0.25, true},
			{"half bar, last quarter", half, 0.75, false},
			{"full bar, end", full, 0.95, true},
		}
		for _, tc := range tests {
			p := at(tc.m, tc.fx)
			c := img.At(p.X, p.Y)
			toBG, toAccent := contrast(c, bg), contrast(c, accent)
			filled := toAccent < toBG
			if filled != tc.wantFilled || !tc.wantFilled && toBG > 1.5 {
				t.Errorf("light=%v %s: pixel %v, contrast %.2f to the background and %.2f to the accent; want filled=%v (an empty part within 1.5 of the background)",
					light, tc.name, c, toBG, toAccent, tc.wantFilled)
			}
		}
	}
}
