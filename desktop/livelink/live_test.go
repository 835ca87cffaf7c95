package livelink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

const waitLong = 30 * time.Second

// syncBuf collects the client's log to check that the token never shows.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t      *testing.T
	c      *Client
	cancel context.CancelFunc
	done   chan struct{}
}

func startClient(t *testing.T, cfg Config, db *sqlDB) *harness {
	t.Helper()
	c, err := New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, c: c, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		if err := c.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	h.cancel()
	<-h.done
}

// backlog keeps the events a waitFor passed over, so a later waitFor for
// another type still finds them whatever order they came in.
var backlog = struct {
	sync.Mutex
	m map[*Client][]Event
}{m: map[*Client][]Event{}}

// waitFor returns the oldest unclaimed event of type T.
func waitFor[T Event](t *testing.T, c *Client) T {
	t.Helper()
	backlog.Lock()
	for i, e := range backlog.m[c] {
		if v, ok := e.(T); ok {
			backlog.m[c] = append(backlog.m[c][:i:i], backlog.m[c][i+1:]...)
			backlog.Unlock()
			return v
		}
	}
	backlog.Unlock()
	deadline := time.After(waitLong)
	for {
		select {
		case e := <-c.Events():
			if v, ok := e.(T); ok {
				return v
			}
			if er, ok := e.(Error); ok {
				t.Logf("relay error event: %v", er.Err)
			}
			backlog.Lock()
			backlog.m[c] = append(backlog.m[c], e)
			backlog.Unlock()
		case <-deadline:
			var zero T
			t.Fatalf("no %T event within %s", zero, waitLong)
		}
	}
}

// dancer is a dancer's page, as a plain WebSocket client.
type dancer struct {
	t    *testing.T
	conn *websocket.Conn
}

func newDancer(t *testing.T, r *relaytest.Relay, sessionID string) (*dancer, protocol.SessionState) {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(r.WSURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d := &dancer{t: t, conn: conn}
	d.send(protocol.TypeSubscribe, "sub", protocol.Subscribe{SessionID: sessionID, ClientID: "dancer-test-0001"})
	st := expect[*protocol.SessionState](d, protocol.TypeSessionState)
	return d, *st
}

func (d *dancer) send(typ protocol.Type, id string, payload any) {
	d.t.Helper()
	if err := d.conn.WriteMessage(websocket.TextMessage, protocol.Encode(typ, id, payload)); err != nil {
		d.t.Fatal(err)
	}
}

// expect reads frames until one of type typ arrives.
func expect[T any](d *dancer, typ protocol.Type) T {
	d.t.Helper()
	_ = d.conn.SetReadDeadline(time.Now().Add(waitLong))
	for {
		_, data, err := d.conn.ReadMessage()
		if err != nil {
			d.t.Fatalf("dancer waiting for %s: %v", typ, err)
		}
		env, p, err := protocol.DecodeServer(data)
		if err != nil {
			d.t.Fatal(err)
		}
		if env.Type == typ {
			return p.(T)
		}
		if env.Type == protocol.TypeError {
			d.t.Fatalf("dancer got error %v waiting for %s", p, typ)
		}
	}
}

func f64(v float64) *float64 { return &v }

func track(i int) protocol.Track {
	return protocol.Track{Artist: fmt.Sprintf("Artist %d", i), Title: fmt.Sprintf("Título %d", i), BPM: f64(90 + float64(i%100)), Key: "A minor", Camelot: "8A"}
}

func liveClient(t *testing.T, r *relaytest.Relay, token string, db *sqlDB, logs *syncBuf) (*harness, Session) {
	t.Helper()
	h := startClient(t, Config{
		RelayURL: r.URL, Token: token, SessionName: "Friday Salsa", PublicURL: "https://pika.dance",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, db)
	if err := h.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	reg := waitFor[Registered](t, h.c)
	return h, reg.Session
}

func TestLiveSession(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	logs := &syncBuf{}
	h, sess := liveClient(t, r, token, openDB(t), logs)
	c := h.c

	if sess.ID == "" || sess.DJName != "DJ Ana" || sess.Resumed {
		t.Fatalf("session = %+v", sess)
	}
	// The relay runs on loopback: the QR link comes from the public page URL.
	if sess.JoinURL != "https://pika.dance/live/"+sess.ID || !strings.Contains(sess.LocalJoinURL, "127.0.0.1") {
		t.Errorf("join %q local %q", sess.JoinURL, sess.LocalJoinURL)
	}

	d, _ := newDancer(t, r, sess.ID)
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	for i := range 3 {
		at := base.Add(time.Duration(i) * 3 * time.Minute)
		if err := c.SendNowPlaying(context.Background(), track(i), at); err != nil {
			t.Fatal(err)
		}
		play := expect[*protocol.Play](d, protocol.TypeNowPlaying)
		if play.Track.Artist != track(i).Artist || play.Track.Title != track(i).Title || play.Track.BPM == nil || *play.Track.BPM != 90+float64(i) || play.Track.Key != "A minor" {
			t.Errorf("dancer got %+v, want %+v", play.Track, track(i))
		}
		if !play.StartedAt.Equal(at) {
			t.Errorf("play %d started at %v, want its real time %v", i, play.StartedAt, at)
		}
		ps := waitFor[PlayStarted](t, c)
		if ps.Play.PlayID != play.PlayID {
			t.Errorf("DJ saw play %q, dancer %q", ps.Play.PlayID, play.PlayID)
		}
		if i == 2 {
			d.send(protocol.TypeLike, "like1", protocol.Like{PlayID: play.PlayID})
			likes := waitFor[Likes](t, c)
			if likes.PlayID != play.PlayID || likes.Count != 1 {
				t.Errorf("likes = %+v", likes)
			}
		}
	}
	if l := waitFor[Listeners](t, c); l.Count < 0 {
		t.Errorf("listeners = %d", l.Count)
	}

	dur := 60
	if err := c.StartPoll(context.Background(), protocol.StartPoll{Question: "Next?", Options: []string{"Salsa", "Bachata"}, DurationS: &dur}); err != nil {
		t.Fatal(err)
	}
	ps := expect[*protocol.PollStarted](d, protocol.TypePollStarted)
	if ps.Question != "Next?" || len(ps.Options) != 2 {
		t.Errorf("poll = %+v", ps)
	}
	waitFor[PollStarted](t, c)
	d.send(protocol.TypePollVote, "v1", protocol.PollVote{PollID: ps.PollID, OptionIndex: 1})
	if err := c.ClosePoll(context.Background(), ps.PollID); err != nil {
		t.Fatal(err)
	}
	closed := expect[*protocol.PollTallies](d, protocol.TypePollClosed)
	if closed.PollID != ps.PollID {
		t.Errorf("closed poll %+v", closed)
	}
	if err := c.Announce(context.Background(), protocol.Announce{Text: "Last song in 10 minutes"}); err != nil {
		t.Fatal(err)
	}
	if a := expect[*protocol.Announcement](d, protocol.TypeAnnouncement); a.Text != "Last song in 10 minutes" {
		t.Errorf("announcement = %+v", a)
	}
	if err := c.ClearAnnouncement(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect[*protocol.Empty](d, protocol.TypeAnnouncementCleared)

	// A message the relay refuses is reported and dropped; the next goes.
	if err := c.ClosePoll(context.Background(), "nosuchpoll"); err != nil {
		t.Fatal(err)
	}
	if e := waitFor[Error](t, c); e.Type != protocol.TypeClosePoll {
		t.Errorf("error event = %+v", e)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := c.End(ctx); err != nil {
		t.Fatal(err)
	}
	expect[*protocol.SessionEnded](d, protocol.TypeSessionEnded)
	if _, live := c.Session(); live {
		t.Error("still live after End")
	}
	if err := c.SendNowPlaying(context.Background(), track(9), time.Time{}); !errors.Is(err, ErrNotLive) {
		t.Errorf("send after End: %v, want ErrNotLive", err)
	}
	if n, _ := c.Pending(context.Background()); n != 0 {
		t.Errorf("%d messages left in the outbox", n)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(r.Logs(), token) {
		t.Error("the token appears in the logs")
	}
}

func TestOutboxAcrossRelayRestart(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ben@example.com", "DJ Ben")
	h, sess := liveClient(t, r, token, openDB(t), &syncBuf{})
	c := h.c

	r.Stop()
	waitFor[Disconnected](t, c)
	base := time.Now().Add(-20 * time.Minute).Truncate(time.Second)
	var times []time.Time
	for i := range 4 {
		at := base.Add(time.Duration(i) * 4 * time.Minute)
		times = append(times, at)
		if err := c.SendNowPlaying(context.Background(), track(i), at); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.Pending(context.Background()); err != nil || n != 4 {
		t.Fatalf("pending = %d %v, want 4 stored while the relay is down", n, err)
	}
	r.Restart(t)
	reg := waitFor[Registered](t, c)
	if reg.Session.ID != sess.ID || !reg.Session.Resumed {
		t.Fatalf("after the relay restart: %+v, want session %s resumed", reg.Session, sess.ID)
	}
	deadline := time.Now().Add(waitLong)
	for {
		n, err := c.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still pending", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var recap protocol.Recap
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", "", nil, &recap); code != http.StatusOK {
		t.Fatalf("recap: %d", code)
	}
	if len(recap.Plays) != 4 {
		t.Fatalf("recap has %d plays, want 4: %+v", len(recap.Plays), recap.Plays)
	}
	for i, p := range recap.Plays {
		if p.Track.Title != track(i).Title || !p.StartedAt.Equal(times[i]) {
			t.Errorf("play %d = %s at %v, want %s at %v", i, p.Track.Title, p.StartedAt, track(i).Title, times[i])
		}
	}
}

func TestResumeAfterAppRestart(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "cleo@example.com", "DJ Cleo")
	db := openDB(t)
	h1, sess := liveClient(t, r, token, db, &syncBuf{})
	if err := h1.c.SendNowPlaying(context.Background(), track(1), time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor[PlayStarted](t, h1.c)
	h1.stop() // the app quits (or crashes) mid-set

	h2, again := liveClient(t, r, token, db, &syncBuf{})
	if again.ID != sess.ID || !again.Resumed {
		t.Fatalf("restart within the window: %+v, want %s resumed", again, sess.ID)
	}
	d, st := newDancer(t, r, sess.ID)
	if st.NowPlaying == nil || st.NowPlaying.Track.Title != track(1).Title {
		t.Errorf("resumed session lost its play: %+v", st.NowPlaying)
	}
	_ = d
	h2.stop()

	// Last connected longer ago than the resume window: a new session.
	old := time.Now().Add(-protocol.ResumeWindow - time.Minute).UTC().Format(time.RFC3339Nano)
	if _, err := db.Exec(`UPDATE livelink_state SET value = ? WHERE key = ?`, old, keyLastConnected); err != nil {
		t.Fatal(err)
	}
	_, fresh := liveClient(t, r, token, db, &syncBuf{})
	if fresh.ID == sess.ID || fresh.Resumed {
		t.Errorf("after the window: %+v, want a new session", fresh)
	}
}

func TestRefusedToken(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "dee@example.com", "DJ Dee")
	dj, err := CheckToken(context.Background(), r.URL, token)
	if err != nil || dj.DisplayName != "DJ Dee" || dj.Email != "dee@example.com" {
		t.Fatalf("CheckToken = %+v, %v", dj, err)
	}
	bad := protocol.TokenPrefix + strings.Repeat("0", 32)
	if _, err := CheckToken(context.Background(), r.URL, bad); !errors.Is(err, ErrBadToken) {
		t.Errorf("CheckToken(unknown) = %v, want ErrBadToken", err)
	}
	logs := &syncBuf{}
	h := startClient(t, Config{RelayURL: r.URL, Token: bad, SessionName: "Nope",
		Logger: slog.New(slog.NewTextHandler(logs, nil))}, openDB(t))
	if err := h.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := waitFor[Error](t, h.c)
	if e.Err.Code != protocol.CodeUnauthorized {
		t.Errorf("error = %+v", e.Err)
	}
	waitFor[Disconnected](t, h.c)
	if _, live := h.c.Session(); live {
		t.Error("still trying with a refused token")
	}
	if strings.Contains(logs.String(), bad) {
		t.Error("the token appears in the log")
	}
}

// TestTagsAreCleaned: a title whose tags carry a bidi override, a
// zero-width space or a control character is still played, without them.
func TestTagsAreCleaned(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "tags@example.com", "DJ Tags")
	h, sess := liveClient(t, r, token, openDB(t), &syncBuf{})
	d, _ := newDancer(t, r, sess.ID)
	dirty := protocol.Track{Artist: "\uFEFFBand\u200B 👩\u200D🎤", Title: "Song\u202E (Live)\u0007\nTake 2"}
	if err := h.c.SendNowPlaying(context.Background(), dirty, time.Now()); err != nil {
		t.Fatal(err)
	}
	play := expect[*protocol.Play](d, protocol.TypeNowPlaying)
	if play.Track.Artist != "Band 👩\u200D🎤" || play.Track.Title != "Song (Live) Take 2" {
		t.Fatalf("dancer got %q / %q", play.Track.Artist, play.Track.Title)
	}
}

// TestRevokedTokenIsFinal: the DJ revokes the app's token on the web while
// live; the relay closes the connection and the link stops (no retries
// with a token that cannot work) with the relay's reason.
func TestRevokedTokenIsFinal(t *testing.T) {
	r := relaytest.Start(t)
	web := r.RegisterDJ(t, "rev@example.com", "DJ Rev")
	var ct protocol.CreatedToken
	if code := r.DoJSON(t, http.MethodPost, "/api/auth/tokens", web, protocol.CreateTokenRequest{Name: "laptop"}, &ct); code != http.StatusCreated {
		t.Fatalf("create token: %d", code)
	}
	h := startClient(t, Config{RelayURL: r.URL, Token: ct.Token, SessionName: "Revoked"}, openDB(t))
	if err := h.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor[Registered](t, h.c)
	if code := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+ct.ID, web, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	for {
		e := waitFor[Error](t, h.c)
		if e.Type == protocol.TypeRegisterSession {
			if e.Err.Code != protocol.CodeUnauthorized || e.Err.Message != protocol.MsgTokenRevoked {
				t.Fatalf("final error %+v, want the revocation", e.Err)
			}
			break
		}
	}
	for {
		d := waitFor[Disconnected](t, h.c)
		if d.Err != nil {
			if d.RetryIn != 0 {
				t.Fatalf("retrying in %v after the token was revoked", d.RetryIn)
			}
			break
		}
	}
	if _, live := h.c.Session(); live {
		t.Error("still live with a revoked token")
	}
}

func TestOfflineOutboxBoundAndEnd(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "eve@example.com", "DJ Eve")
	db := openDB(t)
	logs := &syncBuf{}
	h := startClient(t, Config{RelayURL: r.URL, Token: token, SessionName: "Offline", MaxOutbox: 3,
		Logger: slog.New(slog.NewTextHandler(logs, nil))}, db)
	if err := h.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := waitFor[Registered](t, h.c).Session
	r.Stop()
	if d := waitFor[Disconnected](t, h.c); d.Err == nil {
		t.Errorf("disconnected without a reason: %+v", d)
	}
	if d := waitFor[Disconnected](t, h.c); d.RetryIn < backoffMin/2 || d.RetryIn > backoffMax {
		t.Errorf("retry in %v, want within [%v, %v]", d.RetryIn, backoffMin/2, backoffMax)
	}
	for i := range 5 {
		if err := h.c.SendNowPlaying(context.Background(), track(i), time.Now().Add(time.Duration(i-10)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	dropped := 0
	for dropped < 2 {
		dropped += waitFor[OutboxDropped](t, h.c).Count
	}
	if n, _ := h.c.Pending(context.Background()); n != 3 {
		t.Errorf("pending = %d, want the bound 3", n)
	}
	if !strings.Contains(logs.String(), "outbox full") {
		t.Error("dropping was not logged")
	}
	// A play from days ago is refused at once, not queued.
	if err := h.c.SendNowPlaying(context.Background(), track(7), time.Now().Add(-72*time.Hour)); err == nil {
		t.Error("a 3-day-old play was accepted")
	}

	// Ending while the relay is down: abandoned locally after the timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := h.c.End(ctx); err == nil {
		t.Error("End without a relay reported success")
	}
	if _, live := h.c.Session(); live {
		t.Error("still live after End")
	}
	h.stop()

	// The next go-live is a new session: the abandoned session's plays are
	// dropped (with a warning), not replayed into tonight's session; a play
	// queued before the new session is registered belongs to it.
	r.Restart(t)
	logs2 := &syncBuf{}
	h2 := startClient(t, Config{RelayURL: r.URL, Token: token, SessionName: "Second",
		Logger: slog.New(slog.NewTextHandler(logs2, nil))}, db)
	if err := h2.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := h2.c.SendNowPlaying(context.Background(), track(9), time.Now()); err != nil {
		t.Fatal(err)
	}
	next := waitFor[Registered](t, h2.c).Session
	if next.ID == first.ID || next.Resumed {
		t.Errorf("after End the next go-live resumed %+v", next)
	}
	if d := waitFor[OutboxDropped](t, h2.c); d.Count != 3 || d.Session != first.ID || !d.Stale {
		t.Errorf("dropped %+v, want the 3 plays of session %s", d, first.ID)
	}
	if !strings.Contains(logs2.String(), "could not be resumed") {
		t.Error("dropping the old session's plays was not logged")
	}
	if p := waitFor[PlayStarted](t, h2.c); p.Play.Track.Title != track(9).Title {
		t.Errorf("delivered %q into the new session, want %q", p.Play.Track.Title, track(9).Title)
	}
	// The relay stores plays in the background: wait for tonight's.
	var recap protocol.Recap
	for deadline := time.Now().Add(waitLong); len(recap.Plays) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+next.ID+"/recap", "", nil, &recap); code != http.StatusOK {
			t.Fatalf("recap: %d", code)
		}
	}
	if len(recap.Plays) != 1 || recap.Plays[0].Track.Title != track(9).Title {
		t.Errorf("new session has %d plays, want only tonight's: %+v", len(recap.Plays), recap.Plays)
	}
}

func TestJitter(t *testing.T) {
	for _, d := range []time.Duration{backoffMin, 4 * time.Second, backoffMax} {
		for range 100 {
			if j := jitter(d); j < d/2 || j > d {
				t.Fatalf("jitter(%v) = %v, want within [%v, %v]", d, j, d/2, d)
			}
		}
	}
}

func TestResumeRefusedStartsNewSession(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "fay@example.com", "DJ Fay")
	db := openDB(t)
	h1, first := liveClient(t, r, token, db, &syncBuf{})
	h1.stop()

	// Meanwhile the session is ended from elsewhere (another device).
	conn, _, err := websocket.DefaultDialer.Dial(r.WSURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := &dancer{t: t, conn: conn}
	other.send(protocol.TypeRegisterSession, "r", protocol.RegisterSession{Token: token, Name: "x", ResumeSessionID: first.ID})
	expect[*protocol.SessionRegistered](other, protocol.TypeSessionRegistered)
	other.send(protocol.TypeEndSession, "e", protocol.Empty{})
	expect[*protocol.Ack](other, protocol.TypeAck)
	conn.Close()

	// The app comes back within the window: the resume is refused, a new
	// session starts and gets the play.
	h2, second := liveClient(t, r, token, db, &syncBuf{})
	if second.ID == first.ID || second.Resumed {
		t.Fatalf("got %+v, want a new session", second)
	}
	if err := h2.c.SendNowPlaying(context.Background(), track(3), time.Now()); err != nil {
		t.Fatal(err)
	}
	if p := waitFor[PlayStarted](t, h2.c); p.Play.Track.Title != track(3).Title {
		t.Errorf("play = %+v", p.Play.Track)
	}
}

// An evening offline: a backlog larger than the relay's burst limit is
// delivered whole, in order, with its times, once the relay is back.
func TestLongBacklogAfterOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("delivers 220 plays")
	}
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "gus@example.com", "DJ Gus")
	h, sess := liveClient(t, r, token, openDB(t), &syncBuf{})
	r.Stop()
	waitFor[Disconnected](t, h.c)
	const n = 220
	base := time.Now().Add(-47 * time.Hour).Truncate(time.Second)
	for i := range n {
		if err := h.c.SendNowPlaying(context.Background(), track(i), base.Add(time.Duration(i)*10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	r.Restart(t)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		left, err := h.c.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d plays still pending", left, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var recap protocol.Recap
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", "", nil, &recap); code != http.StatusOK {
		t.Fatalf("recap: %d", code)
	}
	if len(recap.Plays) != n {
		t.Fatalf("recap has %d plays, want %d", len(recap.Plays), n)
	}
	for i, p := range recap.Plays {
		if p.Track.Title != track(i).Title || !p.StartedAt.Equal(base.Add(time.Duration(i)*10*time.Minute)) {
			t.Fatalf("play %d = %q at %v", i, p.Track.Title, p.StartedAt)
		}
	}
	for {
		select {
		case e := <-h.c.Events():
			if er, ok := e.(Error); ok {
				t.Errorf("relay refused a queued play: %v", er.Err)
			}
			continue
		default:
		}
		break
	}
}

// Retry cuts the wait between attempts short: with a backoff of an hour, a
// second attempt comes only from Retry.
func TestRetryCutsTheBackoffShort(t *testing.T) {
	oldMin, oldMax := backoffMin, backoffMax
	backoffMin, backoffMax = time.Hour, time.Hour
	defer func() { backoffMin, backoffMax = oldMin, oldMax }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Something on loopback that takes the connection and drops it, as a
	// wrong port or a proxy in front of a stopped relay does.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	attempts := make(chan struct{}, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
			attempts <- struct{}{}
		}
	}()
	c, err := New(Config{RelayURL: "http://" + ln.Addr().String(), Token: "pk_dj_deadbeefdeadbeefdeadbeefdeadbeef", SessionName: "Friday"}, openDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GoLive(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() { stop(); <-done }()
	waitDrop := func(what string) {
		t.Helper()
		for {
			select {
			case e := <-c.Events():
				if d, ok := e.(Disconnected); ok {
					if d.Err == nil || d.RetryIn < time.Minute {
						t.Fatalf("%s: %+v; want an error and the hour's wait", what, d)
					}
					return
				}
			case <-ctx.Done():
				t.Fatalf("%s: no Disconnected event: %v", what, ctx.Err())
			}
		}
	}
	for i, what := range []string{"first attempt", "attempt after Retry"} {
		select {
		case <-attempts:
		case <-ctx.Done():
			t.Fatalf("%s never reached the listener", what)
		}
		waitDrop(what)
		if i == 0 {
			c.Retry()
		}
	}
}
