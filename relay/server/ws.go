package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/shared/protocol"
)

// WebSocket tuning. With thousands of mostly idle dancers, per-connection
// memory is what counts: gorilla gets a 1 KB read buffer and, since this
// package writes frames itself, a write buffer only from a shared pool.
const (
	pingEvery     = 25 * time.Second
	pongWait      = 60 * time.Second
	writeWait     = 10 * time.Second
	readLimit     = 64 << 10 // beyond MaxFrameBytes so too_large can be answered
	dancerQueue   = 64
	djQueue       = 512
	opTimeout     = 15 * time.Second
	closeGrace    = 2 * time.Second // for a close frame to get out
	maxViolations = 100             // rate-limited frames in a row before the connection is closed
)

// Close codes sent to clients.
const (
	closeTakenOver = 4001 // another connection took over the DJ's session
)

var writeBufferPool sync.Pool

func (s *Server) upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &writeBufferPool,
		CheckOrigin:      s.originAllowed,
	}
}

type queued struct {
	frame []byte        // a complete WebSocket frame
	msg   *hub.Message  // set for broadcasts, for the fan-out latency
	typ   protocol.Type // "" for control frames
	last  bool          // close the connection once this is written
}

// conn is one WebSocket client. Gorilla reads (and did the handshake);
// writes bypass it. A frame for a connection with nothing queued is
// written at once without blocking; otherwise it is queued, and a writer
// goroutine, which exists only while there is something to send, writes
// everything queued with one writev. A broadcast is framed once for all
// connections; an idle connection costs one goroutine.
type conn struct {
	s   *Server
	ws  *websocket.Conn
	ip  string
	lim *rate.Limiter

	raw syscall.RawConn // the socket, for non-blocking writes; nil if unavailable

	mu       sync.Mutex
	queue    []queued
	maxQueue int
	writing  bool
	held     bool // SESSION_STATE not sent yet: broadcasts wait
	closing  bool // a close frame is queued: nothing more is
	closed   bool
	ping     *time.Timer

	// Used only by the reading goroutine.
	dj         *live.DJ
	dancer     *live.Dancer
	violations int
}

func (s *Server) serveWS(c echo.Context) error {
	if s.isClosing() {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "the relay is restarting")
	}
	ws, err := s.upgrader().Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		// The upgrader has already answered with the reason.
		return nil
	}
	c.Response().Status = http.StatusSwitchingProtocols
	cn := newConn(s, ws, c.RealIP())
	if !s.track(cn) {
		cn.closeWith(websocket.CloseServiceRestart, "relay restarting")
		return nil
	}
	// Read on a fresh goroutine and let this one return: net/http keeps
	// its per-connection buffers (8 KB) and a deep stack alive for as
	// long as the handler runs, which for a WebSocket is hours.
	go func() {
		defer s.untrack(cn)
		cn.run()
	}()
	return nil
}

func newConn(s *Server, ws *websocket.Conn, ip string) *conn {
	c := &conn{s: s, ws: ws, ip: ip, lim: rate.NewLimiter(10, 30), maxQueue: dancerQueue}
	if sc, ok := ws.NetConn().(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	return c
}

func (c *conn) run() {
	c.ws.SetReadLimit(readLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	// Gorilla would answer pings and close frames by writing on its own;
	// they go through the queue instead so no two writes interleave.
	c.ws.SetPingHandler(func(data string) error {
		c.control(hub.OpPong, []byte(data), false)
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})
	c.ws.SetCloseHandler(func(code int, _ string) error {
		c.control(hub.OpClose, websocket.FormatCloseMessage(code, ""), true)
		return nil
	})
	c.mu.Lock()
	c.ping = time.AfterFunc(pingEvery, c.sendPing)
	c.mu.Unlock()
	defer c.cleanup()
	for {
		mt, data, err := c.ws.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			// Gorilla has sent close 1009. Swallow the rest of the frame
			// for a moment, so the client reads that close rather than a
			// reset caused by unread data.
			c.mu.Lock()
			c.closing = true
			c.mu.Unlock()
			nc := c.ws.NetConn()
			_ = nc.SetReadDeadline(time.Now().Add(closeGrace))
			_, _ = io.CopyN(io.Discard, nc, 4*readLimit)
		}
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		if mt != websocket.TextMessage {
			c.sendError(&protocol.Error{Code: protocol.CodeBadRequest, Message: "frames are JSON text"})
			continue
		}
		c.handle(data)
	}
}

// cleanup runs when reading ends: leave the session, and close the socket
// once a pending close frame is out (or at once).
func (c *conn) cleanup() {
	c.mu.Lock()
	if c.ping != nil {
		c.ping.Stop()
	}
	flushing := c.closing && c.writing && !c.closed
	if !flushing {
		c.closed = true
	}
	c.mu.Unlock()
	if c.dj != nil {
		c.dj.Leave()
	}
	if c.dancer != nil {
		c.dancer.Leave()
	}
	if flushing {
		time.AfterFunc(closeGrace, c.forceClose)
		return
	}
	c.ws.Close()
}

func (c *conn) sendPing() {
	c.control(hub.OpPing, nil, false)
	c.mu.Lock()
	if !c.closed && !c.closing {
		c.ping.Reset(pingEvery)
	}
	c.mu.Unlock()
}

// Deliver implements hub.Subscriber: queue without blocking; a client too
// slow to keep up with its queue is dropped instead of holding up others.
func (c *conn) Deliver(m *hub.Message) { c.enqueue(queued{frame: m.Frame(), msg: m, typ: m.Type}) }

// Kick implements live.Peer.
func (c *conn) Kick(reason string) { c.closeWith(closeTakenOver, reason) }

func (c *conn) enqueue(q queued) {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= c.maxQueue {
		// Its buffers are full: no close frame could get through either.
		c.closed = true
		c.mu.Unlock()
		c.s.metrics.SlowDropped.Inc()
		c.ws.Close()
		return
	}
	if !c.writing && !c.held && len(c.queue) == 0 {
		// Fast path: nothing is waiting, so try the socket right here,
		// without blocking. A fan-out to thousands of idle dancers then
		// costs one non-blocking write each and no goroutine.
		n, err := c.tryWrite(q.frame)
		if err != nil {
			c.closed = true
			c.mu.Unlock()
			c.ws.Close()
			return
		}
		if n == len(q.frame) {
			c.mu.Unlock()
			c.sent(q, time.Now())
			return
		}
		// The socket took part of it (or none): the writer sends the rest
		// first. A broadcast's frame is shared, so slice, never modify.
		q.frame = q.frame[n:]
	}
	c.queue = append(c.queue, q)
	c.startWriter()
	c.mu.Unlock()
}

// tryWrite writes b to the socket without blocking and returns how much it
// took; 0 when its buffer is full. c.mu is held and no writer runs.
func (c *conn) tryWrite(b []byte) (int, error) {
	if c.raw == nil {
		return 0, nil
	}
	var (
		n    int
		werr error
	)
	if err := c.raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), b)
		return true // one attempt: never wait for the socket
	}); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, nil // a writer's old deadline: let the writer go
		}
		return 0, err
	}
	switch {
	case werr == syscall.EAGAIN || werr == syscall.EINTR:
		return 0, nil
	case werr != nil:
		return 0, werr
	case n < 0:
		return 0, nil
	}
	return n, nil
}

// sent counts a frame written.
func (c *conn) sent(q queued, now time.Time) {
	if q.msg != nil {
		c.s.metrics.FanoutSecs.Observe(now.Sub(q.msg.Created).Seconds())
	}
	if q.typ != "" {
		c.s.metrics.Out(q.typ).Inc()
	}
}

// control queues a control frame; last marks a close frame, after which
// the connection takes nothing more.
func (c *conn) control(op byte, payload []byte, last bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.closing {
		return
	}
	c.closing = last
	c.queue = append(c.queue, queued{frame: hub.AppendFrame(nil, op, payload), last: last})
	c.startWriter()
}

// startWriter starts the writer goroutine if needed; c.mu is held.
func (c *conn) startWriter() {
	if !c.writing && len(c.queue) > 0 && (!c.held || c.closing) {
		c.writing = true
		go c.drain()
	}
}

func (c *conn) drain() {
	nc := c.ws.NetConn()
	for {
		c.mu.Lock()
		if c.closed || len(c.queue) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		bufs := make(net.Buffers, len(batch))
		last := false
		for i, q := range batch {
			bufs[i] = q.frame
			last = last || q.last
		}
		_ = nc.SetWriteDeadline(time.Now().Add(writeWait))
		_, err := bufs.WriteTo(nc)
		_ = nc.SetWriteDeadline(time.Time{}) // the fast path must not see it
		if err != nil {
			c.mu.Lock()
			c.closed, c.writing = true, false
			c.mu.Unlock()
			c.ws.Close()
			return
		}
		now := time.Now()
		for _, q := range batch {
			c.sent(q, now)
		}
		if last {
			c.forceClose()
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			return
		}
	}
}

// closeWith queues a close frame and closes the connection once it is
// written, or after closeGrace if the client does not take it.
func (c *conn) closeWith(code int, reason string) {
	c.control(hub.OpClose, websocket.FormatCloseMessage(code, reason), true)
	time.AfterFunc(closeGrace, c.forceClose)
}

func (c *conn) forceClose() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.ws.Close()
}

func (c *conn) reply(t protocol.Type, id string, payload any) {
	c.enqueue(queued{frame: hub.AppendFrame(nil, hub.OpText, protocol.Encode(t, id, payload)), typ: t})
}

func (c *conn) ack(id string) { c.reply(protocol.TypeAck, id, protocol.Ack{ID: id}) }

func (c *conn) sendError(e *protocol.Error) {
	c.s.metrics.Errors.WithLabelValues(string(e.Code)).Inc()
	c.reply(protocol.TypeError, e.ID, e)
}

func (c *conn) fail(id string, e *protocol.Error) {
	out := *e
	out.ID = id
	c.sendError(&out)
}

// hold makes broadcasts wait until sendFirst; the reply it sends goes out
// before them.
func (c *conn) hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

func (c *conn) release(first []byte, t protocol.Type) {
	c.mu.Lock()
	if first != nil && !c.closed && !c.closing {
		q := queued{frame: hub.AppendFrame(nil, hub.OpText, first), typ: t}
		c.queue = append([]queued{q}, c.queue...)
	}
	c.held = false
	c.startWriter()
	c.mu.Unlock()
}

func (c *conn) handle(data []byte) {
	env, payload, perr := protocol.Decode(data)
	// Invalid frames count against the limit too: answering them costs.
	if c.lim.Allow() {
		c.violations = 0
	} else {
		c.violations++
		if c.violations > maxViolations {
			c.closeWith(websocket.ClosePolicyViolation, "too many messages")
			return
		}
		c.fail(env.ID, &protocol.Error{Code: protocol.CodeRateLimited, Message: "too many messages; slow down"})
		return
	}
	if perr != nil {
		c.s.metrics.MessagesIn.WithLabelValues("invalid").Inc()
		c.sendError(perr)
		return
	}
	c.s.metrics.In(env.Type).Inc()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	var pe *protocol.Error
	switch p := payload.(type) {
	case *protocol.RegisterSession:
		c.register(ctx, env.ID, p)
		return
	case *protocol.Subscribe:
		c.subscribe(ctx, env.ID, p)
		return
	case *protocol.NowPlaying:
		if pe = c.asDJ(); pe == nil {
			pe = c.dj.NowPlaying(ctx, p)
		}
	case *protocol.StartPoll:
		if pe = c.asDJ(); pe == nil {
			pe = c.dj.StartPoll(ctx, p)
		}
	case *protocol.ClosePoll:
		if pe = c.asDJ(); pe == nil {
			pe = c.dj.ClosePoll(ctx, p)
		}
	case *protocol.Announce:
		if pe = c.asDJ(); pe == nil {
			pe = c.dj.Announce(ctx, p)
		}
	case *protocol.Empty:
		if pe = c.asDJ(); pe == nil {
			if env.Type == protocol.TypeEndSession {
				pe = c.dj.End(ctx)
			} else {
				pe = c.dj.ClearAnnouncement(ctx)
			}
		}
	case *protocol.Like:
		if pe = c.asDancer(); pe == nil {
			if env.Type == protocol.TypeUnlike {
				pe = c.dancer.Unlike(ctx, p.PlayID)
			} else {
				pe = c.dancer.Like(ctx, p.PlayID)
			}
		}
	case *protocol.TempoVote:
		if pe = c.asDancer(); pe == nil {
			pe = c.dancer.TempoVote(ctx, p)
		}
	case *protocol.PollVote:
		if pe = c.asDancer(); pe == nil {
			pe = c.dancer.PollVote(ctx, p)
		}
	default:
		pe = &protocol.Error{Code: protocol.CodeBadRequest, Message: "unsupported message"}
	}
	if pe != nil {
		c.fail(env.ID, pe)
		return
	}
	c.ack(env.ID)
}

func (c *conn) asDJ() *protocol.Error {
	switch {
	case c.dj != nil:
		return nil
	case c.dancer != nil:
		return &protocol.Error{Code: protocol.CodeForbidden, Message: "only the session's DJ can do that"}
	}
	return &protocol.Error{Code: protocol.CodeUnauthorized, Message: "send REGISTER_SESSION with a DJ token first"}
}

func (c *conn) asDancer() *protocol.Error {
	switch {
	case c.dancer != nil:
		return nil
	case c.dj != nil:
		return &protocol.Error{Code: protocol.CodeForbidden, Message: "the DJ's connection cannot like or vote"}
	}
	return &protocol.Error{Code: protocol.CodeBadRequest, Message: "send SUBSCRIBE first"}
}

func (c *conn) register(ctx context.Context, id string, p *protocol.RegisterSession) {
	if c.dancer != nil {
		c.fail(id, &protocol.Error{Code: protocol.CodeForbidden, Message: "this connection is a dancer's"})
		return
	}
	if !auth.LooksLikeToken(p.Token) {
		c.fail(id, &protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown or revoked token"})
		return
	}
	dj, _, err := c.s.authenticate(ctx, p.Token)
	if err != nil {
		if he, ok := err.(*echo.HTTPError); ok && he.Code == http.StatusUnauthorized {
			c.fail(id, &protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown or revoked token"})
			return
		}
		c.s.log.Error("token check failed", "err", err)
		c.fail(id, &protocol.Error{Code: protocol.CodeInternalError, Message: "could not check the token; try again"})
		return
	}
	if c.dj != nil {
		// A connection runs one session at a time; moving on from one that
		// ended or resuming another is fine.
		c.dj.Leave()
		c.dj = nil
	}
	d, reg, pe := c.s.live.Register(ctx, c, dj, p)
	if pe != nil {
		c.fail(id, pe)
		return
	}
	c.dj = d
	c.mu.Lock()
	c.maxQueue = djQueue
	c.mu.Unlock()
	// A DJ's app may flush an offline queue of plays at once.
	c.lim = rate.NewLimiter(50, 200)
	c.reply(protocol.TypeSessionRegistered, id, reg)
	// A resuming DJ learns at once how many dancers stayed.
	c.reply(protocol.TypeListenerCount, "", protocol.ListenerCount{Count: c.s.live.Listeners(reg.SessionID)})
}

func (c *conn) subscribe(ctx context.Context, id string, p *protocol.Subscribe) {
	if c.dj != nil {
		c.fail(id, &protocol.Error{Code: protocol.CodeForbidden, Message: "this connection is the DJ's"})
		return
	}
	if c.dancer != nil {
		c.dancer.Leave()
		c.dancer = nil
	}
	c.hold()
	d, st, pe := c.s.live.Subscribe(ctx, c, p, c.ip)
	if pe != nil {
		c.release(nil, "")
		c.fail(id, pe)
		return
	}
	c.dancer = d
	c.release(protocol.Encode(protocol.TypeSessionState, id, st), protocol.TypeSessionState)
}
