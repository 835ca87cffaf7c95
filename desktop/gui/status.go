package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// statusLine is the strip along the bottom of the window: is the relay
// reachable, are we live, how many dancers listen. It is what the DJ
// glances at between tracks, so each part has a coloured dot.
type statusLine struct {
	relayDot  *canvas.Circle
	relay     *widget.Label
	liveDot   *canvas.Circle
	live      *widget.Label
	listeners *widget.Label
	content   fyne.CanvasObject
}

var dimGrey = color.NRGBA{R: 0x70, G: 0x74, B: 0x7C, A: 0xFF}

func newStatusLine() *statusLine {
	s := &statusLine{
		relayDot:  canvas.NewCircle(dimGrey),
		relay:     widget.NewLabel(T("status.relay.none")),
		liveDot:   canvas.NewCircle(dimGrey),
		live:      widget.NewLabel(T("status.notLive")),
		listeners: widget.NewLabel(""),
	}
	dot := func(c *canvas.Circle) fyne.CanvasObject {
		return container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), c))
	}
	s.content = container.NewHBox(
		dot(s.relayDot), s.relay,
		widget.NewSeparator(),
		dot(s.liveDot), s.live,
		layout.NewSpacer(),
		s.listeners,
	)
	return s
}

// SetRelay shows the connection state in words; ok colours the dot green.
func (s *statusLine) SetRelay(text string, ok bool) {
	s.relay.SetText(text)
	s.relayDot.FillColor = dimGrey
	if ok {
		s.relayDot.FillColor = calmGreen
	}
	s.relayDot.Refresh()
}

// SetLive shows whether a session is on air.
func (s *statusLine) SetLive(text string, live bool) {
	s.live.SetText(text)
	s.liveDot.FillColor = dimGrey
	if live {
		s.liveDot.FillColor = calmRed
	}
	s.liveDot.Refresh()
}

// SetListeners shows the number of dancers following, or nothing.
func (s *statusLine) SetListeners(text string) { s.listeners.SetText(text) }
