// Package server is the relay's HTTP face: the REST API, the /ws endpoint,
// health and metrics, and the dancer pages, on Echo. For /ws it holds the
// protocol side (ws.go: a connection's role and limits; dispatch.go: one
// handler per message type); the socket itself is internal/wsconn's.
// errors.go lists every error both surfaces answer with.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/card"
	"github.com/pikadj/pika/relay/internal/loginguard"
	"github.com/pikadj/pika/relay/internal/metrics"
	"github.com/pikadj/pika/relay/internal/push"
	"github.com/pikadj/pika/relay/internal/ratelimit"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
	"github.com/pikadj/pika/webclient"
)

// Config tunes the server. Zero values get the production defaults.
type Config struct {
	// PublicURL is where dancers reach the relay, used in join and recap
	// links and the content security policy ("https://pika.example").
	PublicURL string
	// AllowedOrigins lists the browser origins that may open /ws and call
	// the API cross-origin. Same-origin and loopback are always allowed.
	AllowedOrigins []string
	// TrustProxy takes the client IP from X-Forwarded-For and the scheme
	// from X-Forwarded-Proto (behind a tunnel or reverse proxy).
	TrustProxy bool
	// BcryptCost defaults to bcrypt.DefaultCost; tests lower it.
	BcryptCost int
	// AuthRate and AuthBurst limit login and register attempts per IP.
	AuthRate  rate.Limit
	AuthBurst int
	// Login throttles failed sign-ins per account and per address.
	Login loginguard.Limits
	// MetricsToken, when set, is required as "Authorization: Bearer …" on
	// /metrics, for relays whose every path is public.
	MetricsToken string
	// Limits bound connections and requests (limits.go).
	Limits Limits
	Logger *slog.Logger

	// AppRelease is the desktop app release GET /api/app/latest
	// announces (empty: none, 204).
	AppRelease protocol.AppRelease

	// Push sends Web Push notifications (nil: /api/push answers 404).
	Push *push.Sender
	// PushRate and PushBurst limit push subscribe and unsubscribe calls
	// per address [one per 6 s, burst 10].
	PushRate  rate.Limit
	PushBurst int
}

func (c *Config) defaults() {
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.AuthRate == 0 {
		c.AuthRate = rate.Every(6 * time.Second)
	}
	if c.AuthBurst == 0 {
		c.AuthBurst = 10
	}
	if c.PushRate == 0 {
		c.PushRate = rate.Every(6 * time.Second)
	}
	if c.PushBurst == 0 {
		c.PushBurst = 10
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	c.Limits.defaults()
}

// Server holds the relay's handlers and their dependencies.
type Server struct {
	cfg     Config
	store   *store.Store
	live    *live.Manager
	metrics *metrics.Metrics
	log     *slog.Logger
	echo    *echo.Echo
	authLim *ratelimit.Keyed
	logins  *loginguard.Guard
	readLim *ratelimit.Keyed // anonymous REST reads per address
	regLim  *ratelimit.Keyed // REGISTER_SESSION per DJ account
	pushLim *ratelimit.Keyed // push subscriptions per address
	cards   *card.Cache      // rendered recap cards (share.go)

	connMu  sync.Mutex
	conns   map[*conn]struct{}
	closing bool
	connWG  sync.WaitGroup
	// WebSockets admitted (upgrading or open), in total and per address.
	connTotal  int
	connByAddr map[string]int
}

// New builds the server on an open store and live-session manager.
func New(cfg Config, st *store.Store, mgr *live.Manager, m *metrics.Metrics) *Server {
	cfg.defaults()
	s := &Server{
		cfg: cfg, store: st, live: mgr, metrics: m, log: cfg.Logger,
		authLim: ratelimit.New(cfg.AuthRate, cfg.AuthBurst), logins: loginguard.New(cfg.Login), conns: map[*conn]struct{}{},
		readLim:    ratelimit.New(cfg.Limits.ReadRate, cfg.Limits.ReadBurst),
		regLim:     ratelimit.New(cfg.Limits.RegisterRate, cfg.Limits.RegisterBurst),
		pushLim:    ratelimit.New(cfg.PushRate, cfg.PushBurst),
		connByAddr: map[string]int{},
		cards:      card.NewCache(cardCacheSize),
	}
	s.echo = s.routes()
	return s
}

func (s *Server) track(c *conn) bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	s.connWG.Add(1)
	return true
}

func (s *Server) untrack(c *conn) {
	s.connMu.Lock()
	delete(s.conns, c)
	s.connMu.Unlock()
	s.release(c.addrKey)
	s.connWG.Done()
}

func (s *Server) isClosing() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	return s.closing
}

// CloseConnections refuses new WebSockets, sends every connected client a
// close frame (1012: service restart, so clients reconnect) and waits for
// their handlers to finish, or for ctx. It returns how many connections
// were still open when ctx ended.
func (s *Server) CloseConnections(ctx context.Context) int {
	s.connMu.Lock()
	s.closing = true
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.connMu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Close(websocket.CloseServiceRestart, "relay restarting")
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { s.connWG.Wait(); close(done) }()
	select {
	case <-done:
		return 0
	case <-ctx.Done():
		s.connMu.Lock()
		defer s.connMu.Unlock()
		return len(s.conns)
	}
}

// Handler returns the HTTP handler serving everything.
func (s *Server) Handler() http.Handler { return s.echo }

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	if s.cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.Pre(s.cors)
	e.Use(s.recoverPanics(), s.logRequests, s.securityHeaders)

	e.GET("/healthz", s.healthz)
	e.HEAD("/healthz", s.healthz)
	e.GET("/metrics", echo.WrapHandler(s.metrics.Handler()), s.requireMetricsToken)
	e.GET("/ws", s.serveWS)

	api := e.Group("/api")
	api.POST("/auth/register", s.register, s.limitAuth)
	api.POST("/auth/login", s.login, s.limitAuth)
	api.GET("/auth/me", s.me, s.requireDJ)
	api.GET("/auth/tokens", s.listTokens, s.requireDJ)
	api.POST("/auth/tokens", s.createToken, s.requireDJ)
	api.DELETE("/auth/tokens/:id", s.deleteToken, s.requireDJ)
	api.GET("/sessions", s.liveSessions, s.limitReads)
	api.GET("/sessions/:id/state", s.sessionState, s.limitReads)
	api.GET("/sessions/:id/plays", s.sessionPlays, s.limitReads)
	api.GET("/sessions/:id/recap", s.sessionRecap, s.limitReads)
	api.GET("/sessions/:id/analytics", s.sessionAnalytics, s.requireDJ)
	api.GET("/dj/sessions", s.djSessions, s.requireDJ)
	api.GET("/app/latest", s.appLatest, s.limitReads)
	api.GET("/push/key", s.pushKey, s.limitReads)
	api.POST("/push/subscriptions", s.subscribePush, s.limitPush)
	api.DELETE("/push/subscriptions", s.unsubscribePush, s.limitPush)
	s.eventRoutes(api)
	s.shareRoutes(e, api)
	api.Any("/*", func(c echo.Context) error { return apiNoSuchEndpoint })

	pages := echo.WrapHandler(webclient.Handler())
	e.GET("/*", pages)
	e.HEAD("/*", pages)
	return e
}

// errorHandler answers every error with the protocol's {"error": "..."}.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := apiInternal.Code, apiInternal.Message.(string)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if body, ok := he.Message.(protocol.APIError); ok {
			if c.Request().Method == http.MethodHead {
				_ = c.NoContent(code)
				return
			}
			_ = c.JSON(code, body)
			return
		}
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(code)
		}
	} else {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(code)
		return
	}
	_ = c.JSON(code, protocol.APIError{Error: msg})
}

func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		// The reason is the store's fixed wording (no paths or driver
		// text): "cannot write", "cannot read", "writes do not complete"…
		reason := "unreachable"
		var he *store.HealthError
		if errors.As(err, &he) {
			reason = he.Reason
		}
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": reason})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}

func (s *Server) requireMetricsToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.MetricsToken == "" {
			return next(c)
		}
		got, _ := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.MetricsToken)) != 1 {
			return apiMetricsToken
		}
		return next(c)
	}
}
