package server

import (
	"context"
	"errors"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/shared/protocol"
)

func (c *conn) handle(data []byte) {
	env, payload, perr := protocol.Decode(data)
	// Invalid frames count against the limit too: answering them costs.
	if c.lim.Allow() {
		c.violations = 0
	} else {
		c.violations++
		if c.violations > maxViolations {
			c.Close(websocket.ClosePolicyViolation, "too many messages")
			return
		}
		c.fail(env.ID, wsTooMany)
		return
	}
	if perr != nil {
		c.s.metrics.MessagesIn.WithLabelValues("invalid").Inc()
		c.sendError(perr)
		return
	}
	c.s.metrics.In(env.Type).Inc()
	h, ok := handlers[env.Type]
	if !ok {
		c.fail(env.ID, wsUnsupported)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if h.answers != nil {
		h.answers(c, ctx, env.ID, payload)
		return
	}
	pe := h.role(c)
	if pe == nil {
		pe = h.apply(c, ctx, payload)
	}
	if pe != nil {
		c.fail(env.ID, pe)
		return
	}
	c.ack(env.ID)
}

// handler is what one client message type does. Most are commands of one
// role, applied and then acknowledged; REGISTER_SESSION and SUBSCRIBE
// answer themselves.
type handler struct {
	role    func(*conn) *protocol.Error // nil when the connection may send it
	apply   func(c *conn, ctx context.Context, payload any) *protocol.Error
	answers func(c *conn, ctx context.Context, id string, payload any)
}

// handlers maps every client message type to its handler; a type that
// protocol.Decode accepts but is missing here is "unsupported".
var handlers = map[protocol.Type]handler{
	protocol.TypeRegisterSession: answers((*conn).register),
	protocol.TypeSubscribe:       answers((*conn).subscribe),
	protocol.TypeSubscribeStage:  answers((*conn).subscribeStage),

	protocol.TypeNowPlaying: forDJ((*live.DJ).NowPlaying),
	protocol.TypeStartPoll:  forDJ((*live.DJ).StartPoll),
	protocol.TypeClosePoll:  forDJ((*live.DJ).ClosePoll),
	protocol.TypeAnnounce:   forDJ((*live.DJ).Announce),
	protocol.TypeClearAnnouncement: forDJ(func(d *live.DJ, ctx context.Context, _ *protocol.Empty) *protocol.Error {
		return d.ClearAnnouncement(ctx)
	}),
	protocol.TypeEndSession: forDJ(func(d *live.DJ, ctx context.Context, _ *protocol.Empty) *protocol.Error {
		return d.End(ctx)
	}),
	protocol.TypeHandOver: forDJ((*live.DJ).HandOver),
	protocol.TypeSetPIN:   forDJ((*live.DJ).SetPIN),

	protocol.TypeLike: forDancer(func(d *live.Dancer, ctx context.Context, p *protocol.Like) *protocol.Error {
		return d.Like(ctx, p.PlayID)
	}),
	protocol.TypeUnlike: forDancer(func(d *live.Dancer, ctx context.Context, p *protocol.Like) *protocol.Error {
		return d.Unlike(ctx, p.PlayID)
	}),
	protocol.TypeTempoVote: forDancer((*live.Dancer).TempoVote),
	protocol.TypePollVote:  forDancer((*live.Dancer).PollVote),

	// Requests (requests.go).
	protocol.TypeRequestSettings: forDJ((*live.DJ).RequestSettings),
	protocol.TypeCatalogue:       forDJ((*live.DJ).Catalogue),
	protocol.TypeAnswerRequest:   forDJ((*live.DJ).AnswerRequest),
	protocol.TypeSearchCatalogue: answers((*conn).searchCatalogue),
	protocol.TypeRequestTrack:    {role: (*conn).asDancer, apply: (*conn).requestTrack},
}

// forDJ is a command of the session's DJ with payload P.
func forDJ[P any](f func(*live.DJ, context.Context, *P) *protocol.Error) handler {
	return handler{role: (*conn).asDJ, apply: func(c *conn, ctx context.Context, p any) *protocol.Error { return f(c.dj, ctx, p.(*P)) }}
}

// forDancer is a dancer's reaction with payload P.
func forDancer[P any](f func(*live.Dancer, context.Context, *P) *protocol.Error) handler {
	return handler{role: (*conn).asDancer, apply: func(c *conn, ctx context.Context, p any) *protocol.Error { return f(c.dancer, ctx, p.(*P)) }}
}

// answers is a message whose handler sends its own reply.
func answers[P any](f func(*conn, context.Context, string, *P)) handler {
	return handler{answers: func(c *conn, ctx context.Context, id string, p any) { f(c, ctx, id, p.(*P)) }}
}

func (c *conn) asDJ() *protocol.Error {
	switch {
	case c.dj != nil:
		return nil
	case c.dancer != nil:
		return wsOnlyDJ
	}
	return wsRegisterFirst
}

func (c *conn) asDancer() *protocol.Error {
	switch {
	case c.dancer != nil:
		return nil
	case c.dj != nil:
		return wsDJCannotReact
	}
	return wsSubscribeFirst
}

func (c *conn) register(ctx context.Context, id string, p *protocol.RegisterSession) {
	c.answering()
	defer c.answered()
	if c.dancer != nil {
		c.fail(id, wsIsDancers)
		return
	}
	if !auth.LooksLikeToken(p.Token) {
		c.fail(id, wsUnknownToken)
		return
	}
	dj, tok, err := c.s.authenticate(ctx, p.Token)
	if err != nil {
		if errors.Is(err, errUnknownToken) {
			c.fail(id, wsUnknownToken)
			return
		}
		c.s.log.Error("token check failed", "err", err)
		c.fail(id, wsTokenCheck)
		return
	}
	if !c.s.regLim.Allow(dj.ID) {
		c.fail(id, wsTooManyRegs)
		return
	}
	if c.dj != nil {
		// A connection runs one session at a time; moving on from one that
		// ended or resuming another is fine.
		c.dj.Leave()
		c.dj = nil
	}
	// What a resuming app missed is queued while registering: it goes
	// after SESSION_REGISTERED.
	c.Hold()
	d, reg, pe := c.s.live.Register(ctx, c, dj, p)
	if pe != nil {
		c.Release(nil, "")
		c.fail(id, pe)
		return
	}
	c.dj = d
	// Revoking the token closes this connection.
	c.s.live.HoldToken(ctx, d, tok.ID)
	c.greeted()
	c.SetMaxQueue(djQueue)
	// A DJ's app may flush an offline queue of plays at once.
	c.lim = rate.NewLimiter(50, 200)
	c.Release(protocol.Encode(protocol.TypeSessionRegistered, id, reg), protocol.TypeSessionRegistered)
	if reg.Resumed && !reg.CaughtUp {
		if st, pe := d.State(ctx); pe == nil {
			c.reply(protocol.TypeSessionState, "", st)
		}
	}
	// A resuming DJ learns at once how many dancers stayed.
	c.reply(protocol.TypeListenerCount, "", protocol.ListenerCount{Count: c.s.live.Listeners(reg.SessionID)})
	// …and whether someone is guessing the PIN.
	d.SendPINGuesses()
	// …and the requests waiting.
	d.SendRequestQueue(ctx)
}

// subscribeStage has a page follow a stage; it may also be subscribed to
// the stage's live set, on the same connection.
func (c *conn) subscribeStage(ctx context.Context, id string, p *protocol.SubscribeStage) {
	if c.dj != nil {
		c.fail(id, wsIsDJs)
		return
	}
	if c.stageUnsub != nil {
		c.stageUnsub()
		c.stageUnsub = nil
	}
	c.Hold()
	unsub, info, pe := c.s.live.SubscribeStage(ctx, c, p.Slug)
	if pe != nil {
		c.Release(nil, "")
		c.fail(id, pe)
		return
	}
	c.stageUnsub = unsub
	c.Release(protocol.Encode(protocol.TypeStageState, id, info), protocol.TypeStageState)
}

func (c *conn) subscribe(ctx context.Context, id string, p *protocol.Subscribe) {
	c.answering()
	defer c.answered()
	if c.dj != nil {
		c.fail(id, wsIsDJs)
		return
	}
	if c.dancer != nil {
		c.dancer.Leave()
		c.dancer = nil
	}
	// One connection is one dancer: after its first SUBSCRIBE to a
	// session it keeps the client id it was given there, whatever it
	// sends, so re-subscribing cannot mint fresh ids.
	known := false
	if cid, ok := c.clientIDIn(p.SessionID); ok {
		known = true
		p.ClientID = cid
	} else if len(c.clientIDs) >= maxConnSessions {
		c.fail(id, wsTooManySessions)
		return
	}
	c.Hold()
	d, st, caught, pe := c.s.live.Subscribe(ctx, c, p, c.ip)
	if pe != nil {
		c.Release(nil, "")
		c.fail(id, pe)
		return
	}
	c.dancer = d
	c.greeted()
	if !known {
		c.clientIDs = append(c.clientIDs, sessionClient{p.SessionID, d.ClientID()})
	}
	if caught != nil {
		// The broadcasts the page missed are queued already: this goes
		// first.
		c.Release(protocol.Encode(protocol.TypeCaughtUp, id, caught), protocol.TypeCaughtUp)
	} else {
		c.Release(protocol.Encode(protocol.TypeSessionState, id, st), protocol.TypeSessionState)
	}
	if mine := d.MyRequest(ctx); mine != nil {
		c.reply(protocol.TypeMyRequest, "", mine)
	}
}
