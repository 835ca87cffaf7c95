package live

import (
	"context"
	"errors"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// loading is a room being read from the database; others asking for the
// same session wait for it instead of reading it again.
type loading struct {
	done chan struct{}
	r    *Room
	pe   *protocol.Error
}

// roomLoadTimeout bounds one session load, which is shared by everyone
// waiting for it and so does not follow any one request's context.
const roomLoadTimeout = 15 * time.Second

// room returns the in-memory room of a live session, loading it if needed.
// The database is read without m.mu held, once per session however many
// ask at the same time, so one slow load holds up only that session.
func (m *Manager) room(ctx context.Context, id string) (*Room, *protocol.Error) {
	m.mu.Lock()
	if r := m.rooms[id]; r != nil {
		m.mu.Unlock()
		return r, nil
	}
	if m.closing.Load() {
		m.mu.Unlock()
		return nil, errRestarting
	}
	l := m.loads[id]
	if l == nil {
		l = &loading{done: make(chan struct{})}
		m.loads[id] = l
		m.mu.Unlock()
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), roomLoadTimeout)
		r, pe := m.loadRoom(lctx, id)
		cancel()
		m.mu.Lock()
		delete(m.loads, id)
		switch {
		case pe != nil:
		case m.closing.Load():
			r.mu.Lock()
			r.stopTimers()
			r.mu.Unlock()
			r.retire()
			r, pe = nil, errRestarting
		default:
			m.rooms[id] = r
		}
		l.r, l.pe = r, pe
		m.mu.Unlock()
		close(l.done)
		return r, pe
	}
	m.mu.Unlock()
	select {
	case <-l.done:
		return l.r, l.pe
	case <-ctx.Done():
		return nil, errInternal
	}
}

// loadRoom reads a live session into a new room.
func (m *Manager) loadRoom(ctx context.Context, id string) (*Room, *protocol.Error) {
	sess, err := m.st.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, m.storeErr("read session", err)
	}
	if !sess.Live() {
		return nil, errEnded
	}
	owned := true
	if m.clustered() {
		// Nobody owns it (its owner died, or its DJ is away): this relay
		// does; else this is a mirror of the owner's room.
		if owned, err = m.claim(ctx, id); err != nil {
			return nil, m.storeErr("claim session", err)
		}
	}
	r := newRoom(m, sess, owned)
	if !owned {
		return r, nil
	}
	if err := r.load(ctx); err != nil {
		r.mu.Lock()
		r.stopTimers()
		r.mu.Unlock()
		r.retire()
		return nil, m.storeErr("load session", err)
	}
	r.serve()
	return r, nil
}
