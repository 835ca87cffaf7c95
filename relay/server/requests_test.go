package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// requestCatalogue is a small catalogue; "played" is played before any
// request.
var requestCatalogue = []protocol.CatalogueTrack{
	{ID: "t1", Artist: "Michael Bublé", Title: "Feeling Good", BPM: ptr(128.0), Camelot: "8A"},
	{ID: "t2", Artist: "Michael Bublé", Title: "Sway", BPM: ptr(124.0)},
	{ID: "t3", Artist: "Ella Fitzgerald", Title: "Cheek to Cheek", BPM: ptr(120.0)},
	{ID: "t4", Artist: "Glenn Miller", Title: "In the Mood"},
	{ID: "t5", Artist: "Beyoncé", Title: "Crazy in Love"},
}

// search sends SEARCH_CATALOGUE and returns its CATALOGUE_RESULTS or ERROR.
func search(t *testing.T, c *relaytest.Client, q string) relaytest.Frame {
	t.Helper()
	id := c.Send(t, protocol.TypeSearchCatalogue, protocol.SearchCatalogue{Query: q})
	for {
		if f := c.Next(t); f.ID == id && (f.Type == protocol.TypeCatalogueResults || f.Type == protocol.TypeError) {
			return f
		}
	}
}

func searchIDs(t *testing.T, c *relaytest.Client, q string) []string {
	t.Helper()
	f := search(t, c, q)
	if f.Err() != nil {
		t.Fatalf("search %q: %s", q, f.Err())
	}
	var ids []string
	for _, h := range f.Payload.(*protocol.CatalogueResults).Tracks {
		ids = append(ids, h.ID)
	}
	return ids
}

func myRequest(t *testing.T, c *relaytest.Client, match func(*protocol.MyRequest) bool) *protocol.MyRequest {
	t.Helper()
	return c.ExpectWhere(t, protocol.TypeMyRequest, func(f relaytest.Frame) bool { return match(f.Payload.(*protocol.MyRequest)) }).Payload.(*protocol.MyRequest)
}

func queueWhere(t *testing.T, dj *relaytest.Client, match func(*protocol.RequestQueue) bool) *protocol.RequestQueue {
	t.Helper()
	return dj.ExpectWhere(t, protocol.TypeRequestQueue, func(f relaytest.Frame) bool { return match(f.Payload.(*protocol.RequestQueue)) }).Payload.(*protocol.RequestQueue)
}

// TestRequests walks dancers' requests end to end against a real relay:
// off by default, a catalogue in chunks, typo-tolerant search, one
// request with a count for one track, one open request per dancer, the
// cool-down, tracks played tonight, the DJ's answers, pausing and free
// text for the DJ alone.
func TestRequests(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Requests.Cooldown = time.Hour }))
	token := r.RegisterDJ(t, "dj-requests@example.com", "DJ Req")
	dj, reg := r.StartSession(t, token, "Requests night", "")
	queueWhere(t, dj, func(q *protocol.RequestQueue) bool { return !q.Settings.Enabled && len(q.Requests) == 0 })

	a, st := r.Join(t, reg.SessionID, "page-ana", "")
	if st.Requests == nil || st.Requests.Enabled {
		t.Fatalf("requests in SESSION_STATE = %+v, want present and off", st.Requests)
	}
	expectError(t, search(t, a, "sway"), protocol.CodeForbidden)
	expectError(t, a.Request(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "t1"}), protocol.CodeForbidden)

	dj.MustOK(t, protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true})
	a.ExpectWhere(t, protocol.TypeRequestsStatus, func(f relaytest.Frame) bool { return f.Payload.(*protocol.RequestsStatus).Open })
	// The catalogue in two chunks, then an update that drops one track.
	dj.MustOK(t, protocol.TypeCatalogue, protocol.Catalogue{Reset: true, Tracks: requestCatalogue[:3]})
	dj.MustOK(t, protocol.TypeCatalogue, protocol.Catalogue{Tracks: requestCatalogue[3:]})
	dj.MustOK(t, protocol.TypeCatalogue, protocol.Catalogue{Remove: []string{"t4"}})
	expectError(t, dj.Request(t, protocol.TypeCatalogue, protocol.Catalogue{Tracks: []protocol.CatalogueTrack{{ID: "../x", Title: "x"}}}), protocol.CodeBadRequest)
	// A dancer frame from the DJ and a DJ frame from a dancer are refused.
	expectError(t, a.Request(t, protocol.TypeCatalogue, protocol.Catalogue{Remove: []string{"t1"}}), protocol.CodeForbidden)

	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "ella fitzgerald", Title: "Cheek To Cheek"}})

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"sway", []string{"t2"}},
		{"bubl", []string{"t1", "t2"}},            // still typing
		{"micheal buble feeling", []string{"t1"}}, // a typo, no accent
		{"feelnig", []string{"t1"}},               // swapped letters
		{"BEYONCE", []string{"t5"}},
		{"glenn miller", nil}, // removed from the catalogue
		{"zzzz", nil},
	} {
		if got := searchIDs(t, a, tc.query); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("search %q = %v, want %v", tc.query, got, tc.want)
		}
	}
	cheek := search(t, a, "cheek").Payload.(*protocol.CatalogueResults)
	if len(cheek.Tracks) != 1 || cheek.Tracks[0].PlayedAt == nil {
		t.Fatalf("search cheek = %+v, want t3 marked played", cheek.Tracks)
	}

	b, _ := r.Join(t, reg.SessionID, "page-ben", "")
	c, _ := r.Join(t, reg.SessionID, "page-cleo", "")

	a.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "t1"})
	mine := myRequest(t, a, func(m *protocol.MyRequest) bool { return m.Request.Count == 1 })
	if mine.Request.State != protocol.RequestWaiting || mine.Request.Title != "Feeling Good" || mine.CooldownUntil == nil {
		t.Fatalf("MY_REQUEST = %+v", mine)
	}
	b.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "t1"})
	myRequest(t, a, func(m *protocol.MyRequest) bool { return m.Request.Count == 2 })
	myRequest(t, b, func(m *protocol.MyRequest) bool { return m.Request.Count == 2 })
	q := queueWhere(t, dj, func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].Count == 2 })
	reqID := q.Requests[0].RequestID
	if q.Catalogue != 4 {
		t.Errorf("queue's catalogue = %d, want 4", q.Catalogue)
	}
	hits := search(t, c, "feeling").Payload.(*protocol.CatalogueResults).Tracks
	if len(hits) != 1 || hits[0].RequestID != reqID || hits[0].Requests != 2 {
		t.Fatalf("search after requests = %+v, want t1 with its request ×2", hits)
	}
	if open := search(t, c, "").Payload.(*protocol.CatalogueResults).Tracks; len(open) != 1 || open[0].ID != "t1" {
		t.Fatalf("empty search = %+v, want the requested t1", open)
	}

	for _, tc := range []struct {
		name string
		from *relaytest.Client
		req  protocol.RequestTrack
		code protocol.ErrorCode
		want string
		// why is the reason the page says in its own language.
		why protocol.ErrorReason
	}{
		{"open request", a, protocol.RequestTrack{TrackID: "t2"}, protocol.CodeLimitReached, "still open", protocol.ReasonRequestOpen},
		{"played tonight", c, protocol.RequestTrack{TrackID: "t3"}, protocol.CodeForbidden, "already played tonight", protocol.ReasonPlayedTonight},
		{"unknown track", c, protocol.RequestTrack{TrackID: "t4"}, protocol.CodeNotFound, "no such track", protocol.ReasonNoSuchTrack},
		{"free text off", c, protocol.RequestTrack{Text: "something by Sinatra?"}, protocol.CodeForbidden, "from the list only", protocol.ReasonNoFreeText},
		{"both", c, protocol.RequestTrack{TrackID: "t2", Text: "x"}, protocol.CodeBadRequest, "not both", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.from.Request(t, protocol.TypeRequestTrack, tc.req)
			expectError(t, f, tc.code)
			if !strings.Contains(f.Err().Message, tc.want) {
				t.Errorf("message %q lacks %q", f.Err().Message, tc.want)
			}
			if f.Err().Reason != tc.why {
				t.Errorf("reason %q, want %q", f.Err().Reason, tc.why)
			}
		})
	}

	dj.MustOK(t, protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: reqID, State: protocol.RequestAccepted})
	myRequest(t, b, func(m *protocol.MyRequest) bool { return m.Request.State == protocol.RequestAccepted })
	dj.MustOK(t, protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: reqID, State: protocol.RequestPlayed})
	myRequest(t, a, func(m *protocol.MyRequest) bool { return m.Request.State == protocol.RequestPlayed })
	myRequest(t, b, func(m *protocol.MyRequest) bool { return m.Request.State == protocol.RequestPlayed })
	queueWhere(t, dj, func(q *protocol.RequestQueue) bool { return len(q.Requests) == 0 })
	expectError(t, dj.Request(t, protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: reqID, State: protocol.RequestDeclined}), protocol.CodeForbidden)
	expectError(t, dj.Request(t, protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: "nope", State: protocol.RequestAccepted}), protocol.CodeNotFound)

	// Played: Ana's request is closed, but her cool-down runs.
	f := a.Request(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "t2"})
	expectError(t, f, protocol.CodeRateLimited)
	if f.Err().Reason != protocol.ReasonRequestCooldown {
		t.Errorf("cool-down reason %q", f.Err().Reason)
	}
	if f.Err().RetryAfterS < 60 {
		t.Errorf("cool-down retryAfterS = %d, want about an hour", f.Err().RetryAfterS)
	}

	// Free text, for the DJ alone.
	dj.MustOK(t, protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true, FreeText: true})
	c.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{Text: "something by Sinatra?"})
	myRequest(t, c, func(m *protocol.MyRequest) bool { return m.Request.Text == "something by Sinatra?" })
	q = queueWhere(t, dj, func(q *protocol.RequestQueue) bool { return len(q.Requests) == 1 && q.Requests[0].Text != "" })
	dj.MustOK(t, protocol.TypeAnswerRequest, protocol.AnswerRequest{RequestID: q.Requests[0].RequestID, State: protocol.RequestDeclined, Reason: "not tonight"})
	if m := myRequest(t, c, func(m *protocol.MyRequest) bool { return m.Request.State == protocol.RequestDeclined }); m.Request.Reason != "not tonight" {
		t.Errorf("decline reason = %q", m.Request.Reason)
	}
	// Ben saw nothing of Cleo's request: everything he got up to his
	// next answer is about the settings at most.
	id := b.Send(t, protocol.TypeLike, protocol.Like{PlayID: "nope"})
	for {
		f := b.Next(t)
		if f.ID == id {
			break
		}
		if strings.Contains(string(f.Raw), "Sinatra") || strings.Contains(string(f.Raw), "not tonight") {
			t.Fatalf("another dancer got %s", f.Raw)
		}
	}

	// A page that comes back is told its request.
	a2, st2 := r.Join(t, reg.SessionID, "page-ana", "")
	if st2.Requests == nil || !st2.Requests.Open || st2.Requests.Tracks != 4 {
		t.Fatalf("requests in SESSION_STATE = %+v", st2.Requests)
	}
	myRequest(t, a2, func(m *protocol.MyRequest) bool { return m.Request.State == protocol.RequestPlayed })

	// Paused: closed for now.
	dj.MustOK(t, protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true, Paused: true})
	b.ExpectWhere(t, protocol.TypeRequestsStatus, func(f relaytest.Frame) bool { return !f.Payload.(*protocol.RequestsStatus).Open })
	f = c.Request(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "t2"})
	expectError(t, f, protocol.CodeForbidden)
	if !strings.Contains(f.Err().Message, "closed for now") {
		t.Errorf("paused: %q", f.Err().Message)
	}
}

// TestRequestCatalogueBound: the catalogue holds at most the relay's
// bound; the tracks past it are refused with too_large.
func TestRequestCatalogueBound(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Requests.MaxCatalogue = 3 }))
	token := r.RegisterDJ(t, "dj-bound@example.com", "DJ Bound")
	dj, reg := r.StartSession(t, token, "Bound", "")
	dj.MustOK(t, protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true})
	expectError(t, dj.Request(t, protocol.TypeCatalogue, protocol.Catalogue{Reset: true, Tracks: requestCatalogue}), protocol.CodeTooLarge)
	// Replacing tracks already in it is no growth.
	dj.MustOK(t, protocol.TypeCatalogue, protocol.Catalogue{Tracks: requestCatalogue[:3]})
	if _, st := r.Join(t, reg.SessionID, "", ""); st.Requests == nil || st.Requests.Tracks != 3 {
		t.Fatalf("requests = %+v, want 3 tracks", st.Requests)
	}
}

// TestRequestsPlayedAtTheEvent: a track the previous DJ of the event
// played tonight cannot be requested from the next set on the stage, and
// the refusal says when, in the event's time zone; the page follows the
// stage and gets the status with the set.
func TestRequestsPlayedAtTheEvent(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, st := eventWithStage(t, r)
	ana := r.RegisterDJ(t, "ana-req@example.com", "DJ Ana")
	ben := r.RegisterDJ(t, "ben-req@example.com", "DJ Ben")
	invite(t, r, org, ev.ID, ana, protocol.RoleDJ)
	invite(t, r, org, ev.ID, ben, protocol.RoleDJ)

	a, f := goLiveOn(t, r, ana, "Early set", st.ID)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	playedAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Minute)
	a.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Nora Blue", Title: "Late Night Shuffle"}, PlayedAt: &playedAt})
	a.MustOK(t, protocol.TypeEndSession, nil)

	b, f := goLiveOn(t, r, ben, "Late set", st.ID)
	regB, ok := f.Payload.(*protocol.SessionRegistered)
	if !ok {
		t.Fatalf("Ben goes live: %v", f.Err())
	}
	b.MustOK(t, protocol.TypeRequestSettings, protocol.RequestSettings{Enabled: true})
	b.MustOK(t, protocol.TypeCatalogue, protocol.Catalogue{Reset: true, Tracks: []protocol.CatalogueTrack{
		{ID: "s1", Artist: "Nora Blue", Title: "Late Night Shuffle"},
		{ID: "s2", Artist: "Nora Blue", Title: "Early Bird"},
	}})

	page := r.Dial(t, nil)
	page.MustOK(t, protocol.TypeSubscribeStage, protocol.SubscribeStage{Slug: st.Slug})
	stB := page.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: regB.SessionID}).Payload.(*protocol.SessionState)
	if stB.Requests == nil || !stB.Requests.Open {
		t.Fatalf("requests of the stage's set: %+v", stB.Requests)
	}
	res := search(t, page, "nora").Payload.(*protocol.CatalogueResults)
	if res.TimeZone != "Europe/Warsaw" || len(res.Tracks) != 2 {
		t.Fatalf("search on the stage: %+v", res)
	}
	for _, h := range res.Tracks {
		switch {
		case h.ID == "s1" && (h.PlayedAt == nil || !h.PlayedAt.Equal(playedAt)):
			t.Errorf("Late Night Shuffle played at %v, want %v", h.PlayedAt, playedAt)
		case h.ID == "s2" && h.PlayedAt != nil:
			t.Errorf("Early Bird, never played, is marked played at %v", h.PlayedAt)
		}
	}
	warsaw, _ := time.LoadLocation("Europe/Warsaw")
	f = page.Request(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "s1"})
	expectError(t, f, protocol.CodeForbidden)
	if want := "at " + playedAt.In(warsaw).Format("15:04"); !strings.Contains(f.Err().Message, want) {
		t.Errorf("refusal %q does not say %q", f.Err().Message, want)
	}
	page.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: "s2"})
}
