package live

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/internal/ratelimit"
	"github.com/pikadj/pika/relay/internal/secret"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Peer is a connection that can receive a session's broadcasts.
type Peer interface {
	hub.Subscriber
	// Kick closes the connection, telling the client why.
	Kick(reason string)
}

// Observer learns what happens, for metrics. Every method must be cheap.
type Observer interface {
	DJsConnected(delta int)
	DancersConnected(delta int)
}

type nopObserver struct{}

func (nopObserver) DJsConnected(int)     {}
func (nopObserver) DancersConnected(int) {}

// Config configures a Manager.
type Config struct {
	Store     *store.Store
	Broker    hub.Broker
	PublicURL string // without trailing slash
	Logger    *slog.Logger
	Observer  Observer
	// Coalesce is how long counter updates gather before one broadcast
	// (default 200 ms).
	Coalesce time.Duration
	// ResumeWindow is how long a session waits for its DJ to come back
	// (default protocol.ResumeWindow).
	ResumeWindow time.Duration
	// ActivityInterval is how often a connected DJ's session records that
	// it is still active (default one minute), so a session orphaned by a
	// crash ends near when the crash happened.
	ActivityInterval time.Duration
	// TokenCheckInterval is how often the tokens of connected DJs are
	// re-checked (default DefaultTokenCheckInterval); RevokeToken acts at
	// once, this is the safety net.
	TokenCheckInterval time.Duration
	// HistoryLimit is how many of the newest plays SESSION_STATE carries
	// (default 50); older ones are read with History.
	HistoryLimit int
	// MaxLiveSessions is how many sessions one DJ account may have live
	// at once, those waiting for their DJ included (default 3).
	MaxLiveSessions int
	// Secret keys the PIN hashes and signs client ids (see
	// internal/secret). A relay must set it: without it a random one is
	// used, and PINs and client ids do not survive a restart.
	Secret []byte
	// PINLimits bound wrong PIN guesses (zero fields: pinguard's
	// defaults).
	PINLimits pinguard.Limits
	// IDsPerAddress is how many new client ids one address gets per
	// session at once [300]; one more every IDRefill [10s].
	IDsPerAddress int
	IDRefill      time.Duration
	// Requests bounds dancers' requests (zero fields: defaults).
	Requests RequestLimits
	// Notifier, when set, hears polls started and announcements (Web
	// Push for dancers whose page is closed).
	Notifier Notifier
	// Owners, when set, joins this relay to others on the same database
	// (owner.go): each session is owned by one relay, which the others
	// forward their dancers' writes to. Nil: this relay is alone and owns
	// every session.
	Owners hub.Owners
	// RelayID names this relay in the leases (default: random at start).
	RelayID string
	// OwnerLease is how long a session's owner holds it without renewing
	// [6 s]: a dead owner's sessions are taken over after at most this.
	OwnerLease time.Duration
}

// Manager owns the live sessions.
type Manager struct {
	cfg     Config
	relayID string
	st      *store.Store
	broker  hub.Broker
	log     *slog.Logger
	obs     Observer
	guard   *pinguard.Guard
	pinKey  []byte
	idKey   []byte
	idLim   *ratelimit.Keyed

	holds tokenHolds // DJ connections by token, see tokens.go
	// creating serialises the count and the insert of new sessions, so
	// MaxLiveSessions holds against a burst of registers.
	creating sync.Mutex
	recaps   recapCache
	reqs     requestLimiters

	mu      sync.Mutex
	rooms   map[string]*Room
	loads   map[string]*loading // sessions being read, by id
	closing atomic.Bool

	// stageMu serialises going live on stages on this relay (across
	// relays the database keeps one live set per stage); pending
	// HAND_OVERs are in the database.
	stageMu sync.Mutex
}

// NewManager returns a manager; call Start before serving.
func NewManager(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Coalesce == 0 {
		cfg.Coalesce = 200 * time.Millisecond
	}
	if cfg.ResumeWindow == 0 {
		cfg.ResumeWindow = protocol.ResumeWindow
	}
	if cfg.ActivityInterval == 0 {
		cfg.ActivityInterval = time.Minute
	}
	if cfg.HistoryLimit == 0 {
		cfg.HistoryLimit = 50
	}
	if cfg.MaxLiveSessions == 0 {
		cfg.MaxLiveSessions = 3
	}
	if cfg.IDsPerAddress <= 0 {
		cfg.IDsPerAddress = 300
	}
	if cfg.IDRefill <= 0 {
		cfg.IDRefill = 10 * time.Second
	}
	if cfg.RelayID == "" {
		cfg.RelayID = store.NewID()
	}
	if cfg.OwnerLease <= 0 {
		cfg.OwnerLease = 6 * time.Second
	}
	if len(cfg.Secret) == 0 {
		// Only for tests of this package alone: PIN hashes and client ids
		// made with it do not survive the process.
		cfg.Secret = make([]byte, 32)
		_, _ = rand.Read(cfg.Secret)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Manager{
		cfg: cfg, relayID: cfg.RelayID, st: cfg.Store, broker: cfg.Broker, log: cfg.Logger, obs: cfg.Observer,
		guard:  pinguard.New(cfg.PINLimits),
		pinKey: secret.Derive(cfg.Secret, "pin hash"),
		idKey:  secret.Derive(cfg.Secret, "client id"),
		idLim:  ratelimit.New(rate.Every(cfg.IDRefill), cfg.IDsPerAddress),
		reqs:   newRequestLimiters(cfg.Requests),
		rooms:  map[string]*Room{},
		loads:  map[string]*loading{},
	}
}

// JoinURL is the dancer page of a session.
func (m *Manager) JoinURL(id string) string { return m.cfg.PublicURL + "/live/" + id }

// StageURL is the permanent dancer page of a stage.
func (m *Manager) StageURL(slug string) string { return m.cfg.PublicURL + "/s/" + slug }

// RecapURL is the recap page of a session.
func (m *Manager) RecapURL(id string) string { return m.cfg.PublicURL + "/recap/" + id }

// Start prepares sessions left live by a previous run: nobody is connected
// now, so each one's resume window starts now (with other relays, only
// for sessions no live relay owns). Then it ends abandoned sessions every
// interval until ctx is done, and keeps the leases of the sessions it
// owns.
func (m *Manager) Start(ctx context.Context) error {
	n, err := m.st.MarkOrphans(ctx, time.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		m.log.Info("sessions waiting for their DJ after restart", "count", n)
	}
	go func() {
		t := time.NewTicker(min(15*time.Second, m.cfg.ResumeWindow/4))
		defer t.Stop()
		for {
			m.endAbandoned(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	go m.watchTokens(ctx, m.cfg.TokenCheckInterval)
	if m.clustered() {
		// The owners renew their leases, mirrors take over from dead ones.
		go every(ctx, m.cfg.OwnerLease/3, func() { m.leaseRound(ctx) })
	}
	go every(ctx, m.cfg.ActivityInterval, func() { m.touchConnected(ctx) })
	return nil
}

// every runs f every interval until ctx is done.
func every(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// touchConnected records that the sessions whose DJ is connected are still
// active.
func (m *Manager) touchConnected(ctx context.Context) {
	m.mu.Lock()
	var ids []string
	for id, r := range m.rooms {
		r.mu.Lock()
		if r.dj != nil && !r.ended {
			ids = append(ids, id)
		}
		r.mu.Unlock()
	}
	m.mu.Unlock()
	if err := m.st.TouchSessions(ctx, ids, time.Now()); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
		m.log.Error("recording session activity failed", "err", err)
	}
}

// endAbandoned ends sessions whose DJ has been away longer than the resume
// window, including those no room in memory is timing.
func (m *Manager) endAbandoned(ctx context.Context) {
	ids, err := m.st.EndAbandoned(ctx, time.Now().Add(-m.cfg.ResumeWindow))
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			m.log.Error("ending abandoned sessions failed", "err", err)
		}
		return
	}
	for _, id := range ids {
		m.log.Info("session ended", "session", id, "reason", "dj away too long")
		m.mu.Lock()
		r := m.rooms[id]
		delete(m.rooms, id)
		m.mu.Unlock()
		// Every relay's copy of the room hears it through its tap.
		msg := hub.NewMessage(protocol.TypeSessionEnded, protocol.SessionEnded{RecapURL: m.RecapURL(id)})
		if r != nil {
			r.markEnded()
			r.fan.Publish(id, msg)
		}
		m.broker.Publish(id, msg)
	}
}

// Shutdown records, for every session whose DJ is connected, that the DJ
// left now, so the resume window runs from the shutdown. Connections are
// closed by the caller afterwards; their departures are then not recorded
// again. It returns how many departures could not be recorded.
func (m *Manager) Shutdown(ctx context.Context) int {
	m.mu.Lock()
	m.closing.Store(true)
	rooms := make([]*Room, 0, len(m.rooms))
	for _, r := range m.rooms {
		rooms = append(rooms, r)
	}
	m.mu.Unlock()
	now := time.Now()
	failed := 0
	for _, r := range rooms {
		r.flushNow()
		r.mu.Lock()
		hasDJ := r.dj != nil
		r.stopTimers()
		r.mu.Unlock()
		if hasDJ {
			if err := m.st.SetDJLeft(ctx, r.id, &now); err != nil {
				failed++
				m.log.Error("recording DJ departure at shutdown failed", "session", r.id, "err", err)
			}
		}
	}
	m.releaseAll(ctx, rooms)
	return failed
}

func (m *Manager) isClosing() bool { return m.closing.Load() }

// Listeners is the number of dancers in a session, each counted once on
// whichever relays they are connected (a mirror gives the owner's last
// count; with other relays, one with no room of the session the count the
// owner last recorded).
func (m *Manager) Listeners(id string) int {
	m.mu.Lock()
	r := m.rooms[id]
	m.mu.Unlock()
	if r == nil {
		if !m.clustered() {
			return 0
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := m.st.LatestListeners(ctx, id)
		if err != nil {
			m.log.Warn("reading a session's dancer count failed", "session", id, "err", err)
		}
		return n
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.owned {
		return max(r.total, len(r.listeners))
	}
	return r.dancersLocked()
}
