package server_test

import (
	"net/http"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func ptr[T any](v T) *T { return &v }

func TestLiveFlow(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r.StartSession(t, token, "Friday Social", "")
	if reg.SessionID == "" || reg.Resumed || reg.DJName != "DJ Ana" || reg.JoinURL != r.URL+"/live/"+reg.SessionID {
		t.Fatalf("registered = %+v", reg)
	}
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Daft Punk", Title: "One More Time", BPM: ptr(122.0)}})
	np := dj.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)

	a, st := r.Join(t, reg.SessionID, "client-aaaa", "")
	if st.NowPlaying == nil || st.NowPlaying.PlayID != np.PlayID || len(st.History) != 1 {
		t.Fatalf("state = %+v", st)
	}
	b, _ := r.Join(t, reg.SessionID, "client-bbbb", "")
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: np.PlayID})
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: np.PlayID})
	lc := b.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.LikeCount).Count == 1 })
	_ = lc
	b.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: np.PlayID, Vote: "faster"})
	a.ExpectWhere(t, protocol.TypeTempoTally, func(f relaytest.Frame) bool { return f.Payload.(*protocol.TempoTally).Faster == 1 })

	dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Next?", Options: []string{"Blues", "Lindy"}})
	ps := a.Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	a.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: ps.PollID, OptionIndex: 1})
	if e := a.Request(t, protocol.TypePollVote, protocol.PollVote{PollID: ps.PollID, OptionIndex: 0}).Err(); e == nil || e.Code != protocol.CodeForbidden {
		t.Fatalf("second vote: %v", e)
	}
	b.ExpectWhere(t, protocol.TypePollUpdate, func(f relaytest.Frame) bool { return f.Payload.(*protocol.PollTallies).Tallies[1] == 1 })
	dj.MustOK(t, protocol.TypeClosePoll, protocol.ClosePoll{PollID: ps.PollID})
	b.Expect(t, protocol.TypePollClosed)
	dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "Last dance!"})
	b.Expect(t, protocol.TypeAnnouncement)
	dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	b.Expect(t, protocol.TypeSessionEnded)
	var rc protocol.Recap
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/recap", "", nil, &rc); code != 200 {
		t.Fatal(code)
	}
	t.Logf("%+v", rc)
}
