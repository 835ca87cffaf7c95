// Package live runs live sessions: a DJ's session, its dancers, their
// likes and votes, polls and announcements. It keeps each session's small
// in-memory state (current play, active poll, listeners), writes everything
// through the store before acknowledging it, and broadcasts through a
// hub.Broker, coalescing counters so a burst of likes becomes a few
// broadcasts rather than one per like.
package live

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/ratelimit"
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
}

// Manager owns the live sessions.
type Manager struct {
	cfg    Config
	st     *store.Store
	broker hub.Broker
	log    *slog.Logger
	obs    Observer
	pinLim *ratelimit.Keyed

	mu      sync.Mutex
	rooms   map[string]*Room
	loads   map[string]*loading // sessions being read, by id
	closing atomic.Bool
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
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Manager{
		cfg: cfg, st: cfg.Store, broker: cfg.Broker, log: cfg.Logger, obs: cfg.Observer,
		// Ten wrong PINs, then one every six seconds, per session and IP.
		pinLim: ratelimit.New(rate.Every(6*time.Second), 10),
		rooms:  map[string]*Room{},
		loads:  map[string]*loading{},
	}
}

// JoinURL is the dancer page of a session.
func (m *Manager) JoinURL(id string) string { return m.cfg.PublicURL + "/live/" + id }

// RecapURL is the recap page of a session.
func (m *Manager) RecapURL(id string) string { return m.cfg.PublicURL + "/recap/" + id }

// Start prepares sessions left live by a previous run: nobody is connected
// now, so each one's resume window starts now. Then it ends abandoned
// sessions every interval until ctx is done.
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
	go func() {
		t := time.NewTicker(m.cfg.ActivityInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				m.touchConnected(ctx)
			}
		}
	}()
	return nil
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
		if r != nil {
			r.markEnded()
			m.broker.Publish(id, hub.NewMessage(protocol.TypeSessionEnded, protocol.SessionEnded{RecapURL: m.RecapURL(id)}))
		}
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
	return failed
}

func (m *Manager) isClosing() bool { return m.closing.Load() }

// Listeners is the number of dancers in a session on this relay.
func (m *Manager) Listeners(id string) int {
	m.mu.Lock()
	r := m.rooms[id]
	m.mu.Unlock()
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.listeners)
}

func perr(code protocol.ErrorCode, msg string) *protocol.Error {
	return &protocol.Error{Code: code, Message: msg}
}

var errInternal = perr(protocol.CodeInternalError, "the relay could not do that; try again")

// storeErr maps a store error to a protocol error.
func (m *Manager) storeErr(op string, err error) *protocol.Error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return perr(protocol.CodeNotFound, op+": not found")
	case errors.Is(err, store.ErrAlreadyVoted):
		return perr(protocol.CodeForbidden, "you already voted in this poll")
	case errors.Is(err, store.ErrPollClosed):
		return perr(protocol.CodeForbidden, "the poll is closed")
	case errors.Is(err, store.ErrBadOption):
		return perr(protocol.CodeBadRequest, "the poll has no such option")
	}
	m.log.Error("store operation failed", "op", op, "err", err)
	return errInternal
}

// loading is a room being read from the database; others asking for the
// same session wait for it instead of reading it again.
type loading struct {
	done chan struct{}
	r    *Room
	pe   *protocol.Error
}

// roomLoadTimeout bounds one session load, which is shared by everyone
// waiting for it and so does not follow any one request's context.
const roomLoadTimeout = 15 * time.Second

// room returns the in-memory room of a live session, loading it if needed.
// The database is read without m.mu held, once per session however many
// ask at the same time, so one slow load holds up only that session.
func (m *Manager) room(ctx context.Context, id string) (*Room, *protocol.Error) {
	m.mu.Lock()
	if r := m.rooms[id]; r != nil {
		m.mu.Unlock()
		return r, nil
	}
	if m.closing.Load() {
		m.mu.Unlock()
		return nil, errRestarting
	}
	l := m.loads[id]
	if l == nil {
		l = &loading{done: make(chan struct{})}
		m.loads[id] = l
		m.mu.Unlock()
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), roomLoadTimeout)
		r, pe := m.loadRoom(lctx, id)
		cancel()
		m.mu.Lock()
		delete(m.loads, id)
		switch {
		case pe != nil:
		case m.closing.Load():
			r.mu.Lock()
			r.stopTimers()
			r.mu.Unlock()
			r, pe = nil, errRestarting
		default:
			m.rooms[id] = r
		}
		l.r, l.pe = r, pe
		m.mu.Unlock()
		close(l.done)
		return r, pe
	}
	m.mu.Unlock()
	select {
	case <-l.done:
		return l.r, l.pe
	case <-ctx.Done():
		return nil, errInternal
	}
}

var errRestarting = perr(protocol.CodeInternalError, "the relay is restarting; reconnect in a moment")

// loadRoom reads a live session into a new room.
func (m *Manager) loadRoom(ctx context.Context, id string) (*Room, *protocol.Error) {
	sess, err := m.st.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, perr(protocol.CodeNotFound, "no such session")
	}
	if err != nil {
		return nil, m.storeErr("read session", err)
	}
	if !sess.Live() {
		return nil, perr(protocol.CodeSessionEnded, "this session has ended")
	}
	r := newRoom(m, sess)
	if err := r.load(ctx); err != nil {
		r.mu.Lock()
		r.stopTimers()
		r.mu.Unlock()
		return nil, m.storeErr("load session", err)
	}
	return r, nil
}

// hashPIN salts and hashes a PIN. PINs are short, so the real protection
// is the per-IP limit on wrong guesses; the hash keeps them out of backups.
func hashPIN(pin string) string {
	salt := store.NewID()
	sum := sha256.Sum256([]byte(salt + "\x00" + pin))
	return salt + "$" + hex.EncodeToString(sum[:])
}

func pinMatches(stored, pin string) bool {
	salt, want, ok := strings.Cut(stored, "$")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(salt + "\x00" + pin))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1
}

// checkPIN verifies a PIN for a protected session. Wrong guesses are
// limited per (session, IP): a venue's dancers share one address, and a
// page that first asks without a PIN is not guessing, so an empty PIN is
// refused without counting. The limit is checked only after a PIN fails to
// match, so the right PIN always gets through.
func (m *Manager) checkPIN(sess store.Session, pin, ip string) *protocol.Error {
	if sess.PinHash == "" {
		return nil
	}
	if pin == "" {
		return perr(protocol.CodeForbidden, "this session needs a PIN")
	}
	if pinMatches(sess.PinHash, pin) {
		return nil
	}
	key := sess.ID + "\x00" + ip
	if m.pinLim.Blocked(key) {
		return perr(protocol.CodeRateLimited, "too many wrong PINs; wait a minute")
	}
	m.pinLim.Allow(key)
	return perr(protocol.CodeForbidden, "wrong PIN")
}

// Register opens a session for a DJ, or resumes the one named in the
// request when the DJ left it less than the resume window ago.
func (m *Manager) Register(ctx context.Context, peer Peer, dj protocol.DJ, req *protocol.RegisterSession) (*DJ, protocol.SessionRegistered, *protocol.Error) {
	var (
		r       *Room
		resumed bool
	)
	if req.ResumeSessionID != "" {
		sess, err := m.st.Session(ctx, req.ResumeSessionID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, protocol.SessionRegistered{}, perr(protocol.CodeNotFound, "no such session to resume")
		}
		if err != nil {
			return nil, protocol.SessionRegistered{}, m.storeErr("read session", err)
		}
		if sess.DJID != dj.ID {
			return nil, protocol.SessionRegistered{}, perr(protocol.CodeForbidden, "this session belongs to another DJ")
		}
		if sess.DJLeftAt != nil && time.Since(*sess.DJLeftAt) > m.cfg.ResumeWindow && sess.Live() {
			m.endAbandoned(ctx)
			return nil, protocol.SessionRegistered{}, perr(protocol.CodeSessionEnded, "the session ended: its DJ was away for more than 5 minutes")
		}
		if !sess.Live() {
			return nil, protocol.SessionRegistered{}, perr(protocol.CodeSessionEnded, "the session has ended")
		}
		var pe *protocol.Error
		if r, pe = m.room(ctx, sess.ID); pe != nil {
			return nil, protocol.SessionRegistered{}, pe
		}
		resumed = true
	} else {
		if m.isClosing() {
			return nil, protocol.SessionRegistered{}, perr(protocol.CodeInternalError, "the relay is restarting; reconnect in a moment")
		}
		var pinHash string
		if req.PIN != "" {
			pinHash = hashPIN(req.PIN)
		}
		sess, err := m.st.CreateSession(ctx, dj.ID, dj.DisplayName, req.Name, pinHash, time.Now())
		if err != nil {
			return nil, protocol.SessionRegistered{}, m.storeErr("create session", err)
		}
		r = newRoom(m, sess)
		m.mu.Lock()
		m.rooms[sess.ID] = r
		m.mu.Unlock()
	}
	if pe := r.attachDJ(ctx, peer); pe != nil {
		return nil, protocol.SessionRegistered{}, pe
	}
	m.obs.DJsConnected(1)
	event := "session started"
	if resumed {
		event = "session resumed"
	}
	m.log.Info(event, "session", r.id, "dj", dj.ID, "protected", r.session().PinHash != "")
	return &DJ{r: r, peer: peer}, protocol.SessionRegistered{
		SessionID: r.id, DJName: dj.DisplayName, JoinURL: m.JoinURL(r.id), RecapURL: m.RecapURL(r.id), Resumed: resumed,
	}, nil
}

// Subscribe joins a dancer to a live session and returns the state to
// draw. The peer starts receiving broadcasts before the state is read, so
// nothing falls between the two; the caller must send the state before
// any broadcast it receives (see server's hold).
func (m *Manager) Subscribe(ctx context.Context, peer Peer, req *protocol.Subscribe, ip string) (*Dancer, protocol.SessionState, *protocol.Error) {
	r, pe := m.room(ctx, req.SessionID)
	if pe != nil {
		return nil, protocol.SessionState{}, pe
	}
	if pe := m.checkPIN(r.session(), req.PIN, ip); pe != nil {
		return nil, protocol.SessionState{}, pe
	}
	if err := m.st.AddDancer(ctx, r.id, req.ClientID, time.Now()); err != nil {
		return nil, protocol.SessionState{}, m.storeErr("join session", err)
	}
	d := &Dancer{r: r, clientID: req.ClientID}
	d.unsub = m.broker.Subscribe(r.id, peer)
	r.addListener(req.ClientID)
	m.obs.DancersConnected(1)
	st, pe := m.state(ctx, r.session(), req.ClientID)
	if pe != nil {
		d.Leave()
		return nil, protocol.SessionState{}, pe
	}
	return d, st, nil
}

// State is the SESSION_STATE of any session, live or ended, for the REST
// API. A protected session needs its PIN.
func (m *Manager) State(ctx context.Context, sessionID, clientID, pin, ip string) (protocol.SessionState, *protocol.Error) {
	sess, err := m.st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.SessionState{}, perr(protocol.CodeNotFound, "no such session")
	}
	if err != nil {
		return protocol.SessionState{}, m.storeErr("read session", err)
	}
	if pe := m.checkPIN(sess, pin, ip); pe != nil {
		return protocol.SessionState{}, pe
	}
	return m.state(ctx, sess, clientID)
}

// Info is the API view of a session.
func (m *Manager) Info(s store.Session) protocol.SessionInfo {
	return protocol.SessionInfo{
		ID: s.ID, Name: s.Name, DJName: s.DJName, StartedAt: s.StartedAt, EndedAt: s.EndedAt,
		Live: s.Live(), Protected: s.PinHash != "", JoinURL: m.JoinURL(s.ID), RecapURL: m.RecapURL(s.ID),
	}
}

// recentPollWindow keeps a just-closed poll in the state so a page that
// reconnects still shows its result.
const recentPollWindow = 15 * time.Minute

func (m *Manager) state(ctx context.Context, sess store.Session, clientID string) (protocol.SessionState, *protocol.Error) {
	now := time.Now()
	st := protocol.SessionState{Session: m.Info(sess), MyLikes: []string{}, MyTempoVotes: map[string]string{}, MyPollVotes: map[string]int{}}
	hist, err := m.st.Plays(ctx, sess.ID)
	if err != nil {
		return st, m.storeErr("read plays", err)
	}
	st.History = hist
	act, err := m.st.Activity(ctx, sess.ID, clientID)
	if err != nil {
		return st, m.storeErr("read activity", err)
	}
	st.MyLikes, st.MyTempoVotes, st.MyPollVotes = act.Likes, act.TempoVotes, act.PollVotes
	if !sess.Live() {
		return st, nil
	}
	if len(hist) > 0 {
		cur := hist[0]
		st.NowPlaying = &cur.Play
		tempo := cur.Tempo
		st.Tempo = &tempo
	}
	polls, err := m.st.Polls(ctx, sess.ID)
	if err != nil {
		return st, m.storeErr("read polls", err)
	}
	if n := len(polls); n > 0 {
		p := polls[n-1]
		if p.EndsAt != nil && !now.Before(*p.EndsAt) {
			p.Closed = true
		}
		if !p.Closed || p.ClosedAt != nil && now.Sub(*p.ClosedAt) < recentPollWindow || p.ClosedAt == nil && p.EndsAt != nil && now.Sub(*p.EndsAt) < recentPollWindow {
			poll := p.Poll
			st.ActivePoll = &poll
		}
	}
	if st.Announcement, err = m.st.CurrentAnnouncement(ctx, sess.ID, now); err != nil {
		return st, m.storeErr("read announcement", err)
	}
	st.Listeners = m.Listeners(sess.ID)
	return st, nil
}
