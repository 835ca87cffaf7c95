package protocol

import "time"

// SetAnalytics answers GET /api/sessions/:id/analytics: what the crowd
// said that only the set's DJ and the organizers of its event see, never
// the public recap (which shows what a crowd is proud of: likes, the top
// tracks, polls).
type SetAnalytics struct {
	Session SessionInfo     `json:"session"`
	Plays   []PlayAnalytics `json:"plays"` // oldest first
	// Tempo is the whole set's votes; Shares their split.
	Tempo  TempoTally  `json:"tempo"`
	Shares TempoShares `json:"shares"`
	// NoLikes lists the plays nobody liked (their ids, oldest first).
	NoLikes []string `json:"noLikes"`
	// Listeners is the dancer count each time it changed, oldest first.
	Listeners     []ListenerSample `json:"listeners"`
	PeakListeners int              `json:"peakListeners"`
}

// PlayAnalytics is one track of a set as its DJ sees it.
type PlayAnalytics struct {
	RecapPlay
	TempoVotes TempoTally  `json:"tempoVotes"`
	Shares     TempoShares `json:"shares"`
	// ListenersStart and ListenersEnd are the dancers connected as the
	// track started and as it ended; ListenersLow the fewest meanwhile,
	// ListenersPeak the most.
	// DropOff is the largest fall of the count during the track (from its
	// highest so far): dancers who left while it played.
	ListenersStart int `json:"listenersStart"`
	ListenersEnd   int `json:"listenersEnd"`
	ListenersLow   int `json:"listenersLow"`
	ListenersPeak  int `json:"listenersPeak"` // the most meanwhile
	DropOff        int `json:"dropOff"`
}

// TempoShares is the split of tempo votes, each 0–1 (all 0 without votes).
type TempoShares struct {
	Faster  float64 `json:"faster"`
	Perfect float64 `json:"perfect"`
	Slower  float64 `json:"slower"`
	Votes   int     `json:"votes"`
}

// SharesOf splits a tally.
func SharesOf(t TempoTally) TempoShares {
	n := t.Faster + t.Perfect + t.Slower
	if n == 0 {
		return TempoShares{}
	}
	f := float64(n)
	return TempoShares{Faster: float64(t.Faster) / f, Perfect: float64(t.Perfect) / f, Slower: float64(t.Slower) / f, Votes: n}
}

// ListenerSample is the number of dancers connected from At on.
type ListenerSample struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}
