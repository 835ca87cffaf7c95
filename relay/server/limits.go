package server

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/clientaddr"
)

// Limits bound what one address, one DJ account and everyone together can
// hold or ask of the relay. Zero values get the defaults below.
type Limits struct {
	// ConnsPerAddr caps open WebSockets per client address (IPv6: per
	// /64). A venue's dancers often share one address behind its NAT, so
	// the default is generous: 500.
	ConnsPerAddr int
	// Conns caps open WebSockets in total (default 20,000).
	Conns int
	// HelloTimeout is how long a new socket may stay without subscribing
	// or registering before it is closed (default 10 s).
	HelloTimeout time.Duration
	// ReadRate and ReadBurst limit anonymous REST reads (/api/sessions,
	// /state, /plays, /recap) per address: by default a burst of 300, a
	// room reloading at once, then 50 per second (500 phones behind one
	// NAT polling a page every 15 s ask 33).
	ReadRate  rate.Limit
	ReadBurst int
	// RegisterRate and RegisterBurst limit REGISTER_SESSION per DJ
	// account: by default 20, then one every 3 s (a DJ app reconnecting
	// on a bad network resumes far less often).
	RegisterRate  rate.Limit
	RegisterBurst int
}

func (l *Limits) defaults() {
	if l.ConnsPerAddr == 0 {
		l.ConnsPerAddr = 500
	}
	if l.Conns == 0 {
		l.Conns = 20000
	}
	if l.HelloTimeout == 0 {
		l.HelloTimeout = 10 * time.Second
	}
	if l.ReadRate == 0 {
		l.ReadRate = 50
	}
	if l.ReadBurst == 0 {
		l.ReadBurst = 300
	}
	if l.RegisterRate == 0 {
		l.RegisterRate = rate.Every(3 * time.Second)
	}
	if l.RegisterBurst == 0 {
		l.RegisterBurst = 20
	}
}

// retryConnsAfter is the Retry-After of a refused WebSocket: connections
// free up as dancers leave, so soon.
const retryConnsAfter = 30 * time.Second

// admit reserves a WebSocket slot for an address key before the upgrade,
// or says why not. release gives it back.
func (s *Server) admit(key string) *echo.HTTPError {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	switch {
	case s.connTotal >= s.cfg.Limits.Conns:
		s.metrics.Errors.WithLabelValues("conn_limit_total").Inc()
		return apiTooManyConns
	case s.connByAddr[key] >= s.cfg.Limits.ConnsPerAddr:
		s.metrics.Errors.WithLabelValues("conn_limit_addr").Inc()
		return apiTooManyConnsAddr
	}
	s.connTotal++
	s.connByAddr[key]++
	return nil
}

func (s *Server) release(key string) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	s.connTotal--
	if s.connByAddr[key]--; s.connByAddr[key] <= 0 {
		delete(s.connByAddr, key)
	}
}

// refuse answers a request over a limit with its JSON error and when to
// come back.
func refuse(c echo.Context, e *echo.HTTPError, after time.Duration) error {
	c.Response().Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
	return e
}

// limitReads rate limits anonymous REST reads per client address.
func (s *Server) limitReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.readLim.Allow(clientaddr.FromString(c.RealIP())) {
			return refuse(c, apiTooManyReads, time.Duration(float64(time.Second)/float64(s.cfg.Limits.ReadRate)))
		}
		return next(c)
	}
}

// helloGuard closes a socket that neither subscribes nor registers in
// time: an idle socket holds a slot of its address and of the relay.
type helloGuard struct {
	done  atomic.Bool
	timer *time.Timer
}

func (c *conn) startHelloGuard(d time.Duration) {
	c.hello.timer = time.AfterFunc(d, func() {
		if !c.hello.done.Load() {
			c.s.metrics.Errors.WithLabelValues("hello_timeout").Inc()
			c.Close(websocket.ClosePolicyViolation, closeNoHello)
		}
	})
}

// greeted records that the connection took a role. Only the reading
// goroutine calls it (and stopHelloGuard), so it may drop the timer, which
// would otherwise stay allocated for the socket's life.
func (c *conn) greeted() {
	if c.hello.done.CompareAndSwap(false, true) && c.hello.timer != nil {
		c.hello.timer.Stop()
		c.hello.timer = nil
	}
}

// answering pauses the guard while a SUBSCRIBE or REGISTER_SESSION is
// answered: under a stampede of reconnects the answer may take longer
// than the guard, and closing the socket then only makes the page retry.
// answered resumes it, with a whole timeout, when that hello failed.
func (c *conn) answering() {
	if !c.hello.done.Load() && c.hello.timer != nil {
		c.hello.timer.Stop()
	}
}

func (c *conn) answered() {
	if !c.hello.done.Load() && c.hello.timer != nil {
		c.hello.timer.Reset(c.s.cfg.Limits.HelloTimeout)
	}
}

func (c *conn) stopHelloGuard() {
	if c.hello.timer != nil {
		c.hello.timer.Stop()
	}
}
