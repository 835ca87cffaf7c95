package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

// What a mirror asks a session's owner (owner.go), over hub.Owners.
const (
	opLike      = "like"
	opUnlike    = "unlike"
	opTempo     = "tempo-vote"
	opPollVote  = "poll-vote"
	opSearch    = "search"
	opRequest   = "request"
	opMyRequest = "my-request"
	opState     = "state"     // a joining dancer's SESSION_STATE
	opPIN       = "pin"       // a joining dancer's PIN, against the owner's guess limits
	opDancers   = "dancers"   // the mirror's dancers, for the count
	opYield     = "yield"     // the DJ is on the asking relay
	opBroadcast = "broadcast" // an organizers' announcement, for the owner to number
	opPing      = "ping"      // is the owner alive?
)

type fwdRequest struct {
	Op     string          `json:"op"`
	Client string          `json:"client,omitempty"` // the dancer's client id
	Addr   string          `json:"addr,omitempty"`   // the dancer's address, for rate limits
	Relay  string          `json:"relay,omitempty"`  // the asking relay
	Body   json.RawMessage `json:"body,omitempty"`
}

type fwdReply struct {
	NotOwner bool            `json:"notOwner,omitempty"`
	Err      *protocol.Error `json:"err,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
}

// errNotOwner: the relay asked no longer owns the session.
var errNotOwner = errors.New("not the owner")

// ask sends req to the session's owner and decodes its answer into out.
// It returns errNotOwner or hub.ErrNoOwner when the owner is changing, the
// owner's refusal as a *protocol.Error in pe.
func (m *Manager) ask(ctx context.Context, id string, req fwdRequest, out any) (pe *protocol.Error, err error) {
	data, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode %s for the owner: %w", req.Op, err)
	}
	raw, err := m.cfg.Owners.Ask(ctx, id, data)
	if err != nil {
		return nil, err
	}
	var rep fwdReply
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, fmt.Errorf("the owner's answer to %s: %w", req.Op, err)
	}
	switch {
	case rep.NotOwner:
		return nil, errNotOwner
	case rep.Err != nil:
		return rep.Err, nil
	case out != nil:
		if err := json.Unmarshal(rep.Body, out); err != nil {
			return nil, fmt.Errorf("the owner's answer to %s: %w", req.Op, err)
		}
	}
	return nil, nil
}

// atOwner applies a dancer's write here when this relay owns the session,
// else has the owner apply it. When no owner answers (it died), the
// session is taken over here once its lease has run out, and the write
// applied here then.
func (d *Dancer) atOwner(ctx context.Context, op string, addr string, body, out any, local func() *protocol.Error) *protocol.Error {
	r := d.r
	req := fwdRequest{Op: op, Client: d.clientID, Addr: addr, Relay: r.m.relayID}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return errInternal
		}
		req.Body = b
	}
	silent := 0
	for {
		if r.isOwner() {
			return local()
		}
		if r.isEnded() {
			return errEnded
		}
		pe, err := r.m.ask(ctx, r.id, req, out)
		switch {
		case err == nil:
			return pe
		case errors.Is(err, errNotOwner), errors.Is(err, hub.ErrNoOwner), errors.Is(err, hub.ErrOwnerSilent):
			owned, cerr := r.m.claim(ctx, r.id)
			if cerr != nil {
				return r.m.storeErr("take the session over", cerr)
			}
			if owned {
				if err := r.promote(ctx); err != nil {
					return r.m.storeErr("load session", err)
				}
				continue
			}
			if errors.Is(err, hub.ErrOwnerSilent) && r.m.ownerAlive(ctx, r.id) {
				// An owner answers: a new one (asked once more), or a
				// busy one, which asking again and again would only
				// load further: then the client retries.
				if silent++; silent > 1 {
					return errMoving
				}
				continue
			}
			if pe := waitRetry(ctx); pe != nil {
				return pe
			}
		default:
			r.m.log.Error("forwarding a dancer's write to the session's owner failed", "session", r.id, "op", op, "err", err)
			return errMoving
		}
	}
}

// ownerAlive asks the owner that did not answer a request whether it is
// there at all: a relay killed with the request in hand does not answer
// this either (NATS may still route to it for a moment), a busy one does.
func (m *Manager) ownerAlive(ctx context.Context, id string) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := m.ask(ctx, id, fwdRequest{Op: opPing, Relay: m.relayID}, nil)
	return err == nil
}

// answer serves the other relays' requests for a session this relay owns.
func (m *Manager) answer(id string) func(ctx context.Context, data []byte) []byte {
	return func(ctx context.Context, data []byte) []byte {
		rep := m.apply(ctx, id, data)
		out, err := json.Marshal(rep)
		if err != nil {
			out, _ = json.Marshal(fwdReply{Err: errInternal})
		}
		return out
	}
}

func (m *Manager) apply(ctx context.Context, id string, data []byte) fwdReply {
	var req fwdRequest
	if err := json.Unmarshal(data, &req); err != nil {
		m.log.Warn("request from another relay not understood", "session", id, "err", err)
		return fwdReply{Err: errInternal}
	}
	m.mu.Lock()
	r := m.rooms[id]
	m.mu.Unlock()
	if r == nil || !r.isOwner() {
		return fwdReply{NotOwner: true}
	}
	h, ok := ownerOps[req.Op]
	if !ok {
		m.log.Warn("request from another relay not understood", "session", id, "op", req.Op)
		return fwdReply{Err: errInternal}
	}
	d := &Dancer{r: r, clientID: req.Client}
	out, pe := h(ctx, d, req)
	if pe != nil {
		return fwdReply{Err: pe}
	}
	if out == nil {
		return fwdReply{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fwdReply{Err: errInternal}
	}
	return fwdReply{Body: b}
}

// ownerOps apply what a mirror forwards; d is the dancer it came from
// (with no connection here).
var ownerOps = map[string]func(ctx context.Context, d *Dancer, req fwdRequest) (any, *protocol.Error){
	opLike: withBody(func(ctx context.Context, d *Dancer, _ fwdRequest, id *string) (any, *protocol.Error) {
		return nil, d.like(ctx, *id)
	}),
	opUnlike: withBody(func(ctx context.Context, d *Dancer, _ fwdRequest, id *string) (any, *protocol.Error) {
		return nil, d.unlike(ctx, *id)
	}),
	opTempo: withBody(func(ctx context.Context, d *Dancer, _ fwdRequest, tv *protocol.TempoVote) (any, *protocol.Error) {
		return nil, d.tempoVote(ctx, tv)
	}),
	opPollVote: withBody(func(ctx context.Context, d *Dancer, _ fwdRequest, pv *protocol.PollVote) (any, *protocol.Error) {
		return nil, d.pollVote(ctx, pv)
	}),
	opSearch: withBody(func(ctx context.Context, d *Dancer, req fwdRequest, q *protocol.SearchCatalogue) (any, *protocol.Error) {
		res, pe := d.search(ctx, req.Addr, q)
		if pe != nil {
			return nil, pe
		}
		return res, nil
	}),
	opRequest: withBody(func(ctx context.Context, d *Dancer, req fwdRequest, p *protocol.RequestTrack) (any, *protocol.Error) {
		return nil, d.request(ctx, req.Addr, p)
	}),
	opMyRequest: func(ctx context.Context, d *Dancer, _ fwdRequest) (any, *protocol.Error) {
		return d.myRequest(ctx), nil
	},
	opState: func(ctx context.Context, d *Dancer, _ fwdRequest) (any, *protocol.Error) {
		st, pe := d.r.joinState(ctx, d.clientID)
		if pe != nil {
			return nil, pe
		}
		return st, nil
	},
	opPIN: withBody(func(ctx context.Context, d *Dancer, req fwdRequest, pin *string) (any, *protocol.Error) {
		return nil, d.r.m.checkPIN(ctx, d.r.session(), *pin, req.Addr)
	}),
	opDancers: withBody(func(_ context.Context, d *Dancer, req fwdRequest, ids *[]string) (any, *protocol.Error) {
		d.r.setRemote(req.Relay, *ids, time.Now())
		return nil, nil
	}),
	opBroadcast: withBody(func(_ context.Context, d *Dancer, _ fwdRequest, b *relayed) (any, *protocol.Error) {
		switch b.Type {
		case protocol.TypeEventAnnouncement, protocol.TypeEventAnnouncementCleared:
			d.r.publish(b.Type, b.Payload)
			return nil, nil
		}
		return nil, errInternal
	}),
	opPing: func(context.Context, *Dancer, fwdRequest) (any, *protocol.Error) { return nil, nil },
	opYield: func(ctx context.Context, d *Dancer, req fwdRequest) (any, *protocol.Error) {
		return nil, d.r.m.yield(ctx, d.r, req.Relay)
	},
}

// withBody decodes a request's body as a P for f.
func withBody[P any](f func(context.Context, *Dancer, fwdRequest, *P) (any, *protocol.Error)) func(context.Context, *Dancer, fwdRequest) (any, *protocol.Error) {
	return func(ctx context.Context, d *Dancer, req fwdRequest) (any, *protocol.Error) {
		var p P
		if err := json.Unmarshal(req.Body, &p); err != nil {
			return nil, errInternal
		}
		return f(ctx, d, req, &p)
	}
}

// reportDancers tells the owner which dancers this mirror has, so each is
// counted once wherever connected.
func (r *Room) reportDancers(ctx context.Context) {
	r.mu.Lock()
	ids := make([]string, 0, len(r.listeners))
	for id := range r.listeners {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	if _, err := r.m.ask(ctx, r.id, fwdRequest{Op: opDancers, Relay: r.m.relayID, Body: mustJSON(ids)}, nil); err != nil &&
		!errors.Is(err, errNotOwner) && !errors.Is(err, hub.ErrNoOwner) && !errors.Is(err, hub.ErrOwnerSilent) && !errors.Is(err, context.Canceled) {
		r.m.log.Warn("reporting dancers to the session's owner failed", "session", r.id, "err", err)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// setRemote records another relay's dancers.
func (r *Room) setRemote(relay string, ids []string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.remote == nil {
		r.remote = map[string]remoteDancers{}
	}
	if len(ids) == 0 {
		delete(r.remote, relay)
	} else {
		r.remote[relay] = remoteDancers{ids: ids, at: at}
	}
	r.dirtyListeners = true
	r.scheduleFlush()
}

// pruneRemote forgets reports older than before (a relay that died).
func (r *Room) pruneRemote(before time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for relay, rd := range r.remote {
		if rd.at.Before(before) {
			delete(r.remote, relay)
			r.dirtyListeners = true
			r.scheduleFlush()
		}
	}
}

// dancersLocked counts the session's dancers, each once, on this relay
// and those that reported; r.mu is held.
func (r *Room) dancersLocked() int {
	if len(r.remote) == 0 {
		return len(r.listeners)
	}
	seen := make(map[string]struct{}, len(r.listeners))
	for id := range r.listeners {
		seen[id] = struct{}{}
	}
	for _, rd := range r.remote {
		for _, id := range rd.ids {
			seen[id] = struct{}{}
		}
	}
	return len(seen)
}
