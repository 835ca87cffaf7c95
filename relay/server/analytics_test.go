package server_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestSetAnalyticsArePrivate: a set's tempo shares, drop-offs and unliked
// tracks reach its DJ and its event's organizers, nobody else; the public
// recap leaves the tempo votes out.
func TestSetAnalyticsArePrivate(t *testing.T) {
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola")
	ev, stages := r.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main")
	stage := stages[0]
	ana := r.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	ben := r.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")
	stranger := r.RegisterDJ(t, "zed@example.com", "DJ Zed")

	dj := r.Dial(t, nil)
	reg := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ana, Name: "Ana's Friday", StageID: stage.ID})
	sid := reg.Payload.(*protocol.SessionRegistered).SessionID
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "Loved"}})
	listeners := func(n int) {
		t.Helper()
		dj.ExpectWhere(t, protocol.TypeListenerCount, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.ListenerCount).Count == n
		})
	}
	d1, st := r.Join(t, sid, "dancer-one", "")
	d2, _ := r.Join(t, sid, "dancer-two", "")
	listeners(2)
	loved := st.NowPlaying.PlayID
	d1.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: loved})
	d1.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: loved, Vote: protocol.VoteFaster})
	d2.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: loved, Vote: protocol.VotePerfect})
	d2.Close() // one dancer leaves during the first track
	listeners(1)
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "B", Title: "Ignored"}})

	path := "/api/sessions/" + sid + "/analytics"
	var a protocol.SetAnalytics
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		a = protocol.SetAnalytics{}
		if code := r.DoJSON(t, http.MethodGet, path, ana, nil, &a); code != http.StatusOK {
			t.Fatalf("the DJ's analytics: %d", code)
		}
		if len(a.Plays) == 2 && a.Plays[0].DropOff == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("analytics never showed the drop-off: %+v", a)
		}
	}
	first, second := a.Plays[0], a.Plays[1]
	if first.Track.Title != "Loved" || first.Likes != 1 || first.ListenersStart != 0 || first.ListenersEnd != 1 {
		t.Errorf("first track %+v", first)
	}
	if first.TempoVotes.Faster != 1 || first.TempoVotes.Perfect != 1 || first.Shares.Faster != 0.5 || first.Shares.Votes != 2 {
		t.Errorf("first track's tempo %+v %+v", first.TempoVotes, first.Shares)
	}
	if !slices.Equal(a.NoLikes, []string{second.PlayID}) {
		t.Errorf("no likes %v, want only %s", a.NoLikes, second.PlayID)
	}
	if a.Shares.Votes != 2 || a.Shares.Slower != 0 || len(a.Listeners) < 2 {
		t.Errorf("set shares %+v, %d samples", a.Shares, len(a.Listeners))
	}

	tests := []struct {
		who   string
		token string
		code  int
	}{
		{"the event's organizer", org, http.StatusOK},
		{"another DJ of the event", ben, http.StatusForbidden},
		{"a DJ of no part in it", stranger, http.StatusForbidden},
		{"nobody signed in", "", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		if code := r.DoJSON(t, http.MethodGet, path, tc.token, nil, nil); code != tc.code {
			t.Errorf("%s: %d, want %d", tc.who, code, tc.code)
		}
	}

	// The recap: tempo votes for the DJ, not for the public.
	var public, own protocol.Recap
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+sid+"/recap", "", nil, &public)
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+sid+"/recap", ana, nil, &own)
	if public.Full || len(public.Plays) != 2 || public.Plays[0].Tempo != nil || public.Plays[0].Likes != 1 {
		t.Errorf("public recap %+v", public)
	}
	if !own.Full || len(own.Plays) != 2 || own.Plays[0].Tempo == nil || own.Plays[0].Tempo.Faster != 1 {
		t.Errorf("the DJ's recap %+v", own)
	}
}
