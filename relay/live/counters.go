package live

import (
	"context"
	"errors"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// dirty says which counters of a play changed.
type dirty uint8

const (
	dirtyLikes dirty = 1 << iota
	dirtyTempo
)

// scheduleFlush arranges one flush per coalescing window; r.mu is held.
func (r *Room) scheduleFlush() {
	if r.flushTimer != nil || r.flushing || r.ended || r.m.isClosing() {
		return
	}
	r.flushTimer = time.AfterFunc(r.coalesceWindow(), r.flush)
}

// coalesceWindow grows with the audience (on every relay): each counter
// broadcast costs one write per listener (and one read on each phone), so a big room gets
// fewer, fuller updates, at most five times the base window (1 s), and
// keeps its CPU for NOW_PLAYING; r.mu is held.
func (r *Room) coalesceWindow() time.Duration {
	base := r.m.cfg.Coalesce
	// With other relays the room's own dancers are a share of them: the
	// last count is of all.
	n := max(len(r.listeners), r.lastListeners)
	if n <= 1000 {
		return base
	}
	return min(base*time.Duration(n)/1000, base*5)
}

// deferFlush pushes a pending counter flush back by a window, so its
// broadcast does not compete with a NOW_PLAYING going out to everyone.
func (r *Room) deferFlush() {
	r.mu.Lock()
	if r.flushTimer != nil {
		r.flushTimer.Reset(r.coalesceWindow())
	}
	r.mu.Unlock()
}

// flush broadcasts the counters that changed since the last flush; a
// mirror reports its dancers to the owner instead, which counts them.
func (r *Room) flush() {
	r.mu.Lock()
	r.flushTimer = nil
	if r.flushing {
		r.mu.Unlock()
		return
	}
	if !r.owned {
		r.dirtyListeners = false
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), roomLoadTimeout)
		defer cancel()
		r.reportDancers(ctx)
		return
	}
	r.flushing = true
	at := time.Now() // the count's time: before anyone hears of it
	plays, polls := r.dirtyPlays, r.dirtyPolls
	r.dirtyPlays, r.dirtyPolls = map[string]dirty{}, map[string]struct{}{}
	listeners := r.dancersLocked()
	sendListeners := r.dirtyListeners && listeners != r.lastListeners
	r.dirtyListeners = false
	r.lastListeners = listeners
	newPeak := listeners > r.peak
	if newPeak {
		r.peak = listeners
	}
	r.mu.Unlock()

	ctx := context.Background()
	for id, which := range plays {
		likes, tempo, err := r.m.st.Counts(ctx, id)
		if err != nil {
			r.m.log.Error("reading counts failed", "play", id, "err", err)
			continue
		}
		if which&dirtyLikes != 0 {
			r.publish(protocol.TypeLikeCount, protocol.LikeCount{PlayID: id, Count: likes})
		}
		if which&dirtyTempo != 0 {
			r.publish(protocol.TypeTempoTally, tempo)
		}
	}
	for id := range polls {
		p, err := r.m.st.Poll(ctx, r.id, id)
		if err != nil {
			r.m.log.Error("reading poll failed", "poll", id, "err", err)
			continue
		}
		if !p.Closed {
			r.publish(protocol.TypePollUpdate, protocol.PollTallies{PollID: id, Tallies: p.Tallies})
		}
	}
	if sendListeners {
		r.publish(protocol.TypeListenerCount, protocol.ListenerCount{Count: listeners})
		// For the DJ's analytics: who left during which track.
		if err := r.m.st.RecordListeners(ctx, r.id, at, listeners); err != nil && !errors.Is(err, store.ErrClosed) {
			r.m.log.Error("recording the dancer count failed", "session", r.id, "err", err)
		}
	}
	if newPeak {
		if err := r.m.st.RaisePeak(ctx, r.id, listeners); err != nil && !errors.Is(err, store.ErrClosed) {
			r.m.log.Error("recording peak listeners failed", "session", r.id, "err", err)
		}
	}

	r.mu.Lock()
	r.flushing = false
	if len(r.dirtyPlays) > 0 || len(r.dirtyPolls) > 0 || r.dirtyListeners {
		r.scheduleFlush()
	}
	r.mu.Unlock()
}

// flushNow runs a pending flush at once (at shutdown).
func (r *Room) flushNow() {
	r.mu.Lock()
	pending := r.flushTimer != nil && r.flushTimer.Stop()
	r.mu.Unlock()
	if pending {
		r.flush()
	}
}
