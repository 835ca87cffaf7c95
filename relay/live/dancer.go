package live

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Dancer is one dancer connection in a live session.
type Dancer struct {
	r        *Room
	clientID string
	unsub    func()
	unsubMy  func() // the dancer's own topic (requests.go)
	once     sync.Once
}

// SessionID names the dancer's session.
func (d *Dancer) SessionID() string { return d.r.id }

// ClientID is the id the dancer likes and votes with.
func (d *Dancer) ClientID() string { return d.clientID }

// Leave is called when the dancer's connection closes or it subscribes
// elsewhere.
func (d *Dancer) Leave() {
	d.once.Do(func() {
		d.unsub()
		d.unsubMy()
		d.r.removeListener(d.clientID)
		d.r.m.obs.DancersConnected(-1)
	})
}

// Like records a like; the new count is broadcast shortly after. Like
// and the other writes are applied by the session's owner relay
// (forward.go).
func (d *Dancer) Like(ctx context.Context, playID string) *protocol.Error {
	return d.atOwner(ctx, opLike, "", playID, nil, func() *protocol.Error { return d.like(ctx, playID) })
}

func (d *Dancer) like(ctx context.Context, playID string) *protocol.Error {
	return d.react(ctx, "like", playID, dirtyLikes, func() (bool, error) { return d.r.m.st.Like(ctx, d.r.id, playID, d.clientID) })
}

// Unlike removes a like.
func (d *Dancer) Unlike(ctx context.Context, playID string) *protocol.Error {
	return d.atOwner(ctx, opUnlike, "", playID, nil, func() *protocol.Error { return d.unlike(ctx, playID) })
}

func (d *Dancer) unlike(ctx context.Context, playID string) *protocol.Error {
	return d.react(ctx, "unlike", playID, dirtyLikes, func() (bool, error) { return d.r.m.st.Unlike(ctx, d.r.id, playID, d.clientID) })
}

// TempoVote records a tempo vote; the last one counts.
func (d *Dancer) TempoVote(ctx context.Context, tv *protocol.TempoVote) *protocol.Error {
	return d.atOwner(ctx, opTempo, "", tv, nil, func() *protocol.Error { return d.tempoVote(ctx, tv) })
}

func (d *Dancer) tempoVote(ctx context.Context, tv *protocol.TempoVote) *protocol.Error {
	return d.react(ctx, "tempo vote", tv.PlayID, dirtyTempo, func() (bool, error) {
		return d.r.m.st.TempoVote(ctx, d.r.id, tv.PlayID, d.clientID, tv.Vote)
	})
}

func (d *Dancer) react(ctx context.Context, what, playID string, which dirty, apply func() (bool, error)) *protocol.Error {
	if d.r.isEnded() {
		return errEnded
	}
	changed, err := apply()
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNoSuchPlay
		}
		return d.r.m.storeErr(what, err)
	}
	if changed {
		d.r.mu.Lock()
		d.r.dirtyPlays[playID] |= which
		d.r.scheduleFlush()
		d.r.mu.Unlock()
	}
	return nil
}

// PollVote records a poll answer (one per client per poll).
func (d *Dancer) PollVote(ctx context.Context, pv *protocol.PollVote) *protocol.Error {
	return d.atOwner(ctx, opPollVote, "", pv, nil, func() *protocol.Error { return d.pollVote(ctx, pv) })
}

func (d *Dancer) pollVote(ctx context.Context, pv *protocol.PollVote) *protocol.Error {
	if d.r.isEnded() {
		return errEnded
	}
	changed, err := d.r.m.st.PollVote(ctx, d.r.id, pv.PollID, d.clientID, pv.OptionIndex)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errNoSuchPoll
		}
		return d.r.m.storeErr("poll vote", err)
	}
	if changed {
		d.r.mu.Lock()
		d.r.dirtyPolls[pv.PollID] = struct{}{}
		d.r.scheduleFlush()
		d.r.mu.Unlock()
	}
	return nil
}

func (r *Room) addListener(clientID string) {
	r.mu.Lock()
	r.listeners[clientID]++
	r.dirtyListeners = true
	r.scheduleFlush()
	r.mu.Unlock()
}

func (r *Room) removeListener(clientID string) {
	r.mu.Lock()
	if r.listeners[clientID]--; r.listeners[clientID] <= 0 {
		delete(r.listeners, clientID)
	}
	r.dirtyListeners = true
	r.scheduleFlush()
	r.mu.Unlock()
}

// Subscribe joins a dancer to a live session and returns the state to
// draw, with the client id the dancer is known by (req.ClientID when the
// relay signed it, else a new one). The peer starts receiving broadcasts before the state is read, so
// nothing falls between the two; the caller must send the state before
// any broadcast it receives (see server's hold).
func (m *Manager) Subscribe(ctx context.Context, peer Peer, req *protocol.Subscribe, ip string) (*Dancer, protocol.SessionState, *protocol.CaughtUp, *protocol.Error) {
	r, pe := m.room(ctx, req.SessionID)
	if pe != nil {
		return nil, protocol.SessionState{}, nil, pe
	}
	// The owner counts wrong guesses (and tells the DJ), wherever made.
	if pe := r.checkPIN(ctx, req.PIN, ip); pe != nil {
		return nil, protocol.SessionState{}, nil, pe
	}
	cid, pe := m.clientID(idScope(r.session()), req.ClientID, ip)
	if pe != nil {
		return nil, protocol.SessionState{}, nil, pe
	}
	// A page that names a broadcast of this room subscribed before, and
	// was counted among the dancers then.
	if req.Epoch == "" || req.Epoch != r.position() {
		if err := m.st.AddDancer(ctx, r.id, cid, time.Now()); err != nil {
			return nil, protocol.SessionState{}, nil, m.storeErr("join session", err)
		}
	}
	d := &Dancer{r: r, clientID: cid}
	unsub, epoch, seq, missed, caught := r.subscribeFrom(peer, req.Epoch, req.Seq)
	d.unsub = unsub
	d.unsubMy = m.broker.Subscribe(dancerTopic(r.id, cid), peer)
	r.addListener(cid)
	m.obs.DancersConnected(1)
	if caught {
		return d, protocol.SessionState{}, &protocol.CaughtUp{SessionID: r.id, ClientID: cid, Epoch: epoch, Seq: seq, Missed: missed, Listeners: m.Listeners(r.id)}, nil
	}
	var st protocol.SessionState
	pe = d.atOwner(ctx, opState, "", nil, &st, func() *protocol.Error {
		var pe *protocol.Error
		st, pe = r.joinState(ctx, cid)
		return pe
	})
	if pe != nil {
		d.Leave()
		return nil, protocol.SessionState{}, nil, pe
	}
	st.ClientID = cid
	if epoch != "" {
		// Where this relay's stream of the room stands: what came after
		// reaches the page as broadcasts.
		st.Epoch, st.Seq = epoch, seq
	}
	return d, st, nil, nil
}

// joinState is the owner's SESSION_STATE for a joining dancer.
func (r *Room) joinState(ctx context.Context, clientID string) (protocol.SessionState, *protocol.Error) {
	r.pubMu.Lock()
	epoch, seq := r.epoch, r.seq
	r.pubMu.Unlock()
	st, pe := r.m.state(ctx, r.session(), clientID)
	if pe != nil {
		return protocol.SessionState{}, pe
	}
	r.withCurrent(&st)
	st.ClientID = clientID
	st.Requests = r.requestsStatus(ctx)
	st.Epoch, st.Seq = epoch, seq
	return st, nil
}

// position is the epoch of the room's broadcasts.
func (r *Room) position() string {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	return r.epoch
}

// checkPIN checks a joining dancer's PIN at the owner, which keeps the
// guess limits of the session.
func (r *Room) checkPIN(ctx context.Context, pin, ip string) *protocol.Error {
	if r.session().PinHash == "" {
		return nil
	}
	return (&Dancer{r: r}).atOwner(ctx, opPIN, ip, pin, nil, func() *protocol.Error {
		return r.m.checkPIN(ctx, r.session(), pin, ip)
	})
}
