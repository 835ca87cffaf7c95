package gui

import (
	"github.com/pikadj/pika/shared/protocol"
)

// tempoLine is the one-line summary of the dancers' tempo votes for the
// track now playing, written so it reads at a glance in the booth.
func tempoLine(t protocol.TempoTally) string {
	if t.Faster+t.Perfect+t.Slower == 0 {
		return T("live.tempo.none")
	}
	return T("live.tempo", "Faster", t.Faster, "Perfect", t.Perfect, "Slower", t.Slower)
}

// likesLine says how many dancers liked the track now playing.
func likesLine(n int) string {
	switch n {
	case 0:
		return T("live.likes.none")
	}
	return "♥ " + TN("live.likes", n)
}

// listenersLine is how many dancers are connected, in the status line and
// the Live pane ("dancers", as the pages say).
func listenersLine(n int) string { return TN("status.listeners", n) }
