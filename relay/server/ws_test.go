package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/tursodatabase/go-libsql" // the test opens the relay's database file beside it

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// live is a started session with one play.
type live struct {
	r     *relaytest.Relay
	token string
	dj    *relaytest.Client
	reg   protocol.SessionRegistered
	play  *protocol.Play
}

func startLive(t *testing.T, r *relaytest.Relay, pin string) *live {
	t.Helper()
	token := r.RegisterDJ(t, "dj-"+strings.ReplaceAll(t.Name(), "/", "-")+"@example.com", "DJ Test")
	dj, reg := r.StartSession(t, token, "Test night", pin)
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ella Fitzgerald", Title: "Cheek to Cheek", BPM: ptr(120.0)}})
	np := dj.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	return &live{r: r, token: token, dj: dj, reg: reg, play: np}
}

func expectError(t *testing.T, f relaytest.Frame, code protocol.ErrorCode) {
	t.Helper()
	e := f.Err()
	if e == nil {
		t.Fatalf("got %s %s, want ERROR %s", f.Type, f.Raw, code)
	}
	if e.Code != code {
		t.Fatalf("got ERROR %s (%s), want %s", e.Code, e.Message, code)
	}
	if e.Message == "" {
		t.Fatal("ERROR without a message")
	}
}

func TestFrameErrors(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	tests := []struct {
		name  string
		setup func(t *testing.T) *relaytest.Client
		frame []byte
		code  protocol.ErrorCode
		id    string
	}{
		{"over 10 KB", nil, protocol.Encode(protocol.TypeAnnounce, "big", protocol.Announce{Text: strings.Repeat("x", 11*1024)}), protocol.CodeTooLarge, ""},
		{"not JSON", nil, []byte("hello"), protocol.CodeBadRequest, ""},
		{"JSON array", nil, []byte("[1,2]"), protocol.CodeBadRequest, ""},
		{"unknown type", nil, []byte(`{"type":"DANCE","id":"u1"}`), protocol.CodeBadRequest, "u1"},
		{"server-only type", nil, []byte(`{"type":"LIKE_COUNT","id":"u2","payload":{}}`), protocol.CodeBadRequest, "u2"},
		{"payload wrong type", nil, []byte(`{"type":"LIKE","id":"p1","payload":{"playId":7}}`), protocol.CodeBadRequest, "p1"},
		{"payload invalid", nil, []byte(`{"type":"TEMPO_VOTE","id":"p2","payload":{"playId":"abc","vote":"louder"}}`), protocol.CodeBadRequest, "p2"},
		{"id too long", nil, []byte(`{"type":"LIKE","id":"` + strings.Repeat("i", 65) + `"}`), protocol.CodeBadRequest, ""},
		{"DJ message before REGISTER_SESSION", nil, protocol.Encode(protocol.TypeNowPlaying, "n1", protocol.NowPlaying{Track: protocol.Track{Title: "x"}}), protocol.CodeUnauthorized, "n1"},
		{"END_SESSION before REGISTER_SESSION", nil, protocol.Encode(protocol.TypeEndSession, "e1", nil), protocol.CodeUnauthorized, "e1"},
		{"bad token", nil, protocol.Encode(protocol.TypeRegisterSession, "r1", protocol.RegisterSession{Token: "pk_dj_nope", Name: "x"}), protocol.CodeUnauthorized, "r1"},
		{"unknown token", nil, protocol.Encode(protocol.TypeRegisterSession, "r2", protocol.RegisterSession{Token: "pk_dj_0123456789abcdef0123456789abcdef", Name: "x"}), protocol.CodeUnauthorized, "r2"},
		{"like before SUBSCRIBE", nil, protocol.Encode(protocol.TypeLike, "l1", protocol.Like{PlayID: l.play.PlayID}), protocol.CodeBadRequest, "l1"},
		{"subscribe unknown session", nil, protocol.Encode(protocol.TypeSubscribe, "s1", protocol.Subscribe{SessionID: "0000000000000000", ClientID: "client-xyz"}), protocol.CodeNotFound, "s1"},
		{"dancer sends NOW_PLAYING", func(t *testing.T) *relaytest.Client {
			c, _ := r.Join(t, l.reg.SessionID, "client-np", "")
			return c
		}, protocol.Encode(protocol.TypeNowPlaying, "d1", protocol.NowPlaying{Track: protocol.Track{Title: "x"}}), protocol.CodeForbidden, "d1"},
		{"dancer sends REGISTER_SESSION", func(t *testing.T) *relaytest.Client {
			c, _ := r.Join(t, l.reg.SessionID, "client-rs", "")
			return c
		}, protocol.Encode(protocol.TypeRegisterSession, "d2", protocol.RegisterSession{Token: l.token, Name: "x"}), protocol.CodeForbidden, "d2"},
		{"DJ likes", func(t *testing.T) *relaytest.Client { return l.dj }, protocol.Encode(protocol.TypeLike, "j1", protocol.Like{PlayID: l.play.PlayID}), protocol.CodeForbidden, "j1"},
		{"DJ subscribes", func(t *testing.T) *relaytest.Client { return l.dj }, protocol.Encode(protocol.TypeSubscribe, "j2", protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: "client-dj"}), protocol.CodeForbidden, "j2"},
		{"like unknown play", func(t *testing.T) *relaytest.Client {
			c, _ := r.Join(t, l.reg.SessionID, "client-up", "")
			return c
		}, protocol.Encode(protocol.TypeLike, "x1", protocol.Like{PlayID: "ffffffffffffffff"}), protocol.CodeNotFound, "x1"},
		{"vote unknown poll", func(t *testing.T) *relaytest.Client {
			c, _ := r.Join(t, l.reg.SessionID, "client-vp", "")
			return c
		}, protocol.Encode(protocol.TypePollVote, "x2", protocol.PollVote{PollID: "ffffffffffffffff", OptionIndex: 0}), protocol.CodeNotFound, "x2"},
		{"close unknown poll", func(t *testing.T) *relaytest.Client { return l.dj }, protocol.Encode(protocol.TypeClosePoll, "x3", protocol.ClosePoll{PollID: "ffffffffffffffff"}), protocol.CodeNotFound, "x3"},
		{"resume unknown session", nil, protocol.Encode(protocol.TypeRegisterSession, "x4", protocol.RegisterSession{Token: l.token, Name: "x", ResumeSessionID: "0000000000000000"}), protocol.CodeNotFound, "x4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := r.Dial(t, nil)
			if tc.setup != nil {
				c = tc.setup(t)
			}
			c.SendRaw(t, tc.frame)
			f := c.Expect(t, protocol.TypeError)
			expectError(t, f, tc.code)
			if f.ID != tc.id {
				t.Fatalf("error id %q, want %q", f.ID, tc.id)
			}
			// The connection keeps working after an error.
			c.SendRaw(t, []byte(`{"type":"NOPE","id":"after"}`))
			if f := c.ExpectWhere(t, protocol.TypeError, func(f relaytest.Frame) bool { return f.ID == "after" }); f.Err() == nil {
				t.Fatal("no answer after the error")
			}
		})
	}
	// The relay is still healthy and the session untouched.
	if got := r.DoJSON(t, http.MethodGet, "/healthz", "", nil, nil); got != http.StatusOK {
		t.Fatalf("healthz after hostile frames: %d", got)
	}
}

func TestFrameBeyondReadLimitClosesConnection(t *testing.T) {
	r := relaytest.Start(t)
	c := r.Dial(t, nil)
	// The relay may close before the client has finished writing.
	_ = c.Conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"LIKE","payload":{"playId":"`+strings.Repeat("a", 100<<10)+`"}}`))
	err := c.WaitClosed(t)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("closed with %v, want close 1009", err)
	}
}

func TestRateLimitedFrames(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	c, _ := r.Join(t, l.reg.SessionID, "client-fast", "")
	const n = 60
	for i := 0; i < n; i++ {
		c.Send(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	}
	acks, limited := 0, 0
	for acks+limited < n {
		f := c.Next(t)
		switch {
		case f.Type == protocol.TypeAck:
			acks++
		case f.Err() != nil && f.Err().Code == protocol.CodeRateLimited:
			limited++
		}
	}
	if limited == 0 || acks == 0 {
		t.Fatalf("%d acks, %d rate_limited: want both", acks, limited)
	}
}

func TestNowPlayingIdentityAndUpdates(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	dancer, _ := r.Join(t, l.reg.SessionID, "client-np1", "")

	// The same song typed differently updates the current play.
	l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "  ella   FITZGERALD ", Title: "cheek to cheek", Energy: ptr(40.0), Key: "C major", Camelot: "8b"}})
	up := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if up.PlayID != l.play.PlayID {
		t.Fatalf("same track started a new play %s (was %s)", up.PlayID, l.play.PlayID)
	}
	if up.Track.BPM == nil || *up.Track.BPM != 120 || up.Track.Energy == nil || *up.Track.Energy != 40 || up.Track.Camelot != "8B" {
		t.Fatalf("updated play lost or missed numbers: %+v", up.Track)
	}
	if up.Track.Artist != "Ella Fitzgerald" || !up.StartedAt.Equal(l.play.StartedAt) {
		t.Fatalf("update changed the identity or start: %+v", up)
	}

	// A new track with playedAt keeps its real time.
	played := time.Now().Add(time.Second).UTC().Truncate(time.Millisecond)
	l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Count Basie", Title: "Jumpin' at the Woodside"}, PlayedAt: &played})
	next := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if next.PlayID == l.play.PlayID || !next.StartedAt.Equal(played) {
		t.Fatalf("new play = %+v, want start %s", next, played)
	}
	// Each NOW_PLAYING is broadcast once: what follows the Basie play is the
	// announcement sent after its ACK, not a second NOW_PLAYING.
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "marker"})
	for f := dancer.Next(t); f.Type != protocol.TypeAnnouncement; f = dancer.Next(t) {
		if f.Type == protocol.TypeNowPlaying {
			t.Fatalf("NOW_PLAYING broadcast twice: %s", f.Raw)
		}
	}
	// A play delivered late from the DJ's offline queue, older than the
	// current one, joins the history in its place without becoming now
	// playing.
	older := l.play.StartedAt.Add(-time.Minute)
	l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Benny Goodman", Title: "Sing Sing Sing"}, PlayedAt: &older})
	var st protocol.SessionState
	if got := r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state", "", nil, &st); got != http.StatusOK {
		t.Fatalf("state: %d", got)
	}
	if st.NowPlaying == nil || st.NowPlaying.PlayID != next.PlayID {
		t.Fatalf("now playing = %+v, want the Basie play", st.NowPlaying)
	}
	titles := []string{}
	for _, h := range st.History {
		titles = append(titles, h.Track.Title)
	}
	want := []string{"Jumpin' at the Woodside", "Cheek to Cheek", "Sing Sing Sing"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Fatalf("history %v, want %v (newest first by start time)", titles, want)
	}
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	for i, p := range rc.Plays {
		if i+1 < len(rc.Plays) && (p.EndedAt == nil || !p.EndedAt.Equal(rc.Plays[i+1].StartedAt)) {
			t.Fatalf("play %d ends at %v, the next starts at %v", i, p.EndedAt, rc.Plays[i+1].StartedAt)
		}
	}
}

func TestLikesTempoAndListeners(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-a1", "")
	b, _ := r.Join(t, l.reg.SessionID, "client-b1", "")
	a.ExpectWhere(t, protocol.TypeListenerCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.ListenerCount).Count == 2 })
	// The same client on a second connection counts once.
	a2, st := r.Join(t, l.reg.SessionID, "client-a1", "")
	if st.Listeners != 2 {
		t.Fatalf("listeners %d with a second tab, want 2", st.Listeners)
	}

	for i := 0; i < 3; i++ { // repeats are harmless
		a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	}
	a2.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	b.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	l.dj.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.LikeCount).Count == 2 })
	b.MustOK(t, protocol.TypeUnlike, protocol.Like{PlayID: l.play.PlayID})
	b.MustOK(t, protocol.TypeUnlike, protocol.Like{PlayID: l.play.PlayID})
	a.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.LikeCount).Count == 1 })

	a.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: l.play.PlayID, Vote: protocol.VoteFaster})
	a.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: l.play.PlayID, Vote: protocol.VoteSlower}) // the last vote counts
	b.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: l.play.PlayID, Vote: protocol.VotePerfect})
	b.ExpectWhere(t, protocol.TypeTempoTally, func(f relaytest.Frame) bool {
		tt := f.Payload.(*protocol.TempoTally)
		return tt.Faster == 0 && tt.Slower == 1 && tt.Perfect == 1
	})

	var st2 protocol.SessionState
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state?clientId="+r.ClientID(l.reg.SessionID, "client-a1"), "", nil, &st2)
	if len(st2.MyLikes) != 1 || st2.MyLikes[0] != l.play.PlayID || st2.MyTempoVotes[l.play.PlayID] != protocol.VoteSlower {
		t.Fatalf("client-a1's state: likes %v tempo %v", st2.MyLikes, st2.MyTempoVotes)
	}
	if st2.History[0].Likes != 1 || st2.Tempo == nil || st2.Tempo.Slower != 1 {
		t.Fatalf("state counts: %+v tempo %+v", st2.History[0], st2.Tempo)
	}

	b.Close()
	a.ExpectWhere(t, protocol.TypeListenerCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.ListenerCount).Count == 1 })
	var list []protocol.SessionSummary
	r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &list)
	if len(list) != 1 || list[0].Listeners != 1 || list[0].ID != l.reg.SessionID || list[0].Protected || list[0].Plays == nil || *list[0].Plays != 1 {
		t.Fatalf("live sessions %+v", list)
	}
}

func TestPolls(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-pa", "")
	b, _ := r.Join(t, l.reg.SessionID, "client-pb", "")

	l.dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Next style?", Options: []string{"Balboa", "Lindy", "Blues"}})
	p1 := a.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	if p1.EndsAt != nil || len(p1.Options) != 3 {
		t.Fatalf("poll started %+v", p1)
	}
	tests := []struct {
		name   string
		c      *relaytest.Client
		option int
		code   protocol.ErrorCode // "" = accepted
	}{
		{"a votes", a, 1, ""},
		{"a repeats the same answer", a, 1, ""},
		{"a changes answer", a, 2, protocol.CodeForbidden},
		{"b picks an option the poll lacks", b, 4, protocol.CodeBadRequest},
		{"b votes", b, 1, ""},
	}
	for _, tc := range tests {
		f := tc.c.Request(t, protocol.TypePollVote, protocol.PollVote{PollID: p1.PollID, OptionIndex: tc.option})
		if tc.code == "" {
			if f.Err() != nil {
				t.Fatalf("%s: %v", tc.name, f.Err())
			}
			continue
		}
		expectError(t, f, tc.code)
	}
	b.ExpectWhere(t, protocol.TypePollUpdate, func(f relaytest.Frame) bool { return f.Payload.(*protocol.PollTallies).Tallies[1] == 2 })

	// A new poll closes the previous one.
	l.dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Water break?", Options: []string{"Yes", "No"}, DurationS: ptr(600)})
	closed := a.Expect(t, protocol.TypePollClosed).Payload.(*protocol.PollTallies)
	if closed.PollID != p1.PollID || closed.Tallies[1] != 2 {
		t.Fatalf("poll closed %+v", closed)
	}
	p2 := a.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	if p2.EndsAt == nil || time.Until(*p2.EndsAt) < 9*time.Minute {
		t.Fatalf("second poll ends at %v", p2.EndsAt)
	}
	expectError(t, a.Request(t, protocol.TypePollVote, protocol.PollVote{PollID: p1.PollID, OptionIndex: 0}), protocol.CodeForbidden)
	a.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: p2.PollID, OptionIndex: 0})
	l.dj.MustOK(t, protocol.TypeClosePoll, protocol.ClosePoll{PollID: p2.PollID})
	l.dj.MustOK(t, protocol.TypeClosePoll, protocol.ClosePoll{PollID: p2.PollID}) // harmless twice
	b.ExpectWhere(t, protocol.TypePollClosed, func(f relaytest.Frame) bool { return f.Payload.(*protocol.PollTallies).PollID == p2.PollID })

	var st protocol.SessionState
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state?clientId="+r.ClientID(l.reg.SessionID, "client-pa"), "", nil, &st)
	if st.ActivePoll == nil || st.ActivePoll.PollID != p2.PollID || !st.ActivePoll.Closed || st.MyPollVotes[p1.PollID] != 1 || st.MyPollVotes[p2.PollID] != 0 {
		t.Fatalf("state poll %+v my votes %v", st.ActivePoll, st.MyPollVotes)
	}
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	if len(rc.Polls) != 2 || rc.Polls[0].Votes != 2 || rc.Polls[1].Votes != 1 || !rc.Polls[0].Closed || rc.Polls[0].ClosedAt == nil {
		t.Fatalf("recap polls %+v", rc.Polls)
	}
}

// TestTimedPollAndAnnouncement waits for a poll's duration and an
// announcement's expiry: the relay closes and clears them by itself.
func TestTimedPollAndAnnouncement(t *testing.T) {
	t.Parallel()
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-timed", "")
	l.dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Quick?", Options: []string{"Yes", "No"}, DurationS: ptr(protocol.MinPollDurationS)})
	p := a.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	a.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: p.PollID, OptionIndex: 0})
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "Cake in the lobby", DurationS: ptr(protocol.MinAnnounceDuration)})
	ann := a.Expect(t, protocol.TypeAnnouncement).Payload.(*protocol.Announcement)
	if ann.Text != "Cake in the lobby" || ann.ExpiresAt == nil {
		t.Fatalf("announcement %+v", ann)
	}
	a.Expect(t, protocol.TypeAnnouncementCleared)
	closed := a.Expect(t, protocol.TypePollClosed).Payload.(*protocol.PollTallies)
	if closed.PollID != p.PollID || closed.Tallies[0] != 1 {
		t.Fatalf("poll closed %+v", closed)
	}
	expectError(t, a.Request(t, protocol.TypePollVote, protocol.PollVote{PollID: p.PollID, OptionIndex: 1}), protocol.CodeForbidden)
}

func TestAnnouncements(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-ann", "")
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "  Welcome!  "})
	first := a.Expect(t, protocol.TypeAnnouncement).Payload.(*protocol.Announcement)
	if first.Text != "Welcome!" || first.ExpiresAt != nil {
		t.Fatalf("announcement %+v", first)
	}
	expectError(t, l.dj.Request(t, protocol.TypeAnnounce, protocol.Announce{Text: strings.Repeat("é", 281)}), protocol.CodeBadRequest)
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: strings.Repeat("é", 280)})
	second := a.Expect(t, protocol.TypeAnnouncement).Payload.(*protocol.Announcement)
	var st protocol.SessionState
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state", "", nil, &st)
	if st.Announcement == nil || st.Announcement.AnnouncementID != second.AnnouncementID {
		t.Fatalf("state announcement %+v", st.Announcement)
	}
	l.dj.MustOK(t, protocol.TypeClearAnnouncement, protocol.Empty{})
	a.Expect(t, protocol.TypeAnnouncementCleared)
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state", "", nil, &st)
	if st.Announcement != nil {
		t.Fatalf("cleared announcement still in state: %+v", st.Announcement)
	}
}

func TestPIN(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "2468")
	tests := []struct {
		name, pin string
		code      protocol.ErrorCode
	}{
		{"no PIN", "", protocol.CodePINRequired},
		{"wrong PIN", "1111", protocol.CodeForbidden},
		{"right PIN", "2468", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := r.Dial(t, nil)
			f := c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: "client-pin", PIN: tc.pin})
			if tc.code != "" {
				expectError(t, f, tc.code)
			} else if f.Type != protocol.TypeSessionState {
				t.Fatalf("right PIN answered %s", f.Raw)
			}
			req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/sessions/"+l.reg.SessionID+"/state", nil)
			if tc.pin != "" {
				req.Header.Set("X-Session-Pin", tc.pin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusOK
			if tc.code != "" {
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				t.Fatalf("REST state status %d, want %d", resp.StatusCode, want)
			}
		})
	}
	var list []protocol.SessionSummary
	r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &list)
	if len(list) != 1 || !list[0].Protected {
		t.Fatalf("sessions %+v: want one protected", list)
	}
}

// TestPINSharedVenueIP: dancers behind one venue address whose pages
// first ask without a PIN (as session.js does) never lock out a dancer
// with the right PIN.
func TestPINSharedVenueIP(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "2468")
	for i := 0; i < 25; i++ {
		c := r.Dial(t, nil)
		expectError(t, c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: fmt.Sprintf("phone-%04d", i)}), protocol.CodePINRequired)
		req, _ := http.NewRequest(http.MethodGet, r.URL+"/api/sessions/"+l.reg.SessionID+"/state", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("REST state without PIN: status %d, want 403", resp.StatusCode)
		}
		c.Close()
	}
	c := r.Dial(t, nil)
	if f := c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: "phone-last", PIN: "2468"}); f.Type != protocol.TypeSessionState {
		t.Fatalf("right PIN after 25 PIN-less visits answered %s", f.Raw)
	}
}

func TestEndSession(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-end", "")
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	l.dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	ended := a.Expect(t, protocol.TypeSessionEnded).Payload.(*protocol.SessionEnded)
	if ended.RecapURL != r.URL+"/recap/"+l.reg.SessionID {
		t.Fatalf("recap URL %q", ended.RecapURL)
	}
	expectError(t, a.Request(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID}), protocol.CodeSessionEnded)
	expectError(t, l.dj.Request(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Title: "x"}}), protocol.CodeSessionEnded)
	c := r.Dial(t, nil)
	expectError(t, c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: "client-late"}), protocol.CodeSessionEnded)
	expectError(t, l.dj.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "x", ResumeSessionID: l.reg.SessionID}), protocol.CodeSessionEnded)

	var list []protocol.SessionSummary
	r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &list)
	if len(list) != 0 {
		t.Fatalf("ended session still listed live: %+v", list)
	}
	var mine []protocol.SessionSummary
	if got := r.DoJSON(t, http.MethodGet, "/api/dj/sessions", l.token, nil, &mine); got != http.StatusOK || len(mine) != 1 || mine[0].EndedAt == nil {
		t.Fatalf("dj sessions %d %+v", got, mine)
	}
	other := r.RegisterDJ(t, "other@example.com", "Other")
	r.DoJSON(t, http.MethodGet, "/api/dj/sessions", other, nil, &mine)
	if len(mine) != 0 {
		t.Fatalf("another DJ sees %+v", mine)
	}
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/recap", "", nil, &rc)
	if rc.Session.Live || rc.Session.EndedAt == nil || rc.TotalLikes != 1 || rc.UniqueDancers != 1 || rc.PeakListeners != 1 ||
		len(rc.Plays) != 1 || rc.Plays[0].EndedAt == nil || !rc.Plays[0].EndedAt.Equal(*rc.Session.EndedAt) {
		b, _ := json.Marshal(rc)
		t.Fatalf("recap %s", b)
	}
	// A DJ connection can start a new session after ending one.
	f := l.dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "Second set"})
	if reg := f.Payload.(*protocol.SessionRegistered); reg.SessionID == l.reg.SessionID || reg.Resumed {
		t.Fatalf("second session %+v", reg)
	}
}

func TestReadingRESTErrors(t *testing.T) {
	r := relaytest.Start(t)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/api/sessions/0000000000000000/state", http.StatusNotFound},
		{"/api/sessions/0000000000000000/recap", http.StatusNotFound},
		{"/api/sessions/bad%20id/state", http.StatusNotFound},
		{"/api/sessions/0000000000000000/state?clientId=short", http.StatusBadRequest},
		{"/api/dj/sessions", http.StatusUnauthorized},
		{"/api/nothing-here", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var e protocol.APIError
			if got := r.DoJSON(t, http.MethodGet, tc.path, "", nil, &e); got != tc.want || e.Error == "" {
				t.Fatalf("status %d (%q), want %d with a message", got, e.Error, tc.want)
			}
		})
	}
}

// TestClientPingGetsPong: control frames from the client are answered
// through the same write queue as everything else.
func TestClientPingGetsPong(t *testing.T) {
	r := relaytest.Start(t)
	c := r.Dial(t, nil)
	pong := make(chan string, 1)
	c.Conn.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := c.Conn.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-pong:
		if got != "are you there" {
			t.Fatalf("pong %q", got)
		}
	case <-time.After(relaytest.FrameTimeout):
		t.Fatal("no pong")
	}
	// A close from the client is echoed.
	if err := c.Conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	var ce *websocket.CloseError
	if err := c.WaitClosed(t); !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("closed with %v, want the echoed 1001", err)
	}
}

// TestFailedPlayIsTakenBack: NOW_PLAYING is broadcast before its commit;
// when the commit fails the DJ gets the ERROR and the room gets the
// previous play again, so no page keeps showing a play that does not
// exist. The failure is a real database error (a trigger refusing the
// insert).
func TestFailedPlayIsTakenBack(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	dancer, _ := r.Join(t, l.reg.SessionID, "client-phantom", "")
	db := openDB(t, r.DBPath)
	if _, err := db.ExecContext(context.Background(), `CREATE TRIGGER refuse_boom BEFORE INSERT ON plays
		WHEN (SELECT title FROM tracks WHERE id = NEW.track_id) = 'Boom'
		BEGIN SELECT RAISE(ABORT, 'disk says no'); END`); err != nil {
		t.Fatal(err)
	}
	expectError(t, l.dj.Request(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Nobody", Title: "Boom"}}), protocol.CodeInternalError)
	phantom := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if phantom.Track.Title != "Boom" {
		t.Fatalf("first broadcast %+v, want the predicted play", phantom)
	}
	back := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	if back.PlayID != l.play.PlayID {
		t.Fatalf("after the failed commit the room got %+v, want the previous play %s", back, l.play.PlayID)
	}
	var st protocol.SessionState
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+l.reg.SessionID+"/state", "", nil, &st)
	if st.NowPlaying == nil || st.NowPlaying.PlayID != l.play.PlayID || len(st.History) != 1 {
		t.Fatalf("state after the failed play: now %+v, %d plays", st.NowPlaying, len(st.History))
	}
	// The next play is announced and stored as usual.
	l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ella Fitzgerald", Title: "Blue Skies"}})
	if np := dancer.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play); np.Track.Title != "Blue Skies" {
		t.Fatalf("next play %+v", np)
	}
}

// TestPlayedAtBeforeSessionMovesItsStart: a play the DJ made offline before
// going live keeps its real time, and the session began with it.
func TestPlayedAtBeforeSessionMovesItsStart(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "dj-clamp@example.com", "DJ Clamp")
	dj, reg := r.StartSession(t, token, "Clamp night", "")
	early := time.Now().Add(-3 * time.Hour)
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Artie Shaw", Title: "Begin the Beguine"}, PlayedAt: &early})
	np := dj.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/recap", "", nil, &rc)
	if len(rc.Plays) != 1 {
		t.Fatalf("%d plays in the recap", len(rc.Plays))
	}
	want := early.UTC().Truncate(time.Millisecond)
	start := rc.Session.StartedAt
	if got := rc.Plays[0].StartedAt; !got.Equal(want) || !np.StartedAt.Equal(want) || !start.Equal(want) {
		t.Fatalf("play starts at %s (broadcast %s), the session at %s; want all at the play's real time %s", got, np.StartedAt, start, want)
	}
	if rc.DurationS < 3*3600-60 {
		t.Fatalf("recap lasts %.0f s, want the 3 h since the play", rc.DurationS)
	}
}
