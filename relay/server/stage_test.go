package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// memberID is the account id of the event member with that name.
func memberID(t *testing.T, r *relaytest.Relay, org, eventID, name string) string {
	t.Helper()
	var members []protocol.EventMember
	r.DoJSON(t, http.MethodGet, "/api/events/"+eventID+"/members", org, nil, &members)
	for _, m := range members {
		if m.DisplayName == name {
			return m.DJID
		}
	}
	t.Fatalf("no member %q in %+v", name, members)
	return ""
}

func goLiveOn(t *testing.T, r *relaytest.Relay, token, name, stageID string) (*relaytest.Client, relaytest.Frame) {
	t.Helper()
	c := r.Dial(t, nil)
	return c, c.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: name, StageID: stageID})
}

// TestStageHandOver: one DJ live per stage; the next DJ takes over only
// after a hand-over, and a page following the stage moves to the new set
// on the same connection with the same client id, each set keeping its
// own plays.
func TestStageHandOver(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, st := eventWithStage(t, r)
	ana := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	ben := r.RegisterDJ(t, "ben@example.com", "DJ Ben")
	eve := r.RegisterDJ(t, "eve@example.com", "Eve")
	invite(t, r, org, ev.ID, ana, protocol.RoleDJ)
	invite(t, r, org, ev.ID, ben, protocol.RoleDJ)

	a, f := goLiveOn(t, r, ana, "Friday social", st.ID)
	regA, ok := f.Payload.(*protocol.SessionRegistered)
	if !ok {
		t.Fatalf("Ana goes live on the stage: %s %v", f.Type, f.Err())
	}
	if regA.JoinURL != st.URL {
		t.Errorf("join link %q, want the stage's %q", regA.JoinURL, st.URL)
	}
	a.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ana's artist", Title: "Ana's track"}})

	page := r.Dial(t, nil)
	f = page.MustOK(t, protocol.TypeSubscribeStage, protocol.SubscribeStage{Slug: st.Slug})
	info := f.Payload.(*protocol.StageInfo)
	if info.Live == nil || info.Live.ID != regA.SessionID || info.Live.DJName != "DJ Ana" {
		t.Fatalf("stage state: live %+v", info.Live)
	}
	stA := page.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: regA.SessionID}).Payload.(*protocol.SessionState)
	client := stA.ClientID // issued by the relay for the stage

	refusals := []struct {
		name, token, want string
	}{
		{"a DJ not in the event", eve, "not a DJ of this stage's event"},
		{"a second DJ without a hand-over", ben, "DJ Ana is live on Sala główna"},
	}
	for _, tc := range refusals {
		_, f := goLiveOn(t, r, tc.token, "Late set", st.ID)
		if e := f.Err(); e == nil || e.Code != protocol.CodeForbidden || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: %v, want forbidden %q", tc.name, f.Err(), tc.want)
		}
	}
	if e := a.Request(t, protocol.TypeHandOver, protocol.HandOver{ToDJID: "0123456789abcdef"}).Err(); e == nil || !strings.Contains(e.Message, "not a DJ of this event") {
		t.Errorf("hand over to a stranger: %v", e)
	}
	a.MustOK(t, protocol.TypeHandOver, protocol.HandOver{ToDJID: memberID(t, r, org, ev.ID, "DJ Ben")})

	b, f := goLiveOn(t, r, ben, "Saturday night", st.ID)
	regB, ok := f.Payload.(*protocol.SessionRegistered)
	if !ok {
		t.Fatalf("Ben after the hand-over: %s %v", f.Type, f.Err())
	}
	ended := page.Expect(t, protocol.TypeSessionEnded).Payload.(*protocol.SessionEnded)
	if ended.NextSessionID != regB.SessionID || ended.NextDJName != "DJ Ben" || !strings.HasSuffix(ended.RecapURL, "/recap/"+regA.SessionID) {
		t.Fatalf("Ana's set ended with %+v, want the next set %s", ended, regB.SessionID)
	}
	next := page.Expect(t, protocol.TypeStageState).Payload.(*protocol.StageInfo)
	if next.Live == nil || next.Live.ID != regB.SessionID {
		t.Fatalf("stage state after the hand-over: %+v", next.Live)
	}
	if told := a.Expect(t, protocol.TypeSessionEnded).Payload.(*protocol.SessionEnded); told.NextDJName != "DJ Ben" {
		t.Errorf("Ana's app learns %+v", told)
	}
	f = page.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: regB.SessionID, ClientID: client})
	if stB := f.Payload.(*protocol.SessionState); stB.Session.DJName != "DJ Ben" || len(stB.History) != 0 || stB.ClientID != client {
		t.Fatalf("Ben's set: %+v, client id %q, want the stage's %q kept", stB.Session, stB.ClientID, client)
	}
	b.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ben's artist", Title: "Ben's track"}})
	page.Expect(t, protocol.TypeNowPlaying)

	for _, tc := range []struct {
		session, want, not string
	}{{regA.SessionID, "Ana's track", "Ben's track"}, {regB.SessionID, "Ben's track", "Ana's track"}} {
		var recap protocol.Recap
		r.DoJSON(t, http.MethodGet, "/api/sessions/"+tc.session+"/recap", "", nil, &recap)
		var titles []string
		for _, p := range recap.Plays {
			titles = append(titles, p.Track.Title)
		}
		if got := strings.Join(titles, ","); got != tc.want {
			t.Errorf("recap of %s lists %q, want only %q", tc.session, got, tc.want)
		}
	}

	// Ben ends: the stage is between sets, for the page and for anyone.
	b.MustOK(t, protocol.TypeEndSession, nil)
	if idle := page.Expect(t, protocol.TypeStageState).Payload.(*protocol.StageInfo); idle.Live != nil {
		t.Errorf("stage state after the last set: live %+v", idle.Live)
	}
	var rest protocol.StageInfo
	r.DoJSON(t, http.MethodGet, "/api/stages/"+st.Slug, "", nil, &rest)
	if rest.Live != nil {
		t.Errorf("GET /api/stages after the last set: live %+v", rest.Live)
	}
	// A free stage takes any of the event's DJs, Eve still not.
	if _, f := goLiveOn(t, r, eve, "Crash", st.ID); f.Err() == nil {
		t.Error("a stranger went live on a free stage")
	}
	if _, f := goLiveOn(t, r, ana, "Sunday", st.ID); f.Err() != nil {
		t.Errorf("Ana on the free stage: %v", f.Err())
	}
}
