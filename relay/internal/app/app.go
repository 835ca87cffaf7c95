// Package app wires the relay together: database, live sessions, HTTP
// server, background jobs and graceful shutdown. The pika-relay command and
// the relaytest package both run it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/hub/natsbroker"
	"github.com/pikadj/pika/relay/internal/loginguard"
	"github.com/pikadj/pika/relay/internal/metrics"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/internal/push"
	"github.com/pikadj/pika/relay/internal/secret"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/server"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Config is everything the relay is started with.
type Config struct {
	Addr              string // listen address, "127.0.0.1:8080"
	DatabaseURL       string // "file:pika.db" or "libsql://…"
	DatabaseAuthToken string
	ReplicaPath       string // local file of the embedded replica (libsql:// only)
	PublicURL         string
	AllowedOrigins    []string
	TrustProxy        bool
	BcryptCost        int
	AuthRate          rate.Limit
	AuthBurst         int
	MetricsToken      string
	// ResumeWindow is how long a session waits for its DJ to come back
	// (default protocol.ResumeWindow; tests shorten it).
	ResumeWindow time.Duration
	// ActivityInterval is how often a connected DJ's session records that
	// it is active (default one minute; tests shorten it).
	ActivityInterval time.Duration
	// TokenCheckInterval is how often connected DJs' tokens are re-checked
	// (default live.DefaultTokenCheckInterval); a revoke acts at once.
	TokenCheckInterval time.Duration
	// Login throttles failed sign-ins (zero fields: the defaults).
	Login loginguard.Limits
	// Limits bound connections and anonymous reads (server.Limits).
	Limits server.Limits
	// HistoryLimit and MaxLiveSessions: see live.Config.
	HistoryLimit    int
	MaxLiveSessions int
	// HTTP timeouts of every request but an upgraded WebSocket (the
	// upgrade clears the connection's deadlines): reading the header,
	// reading the whole request, writing the answer, and an idle
	// keep-alive. Zero values get 10 s, 20 s, 30 s and 120 s.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Secret keys PIN hashes and signs client ids (PIKA_RELAY_SECRET);
	// when empty it is read from SecretFile, made there on first start.
	Secret string
	// SecretFile defaults to pika.secret in the database's folder (the
	// replica's for a libsql:// URL).
	SecretFile string
	// PINLimits bound wrong PIN guesses (zero fields: defaults).
	PINLimits pinguard.Limits
	// IDsPerAddress and IDRefill bound the client ids one address is
	// issued per session (zero: defaults, 300 and one per 10 s).
	IDsPerAddress int
	IDRefill      time.Duration
	// Requests bounds dancers' requests (zero fields: defaults).
	Requests live.RequestLimits
	// NATSURL (PIKA_NATS_URL), when set, joins this relay to the others
	// on that NATS: broadcasts reach every relay's clients. Empty: one
	// relay on its own, with the in-process broker.
	NATSURL string
	// OwnerLease (PIKA_OWNER_LEASE) is how long a relay owns a session
	// without renewing, with NATSURL [6 s]: a dead relay's sessions are
	// taken over by another within it.
	OwnerLease time.Duration
	Logger     *slog.Logger

	// AppRelease is the desktop app release the update check announces
	// (PIKA_APP_LATEST_VERSION, PIKA_APP_DOWNLOAD_URL; empty: none).
	AppRelease protocol.AppRelease

	// Push tunes Web Push for polls and announcements (push.Config;
	// Logger is the relay's). PushOff turns it off (PIKA_PUSH=off).
	Push    push.Config
	PushOff bool
	// PushRate and PushBurst: see server.Config.
	PushRate  rate.Limit
	PushBurst int
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// SecretPath is where the relay keeps its secret by default: beside the
// database file.
func SecretPath(databaseURL, replicaPath string) string {
	p := strings.TrimPrefix(databaseURL, "file:")
	if strings.Contains(p, "://") || p == "" {
		p = replicaPath
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return filepath.Join(filepath.Dir(p), "pika.secret")
}

// App is a running relay.
type App struct {
	cfg    Config
	log    *slog.Logger
	store  *store.Store
	nats   *natsbroker.Broker // nil without NATSURL
	server *server.Server
	live   *live.Manager
	http   *http.Server
	ln     net.Listener
	stop   context.CancelFunc
	done   chan struct{}
	served chan error
	push   *push.Sender // nil when off
}

// Start opens the database, listens on cfg.Addr and serves in the
// background until Shutdown.
func Start(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	log := cfg.Logger
	if cfg.SecretFile == "" {
		cfg.SecretFile = SecretPath(cfg.DatabaseURL, cfg.ReplicaPath)
	}
	key, err := secret.Load(cfg.Secret, cfg.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("relay secret: %w", err)
	}
	if cfg.Secret != "" {
		log.Info("relay secret", "from", "PIKA_RELAY_SECRET")
	} else {
		log.Info("relay secret", "from", cfg.SecretFile)
	}
	m := metrics.New()
	st, err := store.Open(ctx, store.Options{
		URL: cfg.DatabaseURL, AuthToken: cfg.DatabaseAuthToken, ReplicaPath: cfg.ReplicaPath, Logger: log,
		Observe: m.ObserveDB,
	})
	if err != nil {
		return nil, err
	}
	m.CountLiveSessionsWith(st.CountLiveSessions)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://" + ln.Addr().String()
	}
	var (
		broker hub.Broker = hub.NewLocal()
		nb     *natsbroker.Broker
	)
	if cfg.NATSURL != "" {
		host, _ := os.Hostname()
		nb, err = natsbroker.Connect(natsbroker.Options{URL: cfg.NATSURL, Name: "pika-relay " + host + " " + ln.Addr().String(), Logger: log})
		if err != nil {
			ln.Close()
			st.Close()
			return nil, fmt.Errorf("PIKA_NATS_URL: %w", err)
		}
		broker = nb
	}
	var sender *push.Sender
	var notifier live.Notifier
	if !cfg.PushOff {
		pc := cfg.Push
		pc.Logger = log
		if pc.Subscriber == "" {
			pc.Subscriber = cfg.PublicURL
		}
		if sender, err = push.New(ctx, st, pc); err != nil {
			if nb != nil {
				_ = nb.Close(ctx)
			}
			ln.Close()
			st.Close()
			return nil, err
		}
		notifier = sender
	}
	var owners hub.Owners
	if nb != nil {
		owners = nb
	}
	mgr := live.NewManager(live.Config{
		Owners: owners,
		Store:  st, Broker: broker, PublicURL: cfg.PublicURL, Logger: log, Observer: m, ResumeWindow: cfg.ResumeWindow,
		ActivityInterval: cfg.ActivityInterval, TokenCheckInterval: cfg.TokenCheckInterval, HistoryLimit: cfg.HistoryLimit, MaxLiveSessions: cfg.MaxLiveSessions,
		Secret: key, PINLimits: cfg.PINLimits, IDsPerAddress: cfg.IDsPerAddress, IDRefill: cfg.IDRefill,
		Requests: cfg.Requests, Notifier: notifier, OwnerLease: cfg.OwnerLease,
	})
	jobCtx, stop := context.WithCancel(context.Background())
	if err := mgr.Start(jobCtx); err != nil {
		stop()
		if sender != nil {
			sender.Close()
		}
		if nb != nil {
			_ = nb.Close(ctx)
		}
		ln.Close()
		st.Close()
		return nil, fmt.Errorf("resume live sessions: %w", err)
	}
	srv := server.New(server.Config{
		PublicURL: cfg.PublicURL, AllowedOrigins: cfg.AllowedOrigins, TrustProxy: cfg.TrustProxy,
		BcryptCost: cfg.BcryptCost, AuthRate: cfg.AuthRate, AuthBurst: cfg.AuthBurst, MetricsToken: cfg.MetricsToken, Logger: log,
		Login:  cfg.Login,
		Limits: cfg.Limits, AppRelease: cfg.AppRelease, Push: sender, PushRate: cfg.PushRate, PushBurst: cfg.PushBurst,
	}, st, mgr, m)
	a := &App{
		cfg: cfg, log: log, store: st, nats: nb, server: srv, live: mgr, ln: ln, stop: stop, push: sender,
		done: make(chan struct{}), served: make(chan error, 1),
		http: &http.Server{
			Handler:           srv.Handler(),
			ReadHeaderTimeout: orDefault(cfg.ReadHeaderTimeout, 10*time.Second),
			ReadTimeout:       orDefault(cfg.ReadTimeout, 20*time.Second),
			WriteTimeout:      orDefault(cfg.WriteTimeout, 30*time.Second),
			IdleTimeout:       orDefault(cfg.IdleTimeout, 120*time.Second),
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
	go func() { a.served <- a.http.Serve(ln) }()
	go a.jobs(jobCtx)
	log.Info("relay listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL)
	return a, nil
}

// Addr is the address the relay listens on.
func (a *App) Addr() net.Addr { return a.ln.Addr() }

// PublicURL is the URL used in links.
func (a *App) PublicURL() string { return a.cfg.PublicURL }

// jobs runs the periodic maintenance.
func (a *App) jobs(ctx context.Context) {
	defer close(a.done)
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	a.purgeTokens(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-purge.C:
			a.purgeTokens(ctx)
		}
	}
}

// TokenMaxIdle is how long an unused token lives.
const TokenMaxIdle = 90 * 24 * time.Hour

func (a *App) purgeTokens(ctx context.Context) {
	n, err := a.store.PurgeTokens(ctx, time.Now().Add(-TokenMaxIdle))
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("token purge failed", "err", err)
		return
	}
	if n > 0 {
		a.log.Info("purged idle tokens", "count", n)
	}
}

// DrainError is a drain that ran out of time: Pending names what was
// still unfinished.
type DrainError struct {
	Pending []string
}

func (e *DrainError) Error() string {
	return "drain timed out with " + strings.Join(e.Pending, ", ") + " pending"
}

// Unwrap makes a DrainError a context.DeadlineExceeded.
func (e *DrainError) Unwrap() error { return context.DeadlineExceeded }

// Shutdown drains the relay: it stops accepting, closes every WebSocket
// with a close frame, flushes pending writes and closes the database. When
// ctx ends first it returns a *DrainError naming what was left.
func (a *App) Shutdown(ctx context.Context) error {
	a.stop()
	<-a.done
	var pending []string
	// Plain HTTP first (it ignores hijacked WebSockets), then the DJs'
	// departures, then close frames to every WebSocket client.
	err := a.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		pending = append(pending, "HTTP requests")
		err = nil
	}
	if n := a.live.Shutdown(ctx); n > 0 {
		pending = append(pending, fmt.Sprintf("%d DJ departures", n))
	}
	if n := a.server.CloseConnections(ctx); n > 0 {
		pending = append(pending, fmt.Sprintf("%d WebSocket connections", n))
	}
	if a.push != nil {
		a.push.Close()
	}
	if a.nats != nil {
		if nerr := a.nats.Close(ctx); nerr != nil {
			pending = append(pending, "broadcasts to NATS")
			a.log.Warn("NATS close", "err", nerr)
		}
	}
	select {
	case serr := <-a.served:
		if serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	case <-ctx.Done():
	}
	n, cerr := a.store.CloseContext(ctx)
	if n > 0 || errors.Is(cerr, context.DeadlineExceeded) || errors.Is(cerr, context.Canceled) {
		pending = append(pending, fmt.Sprintf("%d database writes", n))
	} else if cerr != nil && err == nil {
		err = cerr
	}
	if len(pending) > 0 {
		a.log.Warn("relay stopped before the drain finished", "pending", pending)
		return &DrainError{Pending: pending}
	}
	a.log.Info("relay stopped")
	return err
}
