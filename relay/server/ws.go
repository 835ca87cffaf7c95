package server

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/clientaddr"
	"github.com/pikadj/pika/relay/internal/metrics"
	"github.com/pikadj/pika/relay/internal/wsconn"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/shared/protocol"
)

// Per-connection limits of the protocol side; the transport's own timing
// is in wsconn.
const (
	dancerQueue   = 64
	djQueue       = 512
	opTimeout     = 15 * time.Second
	maxViolations = 100 // rate-limited frames in a row before the connection is closed
	// maxConnSessions bounds the sessions one connection subscribes to,
	// and so the client ids it is issued.
	maxConnSessions = 4
)

// Close codes sent to clients.
const (
	closeTakenOver = 4001 // another connection took over the DJ's session
)

// closeNoHello is the reason (with 1008) for a socket closed by its hello
// guard.
const closeNoHello = "no SUBSCRIBE or REGISTER_SESSION in time"

func (s *Server) upgrader() *websocket.Upgrader { return wsconn.Upgrader(s.originAllowed) }

// conn is one client as the protocol sees it: a transport, plus the role
// it took (DJ or dancer) and its rate limit. Only the reading goroutine
// touches the fields below the transport.
type conn struct {
	*wsconn.Conn
	s       *Server
	ip      string
	addrKey string // what its address counts under (limits.go)
	lim     *rate.Limiter
	hello   helloGuard

	dj         *live.DJ
	dancer     *live.Dancer
	stageUnsub func()          // set while the page follows a stage
	clientIDs  []sessionClient // the dancer's id in each session it joined (a slice: one entry costs less than a map)
	violations int
}

// sessionClient is the client id a connection was given in a session.
type sessionClient struct{ session, id string }

// clientIDIn returns the id the connection has in a session.
func (c *conn) clientIDIn(session string) (string, bool) {
	for _, sc := range c.clientIDs {
		if sc.session == session {
			return sc.id, true
		}
	}
	return "", false
}

func (s *Server) serveWS(c echo.Context) error {
	if s.isClosing() {
		return apiRestarting
	}
	// Over a limit the client hears so before the upgrade, as JSON.
	key := clientaddr.FromString(c.RealIP())
	if he := s.admit(key); he != nil {
		return refuse(c, he, retryConnsAfter)
	}
	ws, err := s.upgrader().Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		s.release(key)
		// The upgrader has already answered with the reason.
		return nil
	}
	c.Response().Status = http.StatusSwitchingProtocols
	cn := newConn(s, ws, c.RealIP())
	cn.addrKey = key
	if !s.track(cn) {
		s.release(key)
		cn.Close(websocket.CloseServiceRestart, "relay restarting")
		return nil
	}
	// Read on a fresh goroutine and let this one return: net/http keeps
	// its per-connection buffers (8 KB) and a deep stack alive for as
	// long as the handler runs, which for a WebSocket is hours.
	cn.startHelloGuard(s.cfg.Limits.HelloTimeout)
	go func() {
		defer s.untrack(cn)
		cn.run()
	}()
	return nil
}

func newConn(s *Server, ws *websocket.Conn, ip string) *conn {
	return &conn{
		Conn: wsconn.New(ws, dancerQueue, wireObserver{s.metrics}),
		s:    s, ip: ip, lim: rate.NewLimiter(10, 30),
	}
}

// run reads and dispatches frames until the connection ends, then leaves
// the session.
func (c *conn) run() {
	c.Run(func(text bool, data []byte) {
		if !text {
			c.sendError(wsNotText)
			return
		}
		c.handle(data)
	}, func() {
		c.stopHelloGuard()
		if c.dj != nil {
			c.dj.Leave()
		}
		if c.dancer != nil {
			c.dancer.Leave()
		}
		if c.stageUnsub != nil {
			c.stageUnsub()
		}
	})
}

// Kick implements live.Peer.
func (c *conn) Kick(reason string) { c.Close(closeTakenOver, reason) }

// TokenRevoked implements live.TokenRevoker: the DJ's app learns why
// (an ERROR it can show) and that retrying with this token is pointless.
func (c *conn) TokenRevoked() {
	c.sendError(wsTokenRevoked)
	c.Close(protocol.CloseTokenRevoked, "token revoked")
}

func (c *conn) reply(t protocol.Type, id string, payload any) {
	c.Send(t, protocol.Encode(t, id, payload))
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

// wireObserver counts what the transport writes and drops.
type wireObserver struct{ m *metrics.Metrics }

func (o wireObserver) Wrote(t protocol.Type, broadcastAt time.Time) {
	if !broadcastAt.IsZero() {
		o.m.FanoutSecs.Observe(time.Since(broadcastAt).Seconds())
	}
	o.m.Out(t).Inc()
}

func (o wireObserver) Dropped() { o.m.SlowDropped.Inc() }
