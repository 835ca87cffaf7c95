package assistant

import (
	"fmt"
	"math"

	"github.com/pikadj/pika/shared/protocol"
)

// Room is what the dancers' tempo votes on the last tracks say.
type Room struct {
	// Shift is the tempo change the room asks for, in whole BPM (negative:
	// slower); 0 when the votes are too few or do not agree.
	Shift float64
	// Votes is how many tempo votes were counted.
	Votes int
}

// Text is the room's wish for the DJ ("the room says slower: −4 BPM"), or
// "" when it has none.
func (r Room) Text() string {
	switch {
	case r.Shift < 0:
		return fmt.Sprintf("the room says slower: −%g BPM", -r.Shift)
	case r.Shift > 0:
		return fmt.Sprintf("the room says faster: +%g BPM", r.Shift)
	}
	return ""
}

// ReadRoom weighs the tempo tallies of the last tracks (oldest first):
// the newest counts most, as the room moves on. The shift is the share of
// "faster" minus "slower" among all votes times o.RoomMaxShift, rounded to
// whole BPM; fewer than o.RoomMinVotes votes say nothing.
func ReadRoom(tallies []protocol.TempoTally, o Options) Room {
	o = o.withDefaults()
	if len(tallies) > o.RoomTracks {
		tallies = tallies[len(tallies)-o.RoomTracks:]
	}
	var net, weight float64
	votes := 0
	for i, t := range tallies {
		n := t.Faster + t.Slower + t.Perfect
		if n <= 0 {
			continue
		}
		votes += n
		w := float64(i + 1) // newer tallies weigh more
		net += w * float64(t.Faster-t.Slower) / float64(n)
		weight += w
	}
	r := Room{Votes: votes}
	if votes < o.RoomMinVotes || weight == 0 {
		return r
	}
	r.Shift = math.Round(net / weight * o.RoomMaxShift)
	if r.Shift == 0 {
		r.Shift = 0 // no "−0"
	}
	return r
}
