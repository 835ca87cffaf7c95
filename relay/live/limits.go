package live

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// createCapped runs create unless the DJ account already has
// MaxLiveSessions live sessions.
func (m *Manager) createCapped(ctx context.Context, dj protocol.DJ, create func() (store.Session, error)) (store.Session, *protocol.Error) {
	m.creating.Lock()
	defer m.creating.Unlock()
	n, err := m.st.CountDJLiveSessions(ctx, dj.ID)
	if err != nil {
		return store.Session{}, m.storeErr("count live sessions", err)
	}
	if n >= m.cfg.MaxLiveSessions {
		m.log.Info("session refused", "dj", dj.ID, "reason", "live session limit", "live", n)
		return store.Session{}, errTooManyLive(m.cfg.MaxLiveSessions)
	}
	sess, err := create()
	if err != nil {
		return store.Session{}, m.storeErr("create session", err)
	}
	return sess, nil
}

// History is a page of a session's plays older than beforeID (the newest
// when ""), for a page that shows more than SESSION_STATE carries. A
// protected session needs its PIN, as for State.
func (m *Manager) History(ctx context.Context, sessionID, beforeID string, limit int, a Access) (protocol.PlaysPage, *protocol.Error) {
	sess, err := m.st.Session(ctx, sessionID)
	if err != nil {
		return protocol.PlaysPage{}, m.sessionErr(err)
	}
	if a.DJID == "" || a.DJID != sess.DJID {
		if pe := m.checkPIN(ctx, sess, a.PIN, a.IP); pe != nil {
			return protocol.PlaysPage{}, pe
		}
	}
	plays, more, err := m.st.PlaysPage(ctx, sessionID, beforeID, limit)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return protocol.PlaysPage{}, errNoSuchPlay
		}
		return protocol.PlaysPage{}, m.storeErr("read plays", err)
	}
	return protocol.PlaysPage{Plays: plays, More: more}, nil
}

func (m *Manager) sessionErr(err error) *protocol.Error {
	if errors.Is(err, store.ErrNotFound) {
		return errNoSession
	}
	return m.storeErr("read session", err)
}

// recapCache keeps the recaps of ended sessions, which no longer change,
// so a popular or long recap is computed once; and, for recapLiveFor, the
// recap of a long live session (reading thousands of plays costs tens of
// milliseconds, which a crowd of readers would multiply). It holds at most
// recapCacheSize, dropping an arbitrary one when full.
type recapCache struct {
	mu sync.Mutex
	m  map[string]cachedRecap
}

type cachedRecap struct {
	rc      protocol.Recap
	expires time.Time // zero: never (an ended session)
}

const (
	recapCacheSize = 256
	// A live session's recap is kept briefly once it has this many plays;
	// shorter ones are cheap to compute and always fresh.
	recapLiveMinPlays = 200
	recapLiveFor      = 2 * time.Second
)

func (c *recapCache) get(id string, now time.Time) (protocol.Recap, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !e.expires.IsZero() && now.After(e.expires) {
		return protocol.Recap{}, false
	}
	return e.rc, true
}

// keep caches rc if it is worth it: forever once its session ended,
// briefly for a long live one.
func (c *recapCache) keep(id string, rc protocol.Recap, now time.Time) {
	var expires time.Time
	switch {
	case rc.Session.EndedAt != nil:
	case len(rc.Plays) >= recapLiveMinPlays:
		expires = now.Add(recapLiveFor)
	default:
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedRecap{}
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= recapCacheSize {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = cachedRecap{rc: rc, expires: expires}
}
