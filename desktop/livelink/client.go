// Package livelink connects the DJ's app to the relay's /ws: it goes live
// (REGISTER_SESSION), resumes the same session after a dropped connection
// or an app restart within protocol.ResumeWindow, sends now-playing,
// polls and announcements, and reports the dancers' reactions as Events.
//
// Every outgoing DJ message is first stored in an outbox table of the
// app's database and removed only when the relay ACKs it, so messages
// made while offline are delivered in order once connected, each play with
// the time it really started. The token is never logged.
package livelink

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/internal/librarydb"
	"github.com/pikadj/pika/shared/protocol"
)

// Config says which relay to use and as whom.
type Config struct {
	RelayURL    string // "https://relay.example" (ws(s):// and a trailing /ws are accepted)
	Token       string // the DJ's pk_dj_ token
	SessionName string
	PIN         string // optional 4–8 digit PIN dancers must enter
	StageID     string // optional: a stage of an event the DJ plays at (EventsOf lists them)
	// PublicRecap: whether the recap opens for anyone once the session
	// ended (nil: the relay's default, private with a PIN).
	PublicRecap *bool
	PublicURL   string // the public page base, used for join links when the relay's are local
	MaxOutbox   int    // bound of stored messages (default 5000)
	Logger      *slog.Logger
}

// Session is the live session as the UI shows it. JoinURL (for the QR
// code) is never a LAN or loopback address: it is empty when only such an
// address is known, and LocalJoinURL then holds it for tests on this machine.
type Session struct {
	ID           string
	DJName       string
	JoinURL      string
	LocalJoinURL string
	RecapURL     string
	Resumed      bool
}

// pendingPrefix starts the outbox tag of messages queued before a run
// registered its session.
const pendingPrefix = "pending:"

// ErrNotLive is returned by senders when GoLive has not been called (or
// the session has ended).
var ErrNotLive = errors.New("livelink: not live")

// Client is one DJ's link to the relay. Its methods are safe for
// concurrent use.
type Client struct {
	cfg             Config
	httpBase, wsURL string
	st              *store
	log             *slog.Logger
	events          chan Event
	kick            chan struct{} // outbox or End request changed
	liveCh          chan struct{} // live state changed
	retry           chan struct{} // the DJ asked to reconnect now

	mu        sync.Mutex
	live      bool
	ending    bool
	endedCh   chan struct{} // closed when a requested End is done
	session   Session
	ownedID   string // a session this process registered (resume even past the window)
	connected bool
	pin       string // the session's PIN now (SetPIN changes it)
	// pending tags outbox rows queued before this run registered a
	// session: they belong to the next session registered.
	pending string
	// epoch and seq are the last broadcast of the owned session applied:
	// a resume names it, and the relay sends only what came after.
	epoch string
	seq   uint64
}

// Timings; variables so tests of this package could shorten them.
var (
	backoffMin     = 500 * time.Millisecond
	backoffMax     = 30 * time.Second
	ackTimeout     = 20 * time.Second
	pingEvery      = 20 * time.Second
	readTimeout    = 60 * time.Second
	heartbeatEvery = 15 * time.Second
	// sendSpacing paces a backlog below the relay's per-DJ rate limit
	// (50 messages/s), so draining a long offline queue is never refused.
	sendSpacing = 25 * time.Millisecond
)

// New checks cfg, brings db (library.db, a modernc.org/sqlite database)
// to the current schema, outbox tables included, and returns a client;
// call Run to start it.
func New(cfg Config, db *sql.DB) (*Client, error) {
	httpBase, wsURL, err := relayURLs(cfg.RelayURL)
	if err != nil {
		return nil, fmt.Errorf("livelink: %w", err)
	}
	if !strings.HasPrefix(cfg.Token, protocol.TokenPrefix) {
		return nil, errors.New("livelink: the token must be a pk_dj_ token")
	}
	if db == nil {
		return nil, errors.New("livelink: a database is required for the outbox")
	}
	if cfg.MaxOutbox <= 0 {
		cfg.MaxOutbox = 5000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Client{
		cfg: cfg, httpBase: httpBase, wsURL: wsURL,
		st:      &store{db: db, max: cfg.MaxOutbox},
		log:     cfg.Logger.With("relay", httpBase),
		events:  make(chan Event, 256),
		kick:    make(chan struct{}, 1),
		liveCh:  make(chan struct{}, 1),
		retry:   make(chan struct{}, 1),
		pin:     cfg.PIN,
		pending: pendingPrefix + strconv.FormatInt(time.Now().UnixNano(), 36) + ":" + strconv.FormatUint(rand.Uint64(), 36),
	}
	// The app's library has migrated db already; a bare database (a
	// tool, a test) gets the same schema here.
	if err := librarydb.Migrate(context.Background(), db); err != nil {
		return nil, fmt.Errorf("livelink: %w", err)
	}
	return c, nil
}

// Retry cuts short the wait before the next connection attempt (the DJ
// fixed the network, or started the relay); it does nothing while
// connected.
func (c *Client) Retry() { signal(c.retry) }

// RelayURL is the relay's address as the link dials it.
func (c *Client) RelayURL() string { return c.httpBase }

// Events delivers what happens, for the UI. It is buffered; when nobody
// reads, newer events are dropped rather than blocking the link.
func (c *Client) Events() <-chan Event { return c.events }

func (c *Client) emit(e Event) {
	select {
	case c.events <- e:
	default:
		c.log.Debug("livelink: event dropped, nobody reads Events", "event", fmt.Sprintf("%T", e))
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Session returns the current session and whether the client is live.
func (c *Client) Session() (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session, c.live
}

// Pending returns how many messages wait in the outbox.
func (c *Client) Pending(ctx context.Context) (int, error) { return c.st.pending(ctx) }

// GoLive starts (or, within the resume window, resumes) the session; Run
// does the connecting and reports Registered.
func (c *Client) GoLive(ctx context.Context) error {
	name := strings.TrimSpace(c.cfg.SessionName)
	reg := protocol.RegisterSession{Token: c.cfg.Token, Name: name, PIN: c.currentPIN(), PublicRecap: c.cfg.PublicRecap, StageID: c.cfg.StageID}
	if err := reg.Validate(); err != nil {
		return fmt.Errorf("livelink: cannot go live: %w", err)
	}
	c.mu.Lock()
	c.live, c.ending = true, false
	c.mu.Unlock()
	signal(c.liveCh)
	return nil
}

// End ends the session: messages still in the outbox are delivered first,
// then END_SESSION. It waits until the relay confirms or ctx is done; in
// the latter case (offline) the session is abandoned locally and the relay
// ends it by itself after protocol.ResumeWindow. Messages left in the
// outbox are then dropped when the next session registers (OutboxDropped).
func (c *Client) End(ctx context.Context) error {
	c.mu.Lock()
	if !c.live {
		c.mu.Unlock()
		return nil
	}
	c.ending = true
	if c.endedCh == nil {
		c.endedCh = make(chan struct{})
	}
	done := c.endedCh
	c.mu.Unlock()
	signal(c.kick)
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		c.finish(context.Background(), "")
		return fmt.Errorf("livelink: end session: relay did not confirm, abandoned (it ends by itself): %w", ctx.Err())
	}
}

// finish marks the session over locally.
func (c *Client) finish(ctx context.Context, recapURL string) {
	c.mu.Lock()
	wasLive := c.live
	c.live, c.ending, c.ownedID, c.epoch, c.seq = false, false, "", "", 0
	if recapURL == "" {
		recapURL = c.session.RecapURL
	}
	c.session = Session{}
	ended := c.endedCh
	c.endedCh = nil
	c.mu.Unlock()
	// The stored session is forgotten before End returns (and the app may
	// stop the link): else a restart would offer an ended session.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	if err := c.st.clearSession(cctx); err != nil {
		c.log.Warn("livelink: cannot clear the ended session", "err", err)
	}
	cancel()
	if ended != nil {
		close(ended)
	}
	signal(c.liveCh)
	if wasLive {
		c.emit(SessionEnded{RecapURL: recapURL})
	}
}

// SendNowPlaying queues a NOW_PLAYING; playedAt is when the DJ software
// started the track (zero or in the future: now). A play older than
// protocol.PlayedAtMaxAge is refused at once.
func (c *Client) SendNowPlaying(ctx context.Context, track protocol.Track, playedAt time.Time) error {
	// A play cannot start in the future; a DJ software clock a little
	// ahead must not get the play refused.
	if now := time.Now(); playedAt.IsZero() || playedAt.After(now) {
		playedAt = now
	}
	at := playedAt.UTC()
	// Tags come from outside and cannot be fixed during a set: invisible
	// and control characters the relay would refuse are dropped here
	// rather than the play.
	track.Artist = protocol.CleanText(track.Artist, protocol.SingleLine)
	track.Title = protocol.CleanText(track.Title, protocol.SingleLine)
	m := protocol.NowPlaying{Track: track, PlayedAt: &at}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("livelink: now playing: %w", err)
	}
	if err := c.enqueue(ctx, protocol.TypeNowPlaying, m); err != nil {
		return err
	}
	if prev, _ := c.lastPlayedAt(ctx); at.After(prev) {
		if err := c.st.set(ctx, map[string]string{keyLastPlayedAt: at.Format(time.RFC3339Nano)}); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) lastPlayedAt(ctx context.Context) (time.Time, error) {
	v, err := c.st.get(ctx, keyLastPlayedAt)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, nil // unreadable: as if none
	}
	return t, nil
}

// ResumablePlay returns the start time of the newest play queued for the
// session GoLive will resume (zero when none will be resumed): the source
// watcher catches up on what was played after it while the app was closed
// (nowplaying.Options.Since).
func (c *Client) ResumablePlay(ctx context.Context) (time.Time, error) {
	id, err := c.resumeID(ctx)
	if err != nil || id == "" {
		return time.Time{}, err
	}
	return c.lastPlayedAt(ctx)
}

// StartPoll queues a START_POLL.
func (c *Client) StartPoll(ctx context.Context, p protocol.StartPoll) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("livelink: poll: %w", err)
	}
	return c.enqueue(ctx, protocol.TypeStartPoll, p)
}

// ClosePoll queues a CLOSE_POLL.
func (c *Client) ClosePoll(ctx context.Context, pollID string) error {
	p := protocol.ClosePoll{PollID: pollID}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("livelink: close poll: %w", err)
	}
	return c.enqueue(ctx, protocol.TypeClosePoll, p)
}

// Announce queues an ANNOUNCE.
func (c *Client) Announce(ctx context.Context, a protocol.Announce) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("livelink: announcement: %w", err)
	}
	return c.enqueue(ctx, protocol.TypeAnnounce, a)
}

// HandOver queues a HAND_OVER: the event's DJ toDJID (any of them when
// empty) may go live on this session's stage, which ends this session.
func (c *Client) HandOver(ctx context.Context, toDJID string) error {
	h := protocol.HandOver{ToDJID: toDJID}
	if err := h.Validate(); err != nil {
		return fmt.Errorf("livelink: hand over: %w", err)
	}
	return c.enqueue(ctx, protocol.TypeHandOver, h)
}

// SetPIN queues a SET_PIN: the session's PIN becomes pin ("" for none);
// dancers already in stay in. A session registered anew after this (the
// old one could not be resumed) gets the new PIN too.
func (c *Client) SetPIN(ctx context.Context, pin string) error {
	p := protocol.SetPIN{PIN: pin}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("livelink: set PIN: %w", err)
	}
	if err := c.enqueue(ctx, protocol.TypeSetPIN, p); err != nil {
		return err
	}
	c.mu.Lock()
	c.pin = pin
	c.mu.Unlock()
	return c.st.set(ctx, map[string]string{keyPIN: pin})
}

// PIN is the session's PIN as the link knows it ("" for none): the one
// given at go-live, set since, or kept from the session it resumed.
func (c *Client) PIN() string { return c.currentPIN() }

func (c *Client) currentPIN() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pin
}

// ClearAnnouncement queues a CLEAR_ANNOUNCEMENT.
func (c *Client) ClearAnnouncement(ctx context.Context) error {
	return c.enqueue(ctx, protocol.TypeClearAnnouncement, protocol.Empty{})
}

func (c *Client) enqueue(ctx context.Context, t protocol.Type, payload any) error {
	c.mu.Lock()
	live := c.live && !c.ending
	session := c.ownedID
	c.mu.Unlock()
	if !live {
		return ErrNotLive
	}
	if session == "" {
		session = c.pending
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("livelink: encode %s: %w", t, err)
	}
	dropped, err := c.st.push(ctx, session, string(t), b)
	if err != nil {
		return err
	}
	if dropped > 0 {
		c.log.Warn("livelink: outbox full, oldest messages dropped", "dropped", dropped, "max", c.cfg.MaxOutbox)
		c.emit(OutboxDropped{Count: int(dropped)})
	}
	signal(c.kick)
	return nil
}

// LeftSession is a session an earlier run left live: GoLive against the same
// relay resumes it while LastConnected is less than protocol.ResumeWindow
// ago.
type LeftSession struct {
	ID            string
	LastConnected time.Time
}

// ResumableSession reports the session in db that GoLive against relayURL
// would resume now (ok=false when none would be), so the app can offer it
// at start.
func ResumableSession(ctx context.Context, db *sql.DB, relayURL string) (LeftSession, bool, error) {
	httpBase, _, err := relayURLs(relayURL)
	if err != nil {
		return LeftSession{}, false, fmt.Errorf("livelink: %w", err)
	}
	st := &store{db: db}
	var s LeftSession
	if s.ID, err = st.get(ctx, keySessionID); err != nil || s.ID == "" {
		return s, false, err
	}
	relay, err := st.get(ctx, keyRelayURL)
	if err != nil {
		return s, false, err
	}
	last, err := st.get(ctx, keyLastConnected)
	if err != nil {
		return s, false, err
	}
	if s.LastConnected, err = time.Parse(time.RFC3339Nano, last); err != nil || relay != httpBase {
		return s, false, nil
	}
	return s, time.Since(s.LastConnected) <= protocol.ResumeWindow, nil
}
