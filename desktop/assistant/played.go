package assistant

import (
	"fmt"
	"time"

	"github.com/pikadj/pika/desktop/repeats"
	"github.com/pikadj/pika/shared/protocol"
)

// Played is what was played tonight: the event's plays (every DJ, every
// stage) and this session's own, which the event list may not have yet.
// Songs are the same by protocol.TrackIdentity, as the relay counts them.
type Played struct {
	Event *repeats.Index
	// Session maps protocol.TrackIdentity to when this session played it.
	Session map[string]time.Time
	// Loc is the event's time zone for the sentences; nil means local.
	Loc *time.Location
}

// Add records a play of this session.
func (p *Played) Add(artist, title string, at time.Time) {
	if p.Session == nil {
		p.Session = make(map[string]time.Time)
	}
	p.Session[protocol.TrackIdentity(artist, title)] = at
}

// Has reports whether the song was played tonight.
func (p Played) Has(artist, title string) bool { return p.Warning(artist, title) != "" }

// Warning is the sentence for a song played tonight, or "".
func (p Played) Warning(artist, title string) string {
	if w := repeats.Warning(p.Event.Played(artist, title), p.Loc); w != "" {
		return w
	}
	if at, ok := p.Session[protocol.TrackIdentity(artist, title)]; ok {
		loc := p.Loc
		if loc == nil {
			loc = time.Local
		}
		return fmt.Sprintf("Already played in this set at %s", at.In(loc).Format("15:04"))
	}
	return ""
}
