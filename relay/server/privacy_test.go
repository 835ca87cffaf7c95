package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// getAs GETs path with an optional PIN header and Bearer token and returns
// the status and the error code of the body.
func getAs(t *testing.T, r *relaytest.Relay, path, pin, token string) (int, protocol.ErrorCode) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pin != "" {
		req.Header.Set("X-Session-Pin", pin)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := relaytest.HTTPClientFrom("127.0.0.1").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e protocol.APIError
	if resp.StatusCode != http.StatusOK {
		_ = json.NewDecoder(resp.Body).Decode(&e)
	}
	return resp.StatusCode, e.Code
}

// TestPINSessionPrivate: a PIN session's list entry, state and recap
// reveal nothing of what is played without the PIN or its DJ; its recap
// stays private after it ends unless the DJ chose a public recap.
func TestPINSessionPrivate(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "2468")
	other := r.RegisterDJ(t, "someone-else@example.com", "DJ Else")
	var list []protocol.SessionSummary
	r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, &list)
	if len(list) != 1 || !list[0].Protected || list[0].Plays != nil {
		t.Fatalf("public list %+v: want the session without its plays", list)
	}
	var mine []protocol.SessionSummary
	r.DoJSON(t, http.MethodGet, "/api/dj/sessions", l.token, nil, &mine)
	if len(mine) != 1 || mine[0].Plays == nil || *mine[0].Plays != 1 {
		t.Fatalf("the DJ's own list %+v: want its plays", mine)
	}
	id := l.reg.SessionID
	check := func(when string, cases []struct {
		path, pin, token string
		status           int
		code             protocol.ErrorCode
	}) {
		t.Helper()
		for _, c := range cases {
			status, code := getAs(t, r, c.path, c.pin, c.token)
			if status != c.status || code != c.code {
				t.Errorf("%s: GET %s (pin %q, token %v): %d %s, want %d %s", when, c.path, c.pin, c.token != "", status, code, c.status, c.code)
			}
		}
	}
	type tc = struct {
		path, pin, token string
		status           int
		code             protocol.ErrorCode
	}
	live := []tc{
		{"/api/sessions/" + id + "/state", "", "", 403, protocol.CodePINRequired},
		{"/api/sessions/" + id + "/state", "2468", "", 200, ""},
		{"/api/sessions/" + id + "/state", "", l.token, 200, ""},
		{"/api/sessions/" + id + "/state", "", other, 403, protocol.CodePINRequired},
		{"/api/sessions/" + id + "/recap", "", "", 403, protocol.CodePINRequired},
		{"/api/sessions/" + id + "/recap", "1111", "", 403, protocol.CodeForbidden},
		{"/api/sessions/" + id + "/recap", "2468", "", 200, ""},
		{"/api/sessions/" + id + "/recap?pin=2468", "", "", 200, ""},
		{"/api/sessions/" + id + "/recap", "", l.token, 200, ""},
		{"/api/sessions/" + id + "/recap", "", other, 403, protocol.CodePINRequired},
		{"/api/sessions/" + id + "/recap", "", "pk_dj_00000000000000000000000000000000", 401, ""},
	}
	check("live", live)
	l.dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	check("ended", live[4:])

	// A PIN session whose DJ chose a public recap: private while live,
	// public once ended.
	dj := r.Dial(t, nil)
	reg := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "Open recap", PIN: "1357", PublicRecap: ptr(true)}).Payload.(*protocol.SessionRegistered)
	path := "/api/sessions/" + reg.SessionID + "/recap"
	check("public recap, live", []tc{{path, "", "", 403, protocol.CodePINRequired}})
	dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	check("public recap, ended", []tc{{path, "", "", 200, ""}})

	// A session without a PIN whose DJ chose a private recap: public
	// while live (its state is anyway), then only for its DJ.
	dj2 := r.Dial(t, nil)
	reg2 := dj2.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "Private recap", PublicRecap: ptr(false)}).Payload.(*protocol.SessionRegistered)
	path2 := "/api/sessions/" + reg2.SessionID + "/recap"
	check("private recap, live", []tc{{path2, "", "", 200, ""}})
	dj2.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	check("private recap, ended", []tc{{path2, "", "", 403, protocol.CodeForbidden}, {path2, "", l.token, 200, ""}, {path2, "", other, 403, protocol.CodeForbidden}})

	// Without a PIN and without a choice the recap is public.
	_, reg3 := r.StartSession(t, l.token, "Plain", "")
	var rc protocol.Recap
	if st := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg3.SessionID+"/recap", "", nil, &rc); st != 200 || !rc.Session.PublicRecap {
		t.Fatalf("plain session recap: %d %+v", st, rc.Session)
	}
}

// TestClientIDsIssued: the relay issues client ids; a page keeps its id
// across reconnects; an id the relay did not sign is replaced; one
// connection re-subscribing with fresh ids stays one dancer, so it cannot
// stuff likes; an address gets a bounded number of new ids per session;
// the recap counts pages.
func TestClientIDsIssued(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithClientIDLimit(4, time.Hour))
	l := startLive(t, r, "")
	id := l.reg.SessionID

	a := r.MustDialFrom(t, "127.0.0.30")
	st := a.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id}).Payload.(*protocol.SessionState)
	issued := st.ClientID
	if len(issued) < protocol.MinClientIDLen || !protocol.ValidID(issued) {
		t.Fatalf("issued client id %q", issued)
	}
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	// Re-subscribing on the same connection with made-up ids: the same
	// dancer each time, and its likes count once.
	for i := 0; i < 10; i++ {
		st := a.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id, ClientID: "stuffer-" + strings.Repeat("x", i+1)}).Payload.(*protocol.SessionState)
		if st.ClientID != issued {
			t.Fatalf("re-subscribe %d got client id %q, want %q", i, st.ClientID, issued)
		}
		a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	}
	a.Close()
	// The page reloads (a new connection) with its id: same dancer.
	b := r.MustDialFrom(t, "127.0.0.30")
	st = b.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id, ClientID: issued}).Payload.(*protocol.SessionState)
	if st.ClientID != issued || len(st.MyLikes) != 1 || st.History[0].Likes != 1 {
		t.Fatalf("after reload: id %q my likes %v likes %d", st.ClientID, st.MyLikes, st.History[0].Likes)
	}
	// A forged id (right shape, wrong signature) and an old page's
	// random id are both replaced.
	forged := "c" + strings.Repeat("A", 40)
	for _, presented := range []string{forged, "old-page-random-id-1234"} {
		c := r.MustDialFrom(t, "127.0.0.30")
		st := c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id, ClientID: presented}).Payload.(*protocol.SessionState)
		if st.ClientID == presented || st.ClientID == issued || len(st.ClientID) != len(issued) {
			t.Fatalf("presented %q, issued %q", presented, st.ClientID)
		}
	}
	// REST refuses an id the relay did not issue and accepts its own.
	if status, _ := getAs(t, r, "/api/sessions/"+id+"/state?clientId="+forged, "", ""); status != http.StatusBadRequest {
		t.Fatalf("REST state with a forged id: %d, want 400", status)
	}
	var rs protocol.SessionState
	if r.DoJSON(t, http.MethodGet, "/api/sessions/"+id+"/state?clientId="+issued, "", nil, &rs); len(rs.MyLikes) != 1 {
		t.Fatalf("REST state with the issued id: my likes %v", rs.MyLikes)
	}
	// Three ids issued to 127.0.0.30 so far; one more, then no more.
	r.MustDialFrom(t, "127.0.0.30").MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id})
	f := r.MustDialFrom(t, "127.0.0.30").Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id})
	if e := f.Err(); e == nil || e.Code != protocol.CodeRateLimited || e.RetryAfterS < 1 {
		t.Fatalf("fifth new id from one address: %s", f.Raw)
	}
	// A page that has its id still gets in from there, and another
	// address gets new ids.
	r.MustDialFrom(t, "127.0.0.30").MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id, ClientID: issued})
	r.MustDialFrom(t, "127.0.0.31").MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id})
	var rc protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+id+"/recap", "", nil, &rc)
	if rc.UniqueDancers != 5 || rc.TotalLikes != 1 {
		t.Fatalf("recap: %d dancers %d likes, want 5 pages and 1 like", rc.UniqueDancers, rc.TotalLikes)
	}

	// An id is good in its session only: ids gathered in a session of
	// one's own are replaced in another.
	_, other := r.StartSession(t, r.RegisterDJ(t, "ids-other@example.com", "DJ Other"), "Other night", "")
	st = r.MustDialFrom(t, "127.0.0.32").MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: other.SessionID, ClientID: issued}).Payload.(*protocol.SessionState)
	if st.ClientID == issued {
		t.Fatal("an id issued in one session was accepted in another")
	}
	if status, _ := getAs(t, r, "/api/sessions/"+other.SessionID+"/state?clientId="+issued, "", ""); status != http.StatusBadRequest {
		t.Fatalf("REST state with another session's id: %d, want 400", status)
	}
	// One connection hopping between sessions keeps one id per session
	// and joins a bounded number of them.
	hop := r.MustDialFrom(t, "127.0.0.33")
	first := hop.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id}).Payload.(*protocol.SessionState).ClientID
	hop.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: other.SessionID})
	if again := hop.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: id}).Payload.(*protocol.SessionState).ClientID; again != first {
		t.Fatalf("back in the first session with id %q, want %q", again, first)
	}
	token := r.RegisterDJ(t, "ids-many@example.com", "DJ Many")
	refused := false
	for i := 0; i < 4 && !refused; i++ {
		dj, reg := r.StartSession(t, token, fmt.Sprintf("Night %d", i), "")
		f := hop.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID})
		refused = f.Err() != nil && f.Err().Code == protocol.CodeForbidden
		dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	}
	if !refused {
		t.Fatal("one connection joined 6 sessions")
	}
}
