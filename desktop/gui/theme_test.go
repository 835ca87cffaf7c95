package gui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestThemeTextContrast holds every text colour of both variants to the
// WCAG AA ratio (4.5:1) against the background: a booth is dark, a
// daylight gig is bright, and a DJ reads the window at arm's length.
func TestThemeTextContrast(t *testing.T) {
	names := []fyne.ThemeColorName{
		theme.ColorNameForeground, colorNameAccentText, theme.ColorNameSuccess,
		theme.ColorNameError, theme.ColorNameHyperlink,
	}
	for _, light := range []bool{false, true} {
		th := &pikaTheme{light: light}
		bg := th.Color(theme.ColorNameBackground, th.variant())
		for _, n := range names {
			c := th.Color(n, th.variant())
			if r := contrast(c, bg); r < 4.5 {
				t.Errorf("light=%v: %s %v on %v has contrast %.2f, want ≥ 4.5", light, n, c, bg, r)
			}
		}
		// Disabled text (a locked form while live) is dimmer than text
		// but still legible in its box.
		box := th.Color(theme.ColorNameInputBackground, th.variant())
		dis := contrast(th.Color(theme.ColorNameDisabled, th.variant()), box)
		fg := contrast(th.Color(theme.ColorNameForeground, th.variant()), box)
		if dis < 3 || dis >= fg {
			t.Errorf("light=%v: disabled text contrast %.2f in its box (text %.2f), want ≥ 3 and below the text's", light, dis, fg)
		}
	}
}

// TestThemedTextFollowsTheTheme switches to the light theme and expects
// the big canvas texts to change colour with it.
func TestThemedTextFollowsTheTheme(t *testing.T) {
	h := newHarness(t, pikaConfig())
	var darkTitle, darkBPM color.Color
	h.ui(func() { darkTitle, darkBPM = h.g.live.title.Color, h.g.live.bpm.Color })
	h.show(paneSettings)
	h.tap(h.g.settings.light)
	th := &pikaTheme{light: true}
	// The Live pane was not on screen when the theme changed.
	h.show(paneLive)
	h.ui(func() {
		lv := h.g.live
		if want := th.Color(theme.ColorNameForeground, theme.VariantLight); !sameColor(lv.title.Color, want) {
			t.Errorf("title %v in the light theme (was %v), want %v", lv.title.Color, darkTitle, want)
		}
		if want := th.Color(colorNameAccentText, theme.VariantLight); !sameColor(lv.bpm.Color, want) {
			t.Errorf("BPM %v in the light theme (was %v), want %v", lv.bpm.Color, darkBPM, want)
		}
	})
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return false
	}
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := relLuminance(a), relLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func relLuminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
