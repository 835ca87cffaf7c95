// Package repeats knows what was already played at an event, so the app
// can show it beside a library track and warn before a repeat: the same
// song twice in an evening is the most common complaint about multi-DJ
// nights. A song is the same by protocol.TrackIdentity (artist and title,
// case and Unicode forms folded), which is how the relay counts plays.
package repeats

import (
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Index maps songs to their plays at one event.
type Index struct {
	byTrack map[string][]protocol.EventPlay
}

// New indexes an event's plays.
func New(plays []protocol.EventPlay) *Index {
	ix := &Index{byTrack: make(map[string][]protocol.EventPlay, len(plays))}
	for _, p := range plays {
		id := protocol.TrackIdentity(p.Track.Artist, p.Track.Title)
		ix.byTrack[id] = append(ix.byTrack[id], p)
	}
	return ix
}

// Played lists the plays of the song at the event, oldest first.
func (ix *Index) Played(artist, title string) []protocol.EventPlay {
	if ix == nil {
		return nil
	}
	return ix.byTrack[protocol.TrackIdentity(artist, title)]
}

// Warning is the sentence the app shows for a song played before, in the
// event's time zone, or "" when it was not.
func Warning(plays []protocol.EventPlay, loc *time.Location) string {
	if len(plays) == 0 {
		return ""
	}
	p := plays[len(plays)-1]
	if loc == nil {
		loc = time.UTC
	}
	more := ""
	if n := len(plays) - 1; n == 1 {
		more = " (and once before)"
	} else if n > 1 {
		more = fmt.Sprintf(" (and %d times before)", n)
	}
	return fmt.Sprintf("Already played at this event: by %s on %s at %s%s", p.DJName, p.StageName, p.StartedAt.In(loc).Format("Mon 15:04"), more)
}
