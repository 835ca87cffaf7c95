package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// pikaTheme is dark unless the DJ asks for light: booths are dark, and a
// bright window dazzles. Text is a little larger than Fyne's default so it
// reads at arm's length; colours stay muted apart from one warm accent.
type pikaTheme struct {
	light bool
}

var _ fyne.Theme = (*pikaTheme)(nil)

// Accent colours, also used directly by widgets that draw with canvas.
var (
	accentAmber = color.NRGBA{R: 0xF2, G: 0xB8, B: 0x4B, A: 0xFF}
	calmGreen   = color.NRGBA{R: 0x6B, G: 0xC4, B: 0x8F, A: 0xFF}
	calmRed     = color.NRGBA{R: 0xE0, G: 0x6C, B: 0x6C, A: 0xFF}
	calmBlue    = color.NRGBA{R: 0x6A, G: 0xA8, B: 0xE0, A: 0xFF}
)

// Their deeper light-theme cousins: the pale ones read well on the dark
// background but vanish on white (amber text there is under 2:1).
var (
	deepAmber = color.NRGBA{R: 0x8F, G: 0x5B, B: 0x00, A: 0xFF}
	deepGreen = color.NRGBA{R: 0x1E, G: 0x7B, B: 0x45, A: 0xFF}
	deepRed   = color.NRGBA{R: 0xB3, G: 0x26, B: 0x1E, A: 0xFF}
	deepBlue  = color.NRGBA{R: 0x1F, G: 0x5F, B: 0x9E, A: 0xFF}
)

// colorNameAccentText is the accent as a text colour (captions, the big
// BPM): amber on dark, deep amber on light. Primary stays amber for fills.
const colorNameAccentText fyne.ThemeColorName = "pikaAccentText"

func (t *pikaTheme) variant() fyne.ThemeVariant {
	if t.light {
		return theme.VariantLight
	}
	return theme.VariantDark
}

func (t *pikaTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	v := t.variant()
	if v == theme.VariantDark {
		switch n {
		case theme.ColorNameBackground:
			return color.NRGBA{R: 0x16, G: 0x18, B: 0x1D, A: 0xFF}
		case theme.ColorNameHeaderBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground:
			return color.NRGBA{R: 0x1E, G: 0x21, B: 0x28, A: 0xFF}
		case theme.ColorNameInputBackground:
			return color.NRGBA{R: 0x23, G: 0x27, B: 0x2F, A: 0xFF}
		case theme.ColorNameButton:
			return color.NRGBA{R: 0x2A, G: 0x2E, B: 0x37, A: 0xFF}
		case theme.ColorNameForeground:
			return color.NRGBA{R: 0xE8, G: 0xE6, B: 0xE1, A: 0xFF}
		case theme.ColorNameSeparator:
			return color.NRGBA{R: 0x2C, G: 0x30, B: 0x38, A: 0xFF}
		case theme.ColorNameDisabled:
			// Fyne's near-black grey hid what a live session watches
			// (the form is locked while live); dimmer than text, still read.
			return color.NRGBA{R: 0x7C, G: 0x80, B: 0x89, A: 0xFF}
		}
	}
	if v == theme.VariantLight {
		switch n {
		case colorNameAccentText:
			return deepAmber
		case theme.ColorNameSuccess:
			return deepGreen
		case theme.ColorNameError:
			return deepRed
		case theme.ColorNameHyperlink:
			return deepBlue
		case theme.ColorNameDisabled:
			return color.NRGBA{R: 0x7E, G: 0x81, B: 0x88, A: 0xFF}
		}
	}
	switch n {
	case colorNameAccentText:
		return accentAmber
	case theme.ColorNamePrimary, theme.ColorNameFocus:
		return accentAmber
	case theme.ColorNameForegroundOnPrimary:
		return color.NRGBA{R: 0x16, G: 0x18, B: 0x1D, A: 0xFF}
	case theme.ColorNameSuccess:
		return calmGreen
	case theme.ColorNameError:
		return calmRed
	case theme.ColorNameHyperlink:
		return calmBlue
	case theme.ColorNameSelection:
		return color.NRGBA{R: 0xF2, G: 0xB8, B: 0x4B, A: 0x40}
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t *pikaTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t *pikaTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *pikaTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 15
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 20
	case theme.SizeNameInnerPadding:
		return 9
	}
	return theme.DefaultTheme().Size(n)
}
