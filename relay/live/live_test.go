package live

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// waitFor bounds every wait for a broadcast: a hang guard, not a speed
// target.
const waitFor = 15 * time.Second

// peer is a connection as live sees it: it keeps every broadcast it gets
// and whether it was kicked.
type peer struct {
	mu     sync.Mutex
	got    []*hub.Message
	kicked string
	more   chan struct{}
}

func newPeer() *peer { return &peer{more: make(chan struct{}, 1)} }

func (p *peer) Deliver(m *hub.Message) {
	p.mu.Lock()
	p.got = append(p.got, m)
	p.mu.Unlock()
	select {
	case p.more <- struct{}{}:
	default:
	}
}

func (p *peer) Kick(reason string) {
	p.mu.Lock()
	p.kicked = reason
	p.mu.Unlock()
}

// types lists the types received so far.
func (p *peer) types() []protocol.Type {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]protocol.Type, len(p.got))
	for i, m := range p.got {
		out[i] = m.Type
	}
	return out
}

// expect waits for the next broadcast of type t after the ones already
// taken (from index *from on) and returns its decoded payload.
func (p *peer) expect(t *testing.T, from *int, typ protocol.Type) any {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		p.mu.Lock()
		for *from < len(p.got) {
			m := p.got[*from]
			*from++
			if m.Type == typ {
				p.mu.Unlock()
				env, payload, err := protocol.DecodeServer(m.Data)
				if err != nil || env.Type != typ {
					t.Fatalf("%s decoded as %v, %v", typ, env.Type, err)
				}
				return payload
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-deadline:
			t.Fatalf("no %s; got %v", typ, p.types())
		}
	}
}

type fixture struct {
	st *store.Store
	m  *Manager
	dj protocol.DJ
}

func setup(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "file:" + filepath.Join(t.TempDir(), "pika.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dj, _, err := st.CreateDJ(ctx, "dj@pika.invalid", "not-a-real-hash", "DJ Test", "test", "tokenhash")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Broker, cfg.PublicURL = st, hub.NewLocal(), "https://relay.pika.invalid/"
	m := NewManager(cfg)
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	return &fixture{st: st, m: m, dj: dj}
}

func (f *fixture) register(t *testing.T, p Peer, req protocol.RegisterSession) (*DJ, protocol.SessionRegistered) {
	t.Helper()
	d, reg, pe := f.m.Register(context.Background(), p, f.dj, &req)
	if pe != nil {
		t.Fatalf("register: %v", pe)
	}
	return d, reg
}

func (f *fixture) join(t *testing.T, p Peer, sessionID, clientID string) (*Dancer, protocol.SessionState) {
	t.Helper()
	d, st, _, pe := f.m.Subscribe(context.Background(), p, &protocol.Subscribe{SessionID: sessionID, ClientID: clientID}, "192.0.2.1")
	if pe != nil {
		t.Fatalf("subscribe %s: %v", clientID, pe)
	}
	return d, st
}

func ptr[T any](v T) *T { return &v }

func TestNowPlayingReachesDancersAndStore(t *testing.T) {
	f := setup(t, Config{})
	ctx := context.Background()
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Friday"})
	if reg.JoinURL != "https://relay.pika.invalid/live/"+reg.SessionID || reg.Resumed || reg.DJName != "DJ Test" {
		t.Fatalf("registered %+v", reg)
	}
	dancer := newPeer()
	_, st := f.join(t, dancer, reg.SessionID, "client-1")
	if st.NowPlaying != nil || st.Listeners != 1 || !st.Session.Live {
		t.Fatalf("first state: now playing %v, listeners %d, live %v", st.NowPlaying, st.Listeners, st.Session.Live)
	}
	seen := 0
	tests := []struct {
		name    string
		np      protocol.NowPlaying
		samePID bool // an update of the play before
		bpm     *float64
	}{
		{"first track", protocol.NowPlaying{Track: protocol.Track{Artist: "Artist", Title: "Song"}}, false, nil},
		{"same track, BPM known now", protocol.NowPlaying{Track: protocol.Track{Artist: " artist ", Title: "SONG", BPM: ptr(98.0)}}, true, ptr(98.0)},
		{"next track", protocol.NowPlaying{Track: protocol.Track{Artist: "Other", Title: "Tune", BPM: ptr(102.0)}}, false, ptr(102.0)},
	}
	prev := ""
	for _, tc := range tests {
		if pe := dj.NowPlaying(ctx, &tc.np); pe != nil {
			t.Fatalf("%s: %v", tc.name, pe)
		}
		play := dancer.expect(t, &seen, protocol.TypeNowPlaying).(*protocol.Play)
		if (play.PlayID == prev) != tc.samePID {
			t.Errorf("%s: play id %s after %s", tc.name, play.PlayID, prev)
		}
		if (play.Track.BPM == nil) != (tc.bpm == nil) || tc.bpm != nil && *play.Track.BPM != *tc.bpm {
			t.Errorf("%s: BPM %v, want %v", tc.name, play.Track.BPM, tc.bpm)
		}
		cur, err := f.st.CurrentPlay(ctx, reg.SessionID)
		if err != nil || cur == nil || cur.PlayID != play.PlayID {
			t.Fatalf("%s: stored current play %+v, %v; broadcast %s", tc.name, cur, err, play.PlayID)
		}
		prev = play.PlayID
	}
	plays, err := f.st.Plays(ctx, reg.SessionID)
	if err != nil || len(plays) != 2 {
		t.Fatalf("%d plays stored, %v; want 2", len(plays), err)
	}
}

// TestCountersCoalesce: likes and votes are recorded at once but broadcast
// together, one LIKE_COUNT per play however many likes came in.
func TestCountersCoalesce(t *testing.T) {
	// A window no test outlasts: the flush below is the only one.
	f := setup(t, Config{Coalesce: time.Hour})
	ctx := context.Background()
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Saturday"})
	if pe := dj.NowPlaying(ctx, &protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "B"}}); pe != nil {
		t.Fatal(pe)
	}
	cur, err := f.st.CurrentPlay(ctx, reg.SessionID)
	if err != nil || cur == nil {
		t.Fatalf("current play %v, %v", cur, err)
	}
	watcher := newPeer()
	f.join(t, watcher, reg.SessionID, "watcher")
	const dancers = 5
	for i := range dancers {
		d, _ := f.join(t, newPeer(), reg.SessionID, fmt.Sprint("client-", i))
		for range 2 { // a second like by the same client changes nothing
			if pe := d.Like(ctx, cur.PlayID); pe != nil {
				t.Fatalf("like %d: %v", i, pe)
			}
		}
		if pe := d.TempoVote(ctx, &protocol.TempoVote{PlayID: cur.PlayID, Vote: protocol.VoteFaster}); pe != nil {
			t.Fatalf("tempo vote %d: %v", i, pe)
		}
	}
	if pe := (&Dancer{r: f.m.roomOf(reg.SessionID), clientID: "x"}).Like(ctx, "no-such-play"); pe == nil || pe.Code != protocol.CodeNotFound {
		t.Fatalf("like of an unknown play: %v", pe)
	}
	for _, typ := range watcher.types() {
		if typ == protocol.TypeLikeCount || typ == protocol.TypeTempoTally || typ == protocol.TypeListenerCount {
			t.Fatalf("%s broadcast before the window closed: %v", typ, watcher.types())
		}
	}
	f.m.roomOf(reg.SessionID).flushNow()
	seen := 0
	if lc := watcher.expect(t, &seen, protocol.TypeLikeCount).(*protocol.LikeCount); lc.Count != dancers || lc.PlayID != cur.PlayID {
		t.Errorf("LIKE_COUNT %+v, want %d for %s", lc, dancers, cur.PlayID)
	}
	seen = 0
	if tt := watcher.expect(t, &seen, protocol.TypeTempoTally).(*protocol.TempoTally); tt.Faster != dancers {
		t.Errorf("TEMPO_TALLY %+v, want %d faster", tt, dancers)
	}
	seen = 0
	if lc := watcher.expect(t, &seen, protocol.TypeListenerCount).(*protocol.ListenerCount); lc.Count != dancers+1 {
		t.Errorf("LISTENER_COUNT %d, want %d", lc.Count, dancers+1)
	}
	counts := map[protocol.Type]int{}
	for _, typ := range watcher.types() {
		counts[typ]++
	}
	if counts[protocol.TypeLikeCount] != 1 || counts[protocol.TypeTempoTally] != 1 || counts[protocol.TypeListenerCount] != 1 {
		t.Fatalf("broadcasts %v, want one of each counter", counts)
	}
}

func TestCoalesceWindowGrowsWithRoom(t *testing.T) {
	base := 200 * time.Millisecond
	tests := []struct {
		listeners int
		want      time.Duration
	}{
		{0, base}, {1000, base}, {2000, 2 * base}, {5000, 5 * base}, {20000, 5 * base},
	}
	for _, tc := range tests {
		r := &Room{m: &Manager{cfg: Config{Coalesce: base}}, listeners: map[string]int{}}
		for i := range tc.listeners {
			r.listeners[fmt.Sprint(i)] = 1
		}
		if got := r.coalesceWindow(); got != tc.want {
			t.Errorf("%d listeners: window %v, want %v", tc.listeners, got, tc.want)
		}
	}
}

// TestPINChecks: no PIN is not a guess; an address over its wrong PINs is
// refused whatever it sends, the right PIN too, with a retry time; another
// address has its own budget; the DJ changing the PIN lets the new one in
// and not the old.
func TestPINChecks(t *testing.T) {
	f := setup(t, Config{PINLimits: pinguard.Limits{AddrGuesses: 3, AddrRefill: time.Hour, Lockout: time.Minute, SessionGuesses: 1000}})
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Protected", PIN: "2468"})
	sess, err := f.st.Session(context.Background(), reg.SessionID)
	if err != nil || !strings.HasPrefix(sess.PinHash, pinHashV2) || strings.Contains(sess.PinHash, "2468") {
		t.Fatalf("stored PIN %q, %v", sess.PinHash, err)
	}
	steps := []struct{ pin, ip, code, msg string }{
		{"", "192.0.2.7", string(protocol.CodePINRequired), "this session needs a PIN"},
		{"", "192.0.2.7", string(protocol.CodePINRequired), "this session needs a PIN"},
		{"0000", "192.0.2.7", string(protocol.CodeForbidden), "wrong PIN"},
		{"0001", "192.0.2.7", string(protocol.CodeForbidden), "wrong PIN"},
		{"0002", "192.0.2.7", string(protocol.CodePINLocked), "too many wrong PINs: try again in 60 s"},
		{"2468", "192.0.2.7", string(protocol.CodePINLocked), "too many wrong PINs: try again in 60 s"}, // the right PIN too
		{"0000", "192.0.2.8", string(protocol.CodeForbidden), "wrong PIN"},                              // another address has its own budget
		{"2468", "192.0.2.8", "", ""},
	}
	for i, s := range steps {
		_, pe := f.m.State(context.Background(), reg.SessionID, "", Access{PIN: s.pin, IP: s.ip})
		switch {
		case s.code == "" && pe != nil:
			t.Fatalf("step %d (pin %q from %s): %v, want accepted", i, s.pin, s.ip, pe)
		case s.code != "" && (pe == nil || string(pe.Code) != s.code || pe.Message != s.msg):
			t.Fatalf("step %d (pin %q from %s): %v, want %s %q", i, s.pin, s.ip, pe, s.code, s.msg)
		case s.code == string(protocol.CodePINLocked) && pe.RetryAfterS != 60:
			t.Fatalf("step %d: retry after %d s, want 60", i, pe.RetryAfterS)
		}
	}
	// The session's DJ reads it without the PIN.
	if _, pe := f.m.State(context.Background(), reg.SessionID, "", Access{IP: "192.0.2.7", DJID: f.dj.ID}); pe != nil {
		t.Fatalf("DJ reading the state: %v", pe)
	}
	// A dancer joining goes through the same check.
	if _, _, _, pe := f.m.Subscribe(context.Background(), newPeer(), &protocol.Subscribe{SessionID: reg.SessionID, PIN: "1111"}, "192.0.2.9"); pe == nil || pe.Code != protocol.CodeForbidden {
		t.Fatalf("subscribe with a wrong PIN: %v", pe)
	}
	if pe := dj.SetPIN(context.Background(), &protocol.SetPIN{PIN: "97531"}); pe != nil {
		t.Fatal(pe)
	}
	for _, tc := range []struct {
		pin string
		ok  bool
	}{{"2468", false}, {"97531", true}} {
		_, _, _, pe := f.m.Subscribe(context.Background(), newPeer(), &protocol.Subscribe{SessionID: reg.SessionID, PIN: tc.pin}, "192.0.2.10")
		if (pe == nil) != tc.ok {
			t.Errorf("after SET_PIN, pin %s: %v, want accepted %v", tc.pin, pe, tc.ok)
		}
	}
}

// TestPINHash: hashes are salted and keyed with the relay secret; an
// unkeyed hash from before the secret still matches, is reported legacy,
// and is replaced by a keyed one on the first right PIN.
func TestPINHash(t *testing.T) {
	f := setup(t, Config{Secret: []byte(strings.Repeat("k", 32))})
	other := NewManager(Config{Store: f.st, Broker: hub.NewLocal(), Secret: []byte(strings.Repeat("x", 32))})
	h := f.m.hashPIN("1234")
	if h == f.m.hashPIN("1234") {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	legacySum := sha256.Sum256([]byte("salt\x001234"))
	legacy := "salt$" + hex.EncodeToString(legacySum[:])
	tests := []struct {
		m            *Manager
		stored, pin  string
		want, legacy bool
	}{
		{f.m, h, "1234", true, false},
		{f.m, h, "1235", false, false},
		{f.m, h, "", false, false},
		{f.m, h, "12345", false, false},
		{other, h, "1234", false, false}, // another secret: the hash alone gives nothing
		{f.m, legacy, "1234", true, true},
		{f.m, legacy, "1235", false, true},
		{f.m, "no-separator", "1234", false, false},
		{f.m, "", "", false, false},
	}
	for _, tc := range tests {
		if got, leg := tc.m.pinMatches(tc.stored, tc.pin); got != tc.want || got && leg != tc.legacy {
			t.Errorf("pinMatches(%q, %q) = %v, %v; want %v, %v", tc.stored, tc.pin, got, leg, tc.want, tc.legacy)
		}
	}
	_, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Old", PIN: "1234"})
	if err := f.st.SetPinHash(context.Background(), reg.SessionID, legacy); err != nil {
		t.Fatal(err)
	}
	// The session is read from the store: a fresh manager on the same
	// database, as after an upgrade.
	up := NewManager(Config{Store: f.st, Broker: hub.NewLocal(), Secret: []byte(strings.Repeat("k", 32))})
	if _, pe := up.State(context.Background(), reg.SessionID, "", Access{PIN: "1234", IP: "192.0.2.1"}); pe != nil {
		t.Fatalf("legacy hash with the right PIN: %v", pe)
	}
	sess, err := f.st.Session(context.Background(), reg.SessionID)
	if err != nil || !strings.HasPrefix(sess.PinHash, pinHashV2) {
		t.Fatalf("after a right PIN the hash is %q (%v), want a keyed one", sess.PinHash, err)
	}
	if ok, _ := up.pinMatches(sess.PinHash, "1234"); !ok {
		t.Fatal("the rehashed PIN does not match")
	}
}

// TestResume: the DJ's second connection takes the session over, kicking
// the first; another DJ cannot, and nobody resumes an ended session.
func TestResume(t *testing.T) {
	f := setup(t, Config{})
	ctx := context.Background()
	first := newPeer()
	_, reg := f.register(t, first, protocol.RegisterSession{Name: "Sunday"})
	second := newPeer()
	dj2, reg2 := f.register(t, second, protocol.RegisterSession{ResumeSessionID: reg.SessionID})
	if !reg2.Resumed || reg2.SessionID != reg.SessionID {
		t.Fatalf("resume answered %+v", reg2)
	}
	if first.kicked == "" || second.kicked != "" {
		t.Fatalf("kicked: first %q, second %q", first.kicked, second.kicked)
	}
	other, _, err := f.st.CreateDJ(ctx, "other@pika.invalid", "not-a-real-hash", "Other", "test", "otherhash")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dj   protocol.DJ
		id   string
		code protocol.ErrorCode
	}{
		{"another DJ", other, reg.SessionID, protocol.CodeForbidden},
		{"unknown session", f.dj, "no-such-session", protocol.CodeNotFound},
	}
	for _, tc := range tests {
		if _, _, pe := f.m.Register(ctx, newPeer(), tc.dj, &protocol.RegisterSession{ResumeSessionID: tc.id}); pe == nil || pe.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, pe, tc.code)
		}
	}
	if pe := dj2.End(ctx); pe != nil {
		t.Fatal(pe)
	}
	if _, _, pe := f.m.Register(ctx, newPeer(), f.dj, &protocol.RegisterSession{ResumeSessionID: reg.SessionID}); pe == nil || pe.Code != protocol.CodeSessionEnded {
		t.Fatalf("resuming an ended session: %v", pe)
	}
	if pe := dj2.NowPlaying(ctx, &protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "B"}}); pe == nil || pe.Code != protocol.CodeSessionEnded {
		t.Fatalf("now playing after the end: %v", pe)
	}
}

// TestDJAwayEndsSession: a DJ who does not come back within the resume
// window ends the session at the time they left, and the dancers hear it.
func TestDJAwayEndsSession(t *testing.T) {
	f := setup(t, Config{ResumeWindow: 50 * time.Millisecond})
	ctx := context.Background()
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Late"})
	dancer := newPeer()
	f.join(t, dancer, reg.SessionID, "client-1")
	before := time.Now()
	dj.Leave()
	seen := 0
	ended := dancer.expect(t, &seen, protocol.TypeSessionEnded).(*protocol.SessionEnded)
	if ended.RecapURL != "https://relay.pika.invalid/recap/"+reg.SessionID {
		t.Fatalf("recap URL %q", ended.RecapURL)
	}
	sess, err := f.st.Session(ctx, reg.SessionID)
	if err != nil || sess.EndedAt == nil {
		t.Fatalf("session after the window: %+v, %v", sess, err)
	}
	if sess.EndedAt.Before(before.Add(-time.Second)) || sess.EndedAt.After(time.Now()) {
		t.Fatalf("ended at %v, the DJ left at about %v", sess.EndedAt, before)
	}
	if _, _, _, pe := f.m.Subscribe(ctx, newPeer(), &protocol.Subscribe{SessionID: reg.SessionID, ClientID: "late"}, "192.0.2.1"); pe == nil || pe.Code != protocol.CodeSessionEnded {
		t.Fatalf("joining an ended session: %v", pe)
	}
}

// TestRoomReloads: a new manager on the same database (a restarted relay)
// picks a live session up with its open poll and announcement.
func TestRoomReloads(t *testing.T) {
	f := setup(t, Config{})
	ctx := context.Background()
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Restart"})
	if pe := dj.StartPoll(ctx, &protocol.StartPoll{Question: "Next?", Options: []string{"Blues", "Swing"}, DurationS: ptr(3600)}); pe != nil {
		t.Fatal(pe)
	}
	if pe := dj.Announce(ctx, &protocol.Announce{Text: "Lesson at nine"}); pe != nil {
		t.Fatal(pe)
	}
	if failed := f.m.Shutdown(ctx); failed != 0 {
		t.Fatalf("%d departures not recorded", failed)
	}

	m2 := NewManager(Config{Store: f.st, Broker: hub.NewLocal(), PublicURL: "https://relay.pika.invalid"})
	defer m2.Shutdown(ctx)
	d, st, _, pe := m2.Subscribe(ctx, newPeer(), &protocol.Subscribe{SessionID: reg.SessionID, ClientID: "c1"}, "192.0.2.1")
	if pe != nil {
		t.Fatal(pe)
	}
	if st.ActivePoll == nil || st.ActivePoll.Question != "Next?" || st.ActivePoll.Closed {
		t.Fatalf("poll after reload: %+v", st.ActivePoll)
	}
	if st.Announcement == nil || st.Announcement.Text != "Lesson at nine" {
		t.Fatalf("announcement after reload: %+v", st.Announcement)
	}
	pollID := st.ActivePoll.PollID
	votes := []struct {
		option int
		code   protocol.ErrorCode // "" for accepted
	}{
		{1, ""},
		{1, ""}, // the same answer again is fine
		{0, protocol.CodeForbidden},
		{5, protocol.CodeForbidden}, // already voted beats a bad option
	}
	for i, v := range votes {
		pe := d.PollVote(ctx, &protocol.PollVote{PollID: pollID, OptionIndex: v.option})
		if v.code == "" && pe != nil || v.code != "" && (pe == nil || pe.Code != v.code) {
			t.Errorf("vote %d (option %d): %v, want %q", i, v.option, pe, v.code)
		}
	}
	r := m2.roomOf(reg.SessionID)
	r.mu.Lock()
	timed := r.poll != nil && r.poll.id == pollID && r.poll.timer != nil
	r.mu.Unlock()
	if !timed {
		t.Fatal("the reloaded poll has no closing timer")
	}
}

func TestStoreErrors(t *testing.T) {
	m := NewManager(Config{})
	tests := []struct {
		err  error
		code protocol.ErrorCode
	}{
		{store.ErrNotFound, protocol.CodeNotFound},
		{fmt.Errorf("read: %w", store.ErrNotFound), protocol.CodeNotFound},
		{store.ErrAlreadyVoted, protocol.CodeForbidden},
		{store.ErrPollClosed, protocol.CodeForbidden},
		{store.ErrBadOption, protocol.CodeBadRequest},
		{errors.New("disk on fire"), protocol.CodeInternalError},
	}
	for _, tc := range tests {
		if pe := m.storeErr("op", tc.err); pe.Code != tc.code {
			t.Errorf("%v: %s, want %s", tc.err, pe.Code, tc.code)
		}
	}
}

// roomOf is the room in memory for a session, nil if none.
func (m *Manager) roomOf(id string) *Room {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rooms[id]
}
