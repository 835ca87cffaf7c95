package gui

import (
	"fmt"

	"github.com/pikadj/pika/shared/protocol"
)

// tempoLine is the one-line summary of the dancers' tempo votes for the
// track now playing, written so it reads at a glance in the booth.
func tempoLine(t protocol.TempoTally) string {
	if t.Faster+t.Perfect+t.Slower == 0 {
		return "No tempo votes yet"
	}
	return fmt.Sprintf("↑ %d faster · %d perfect · ↓ %d slower", t.Faster, t.Perfect, t.Slower)
}

// likesLine says how many dancers liked the track now playing.
func likesLine(n int) string {
	switch n {
	case 0:
		return "No likes yet"
	case 1:
		return "♥ 1 like"
	}
	return fmt.Sprintf("♥ %d likes", n)
}

// listenersLine is the listener count in the status line and Live pane.
func listenersLine(n int) string {
	if n == 1 {
		return "1 listener"
	}
	return fmt.Sprintf("%d listeners", n)
}
