package live

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Several relays on one database (Config.Owners set): each live session
// has one owner relay at a time, which applies its writes in order, times
// its polls and announcements, numbers its broadcasts and counts its
// dancers. The others keep a mirror room: their dancers' connections, the
// owner's recent broadcasts for catch-up (tap.go), and they forward their
// dancers' writes to the owner (forward.go).
//
// Ownership is a lease in the session's row (store.ClaimOwner). The DJ's
// relay takes it (asking the owner to yield), so the DJ's commands never
// cross relays; a relay loading a session nobody owns takes it too. The
// owner renews its leases every third of the lease; when it dies its
// leases run out and the first relay to notice (a forwarded write with no
// answer, or its lease loop) takes the session over from the database: a
// new epoch, the open poll and announcement reloaded, the DJ counted as
// gone since the lease ran out. A relay alone takes no leases and owns
// every room.

// remoteDancers are the dancers another relay reported for a session.
type remoteDancers struct {
	ids []string
	at  time.Time
}

func (m *Manager) clustered() bool { return m.cfg.Owners != nil }

// isOwner reports whether this relay applies the room's writes.
func (r *Room) isOwner() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.owned
}

func (m *Manager) leaseEnd(now time.Time) time.Time { return now.Add(m.cfg.OwnerLease) }

// claim takes the session's lease if nobody else holds a running one.
func (m *Manager) claim(ctx context.Context, id string) (bool, error) {
	now := time.Now()
	owned, prev, err := m.st.ClaimOwner(ctx, id, m.relayID, now, m.leaseEnd(now))
	if owned && prev != "" {
		m.log.Info("session taken over", "session", id, "from", prev)
	}
	return owned, err
}

// serve has the room answer other relays' requests; an owner calls it
// once it holds the lease.
func (r *Room) serve() {
	if !r.m.clustered() {
		return
	}
	stop, err := r.m.cfg.Owners.Serve(r.id, r.m.answer(r.id))
	if err != nil {
		// The lease stays: the other relays' dancers wait for it to be
		// renewed elsewhere or retry.
		r.m.log.Error("serving a session to the other relays failed", "session", r.id, "err", err)
		return
	}
	r.mu.Lock()
	r.stopServe = stop
	r.mu.Unlock()
}

// promote makes a mirror the owner once this relay holds the lease: the
// session's open poll and announcement are read again and its broadcasts
// start a new epoch (pages that reconnect get a whole state).
func (r *Room) promote(ctx context.Context) error {
	if err := r.load(ctx); err != nil {
		return err
	}
	r.pubMu.Lock()
	r.mu.Lock()
	r.owned = true
	r.epoch, r.seq, r.recent = store.NewID(), 0, nil
	r.dirtyListeners = true
	r.scheduleFlush()
	r.mu.Unlock()
	r.pubMu.Unlock()
	r.serve()
	return nil
}

// demote makes the owner a mirror: its lease is gone (lost or yielded).
// Counters still pending go out first; a DJ connected here is sent away,
// to come back on the relay that owns the session now.
func (r *Room) demote(why string) {
	r.flushNow()
	r.mu.Lock()
	if !r.owned {
		r.mu.Unlock()
		return
	}
	r.owned = false
	r.stopTimers()
	r.poll, r.annID, r.remote = nil, "", nil
	stop, dj := r.stopServe, r.dj
	r.stopServe = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	if dj != nil {
		dj.Kick("this session moved to another relay; reconnect")
	}
	r.m.log.Info("session handed to another relay", "session", r.id, "reason", why)
}

// retire ends the room's part in the cluster: it stops answering and
// hearing other relays, and gives its lease back.
func (r *Room) retire() {
	r.mu.Lock()
	stop := r.stopServe
	r.stopServe = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	r.tap.stop()
}

// takeOwnership makes this relay the room's owner, for its DJ: the owner,
// if alive, is asked to yield; a dead one's lease is waited out.
func (m *Manager) takeOwnership(ctx context.Context, r *Room) *protocol.Error {
	for {
		if r.isOwner() {
			return nil
		}
		owned, err := m.claim(ctx, r.id)
		if errors.Is(err, store.ErrNotFound) {
			return errEnded
		}
		if err != nil {
			return m.storeErr("take the session over", err)
		}
		if owned {
			if err := r.promote(ctx); err != nil {
				return m.storeErr("load session", err)
			}
			return nil
		}
		if _, err := m.ask(ctx, r.id, fwdRequest{Op: opYield, Relay: m.relayID}, nil); err != nil && !errors.Is(err, errNotOwner) {
			m.log.Warn("asking a session's owner to yield failed", "session", r.id, "err", err)
		}
		if pe := waitRetry(ctx); pe != nil {
			return pe
		}
	}
}

// waitRetry pauses before asking again for a session whose owner is
// changing.
func waitRetry(ctx context.Context) *protocol.Error {
	select {
	case <-ctx.Done():
		return errMoving
	case <-time.After(200 * time.Millisecond):
		return nil
	}
}

// yield gives the session up to the relay that asks for its DJ.
func (m *Manager) yield(ctx context.Context, r *Room, to string) *protocol.Error {
	r.demote("its DJ is on relay " + to)
	if err := m.st.ReleaseOwner(ctx, r.id, m.relayID); err != nil {
		return m.storeErr("release session", err)
	}
	return nil
}

// leaseRound runs every third of the lease: the owner renews its leases
// (a lost one demotes its room), mirrors report their dancers to the
// owner and take over sessions whose owner's lease ran out, and sessions
// whose owner died without anyone here have their DJ counted as gone.
func (m *Manager) leaseRound(ctx context.Context) {
	now := time.Now()
	if _, err := m.st.MarkOrphans(ctx, now); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
		m.log.Error("marking sessions of a dead relay failed", "err", err)
	}
	m.mu.Lock()
	var owned, mirrors []*Room
	for _, r := range m.rooms {
		if r.isOwner() {
			owned = append(owned, r)
		} else {
			mirrors = append(mirrors, r)
		}
	}
	m.mu.Unlock()
	if len(owned) > 0 {
		ids := make([]string, len(owned))
		for i, r := range owned {
			ids[i] = r.id
		}
		kept, err := m.st.RenewOwner(ctx, m.relayID, ids, m.leaseEnd(now))
		if err != nil {
			// Not renewed: the lease may run out, and another relay then
			// takes over; this one finds out at its next renewal.
			m.log.Error("renewing session leases failed", "err", err)
		} else {
			for _, r := range owned {
				if !slices.Contains(kept, r.id) {
					r.demote("its lease ran out")
				} else {
					r.pruneRemote(now.Add(-3 * m.cfg.OwnerLease))
				}
			}
		}
	}
	for _, r := range mirrors {
		if r.isEnded() {
			continue
		}
		owned, err := m.claim(ctx, r.id)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				m.log.Error("claiming a session failed", "session", r.id, "err", err)
			}
			continue
		}
		if owned {
			if err := r.promote(ctx); err != nil {
				m.log.Error("taking a session over failed", "session", r.id, "err", err)
			}
			continue
		}
		r.reportDancers(ctx)
	}
}

// releaseAll gives back the leases of the sessions this relay owns, at
// shutdown, so another relay takes them at once.
func (m *Manager) releaseAll(ctx context.Context, rooms []*Room) {
	if !m.clustered() {
		return
	}
	for _, r := range rooms {
		if !r.isOwner() {
			continue
		}
		if err := m.st.ReleaseOwner(ctx, r.id, m.relayID); err != nil {
			m.log.Error("releasing a session at shutdown failed", "session", r.id, "err", err)
		}
	}
}
