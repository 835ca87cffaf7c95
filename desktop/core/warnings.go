package core

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/assistant"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/shared/protocol"
)

// TrackWarnings (an event) is what the DJ should know about a play the
// moment it goes out: a big tempo jump, a key clash, a repeat tonight.
// It comes before the Playing event of the play (and again when its
// numbers, analysed on the spot, change what it says).
type TrackWarnings struct {
	Track     protocol.Track
	StartedAt time.Time
	Warnings  []string
}

func (TrackWarnings) isEvent() {}

// maxRoomTallies bounds the tempo tallies kept for the room's wish: the
// assistant reads only the last few.
const maxRoomTallies = 10

// assistState is what a live run remembers for the assistant: the set's
// plays, the one before the current, the tempo votes of the last plays.
type assistState struct {
	mu     sync.Mutex
	played assistant.Played // the plays before the current one
	prev   *protocol.Track  // the play before the current one
	tempo  []protocol.TempoTally
	warned []string // last published for the current play
	// moved is the start of the play last moved into the past, so a
	// send that failed and is tried again does not count it twice.
	moved time.Time
}

// notePlay is send's hook: it moves the set on when np is a new play (not
// an update of the current one) and publishes np's warnings. It returns
// them for the live state.
func (lr *liveRun) notePlay(np NowPlaying) []string {
	lr.mu.Lock()
	cur, tally := lr.state.NowPlaying, lr.state.Tempo
	lr.mu.Unlock()
	a := &lr.assist
	a.mu.Lock()
	update := cur != nil && cur.StartedAt.Equal(np.StartedAt) && cur.LibraryID == np.LibraryID
	if cur != nil && !update && !sameStart(cur.StartedAt, a.moved) {
		a.moved = cur.StartedAt
		prev := cur.Track
		a.prev = &prev
		a.played.Add(prev.Artist, prev.Title, cur.StartedAt)
		tally.PlayID = cur.PlayID
		a.tempo = append(a.tempo, tally)
		if len(a.tempo) > maxRoomTallies {
			a.tempo = slices.Clone(a.tempo[len(a.tempo)-maxRoomTallies:])
		}
		a.warned = nil
	}
	played := a.played
	if at, ok := played.Session[protocol.TrackIdentity(np.Track.Artist, np.Track.Title)]; ok && sameStart(at, np.StartedAt) {
		// The same play announced again (after a restart): no repeat.
		played.Session = maps.Clone(played.Session)
		delete(played.Session, protocol.TrackIdentity(np.Track.Artist, np.Track.Title))
	}
	var out []string
	if a.prev != nil {
		out = assistant.Warnings(*a.prev, np.Track, played, lr.core.assistOptions())
	} else if w := played.Warning(np.Track.Artist, np.Track.Title); w != "" {
		out = []string{w} // the first track of a set on a stage can repeat the event
	}
	changed := !slices.Equal(out, a.warned)
	a.warned = out
	a.mu.Unlock()
	if len(out) > 0 && changed {
		lr.core.hub.publish(TrackWarnings{Track: np.Track, StartedAt: np.StartedAt, Warnings: out})
	}
	return out
}

func (c *Core) assistOptions() assistant.Options {
	return assistant.Options{JumpPct: c.Settings().JumpPct()}
}

// WarningsFor is what sending the library track trackID as now playing
// would warn of, for the DJ to confirm first: none when not live or when
// it is the track playing now (a correction); before the first play only
// a repeat (of the event, or of the set before a restart).
func (c *Core) WarningsFor(ctx context.Context, trackID int64) ([]string, error) {
	lr, err := c.liveRun()
	if err != nil {
		return nil, nil
	}
	t, err := c.lib.Track(ctx, trackID)
	if err != nil {
		return nil, err
	}
	next := t.Protocol()
	lr.mu.Lock()
	cur := lr.state.NowPlaying
	lr.mu.Unlock()
	if cur != nil && cur.LibraryID == trackID {
		return nil, nil
	}
	played := lr.assist.snapshot(cur)
	var prev *protocol.Track
	if cur != nil {
		prev = &cur.Track
	} else {
		lr.assist.mu.Lock()
		prev = lr.assist.prev // nothing sent since a restart: the set's last play
		lr.assist.mu.Unlock()
	}
	if prev == nil {
		if w := played.Warning(next.Artist, next.Title); w != "" {
			return []string{w}, nil
		}
		return nil, nil
	}
	return assistant.Warnings(*prev, next, played, c.assistOptions()), nil
}

// snapshot is the set's plays with cur among them, to read without the
// lock.
func (a *assistState) snapshot(cur *NowPlaying) assistant.Played {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := assistant.Played{Event: a.played.Event, Loc: a.played.Loc, Session: make(map[string]time.Time, len(a.played.Session)+1)}
	for k, v := range a.played.Session {
		p.Session[k] = v
	}
	if cur != nil {
		p.Add(cur.Track.Artist, cur.Track.Title, cur.StartedAt)
	}
	return p
}

// resumeSet gives a session resumed after a restart its plays so far
// (from the relay's recap), so the assistant knows what this set played:
// the latest is the one before the next, and all are played tonight.
func (c *Core) resumeSet(sessionID string) {
	ctx, cancel := context.WithTimeout(c.ctx, recapWait)
	defer cancel()
	rc, err := c.recap(ctx, sessionID)
	if err != nil {
		slog.Warn("assistant: the resumed set's plays are unknown", "session", sessionID, "err", err)
		return
	}
	lr, err := c.liveRun()
	if err != nil || len(rc.Plays) == 0 {
		return
	}
	lr.mu.Lock()
	same := lr.state.Session.ID == sessionID
	lr.mu.Unlock()
	if !same {
		return
	}
	a := &lr.assist
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.prev != nil {
		return // the set moved on meanwhile: what it knows is newer
	}
	last := rc.Plays[len(rc.Plays)-1]
	for _, p := range rc.Plays {
		a.played.Add(p.Track.Artist, p.Track.Title, p.StartedAt)
		if p.Tempo != nil {
			a.tempo = append(a.tempo, *p.Tempo)
		}
	}
	if len(a.tempo) > maxRoomTallies {
		a.tempo = slices.Clone(a.tempo[len(a.tempo)-maxRoomTallies:])
	}
	prev := last.Track
	a.prev, a.moved = &prev, last.StartedAt
}

// sameStart: two start times of one play, one as the relay keeps it (to
// the millisecond).
func sameStart(a, b time.Time) bool {
	d := a.Sub(b)
	return d >= -time.Millisecond && d <= time.Millisecond
}

// suggestPool bounds how many library tracks one suggestion reads, and
// maxSuggestRequests how many open requests it weighs (each may read a
// track).
const (
	suggestPool        = 5000
	maxSuggestRequests = 200
)

// Suggest ranks the library for the track playing now (assistant.Suggest):
// with the set's tempo votes, the open requests, and never a song played
// tonight. Not live, or nothing playing yet: an empty result.
func (c *Core) Suggest(ctx context.Context, requests []assistant.Request) (assistant.Result, error) {
	lr, err := c.liveRun()
	if err != nil {
		return assistant.Result{}, nil
	}
	if len(requests) > maxSuggestRequests {
		requests = requests[:maxSuggestRequests] // the queue sends its top first
	}
	lr.mu.Lock()
	cur, tally := lr.state.NowPlaying, lr.state.Tempo
	lr.mu.Unlock()
	if cur == nil {
		return assistant.Result{}, nil
	}
	lr.assist.mu.Lock()
	tempo := append(slices.Clone(lr.assist.tempo), tally)
	lr.assist.mu.Unlock()
	f := library.Filter{Limit: suggestPool}
	if cur.Track.BPM != nil {
		// Beyond a fifth off, no tempo mixes: read only what can rank.
		f.MinBPM, f.MaxBPM = *cur.Track.BPM*0.8, *cur.Track.BPM*1.2
	}
	pool, err := c.lib.List(ctx, f)
	if err != nil {
		return assistant.Result{}, err
	}
	for _, r := range requests {
		if r.TrackID == 0 || slices.ContainsFunc(pool, func(t library.Track) bool { return t.ID == r.TrackID }) {
			continue
		}
		if t, err := c.lib.Track(ctx, r.TrackID); err == nil {
			pool = append(pool, t)
		}
	}
	in := assistant.Input{Now: cur.Track, NowID: cur.LibraryID, Tempo: tempo, Requests: requests,
		Played: lr.assist.snapshot(cur), Library: pool}
	return assistant.Suggest(in, c.assistOptions()), nil
}
