package server_test

import (
	"net/http"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// FuzzFrames sends arbitrary frames to a real relay, as a dancer in a live
// session, and checks that the connection still answers and the relay stays
// healthy. Run it with: go test ./relay/server -run '^$' -fuzz FuzzFrames
func FuzzFrames(f *testing.F) {
	r := relaytest.Start(f)
	token := r.RegisterDJ(f, "fuzz@example.com", "Fuzz")
	dj, reg := r.StartSession(f, token, "Fuzz night", "")
	dj.MustOK(f, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "B"}})
	play := dj.Expect(f, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	seeds := [][]byte{
		protocol.Encode(protocol.TypeLike, "1", protocol.Like{PlayID: play.PlayID}),
		protocol.Encode(protocol.TypeUnlike, "2", protocol.Like{PlayID: play.PlayID}),
		protocol.Encode(protocol.TypeTempoVote, "3", protocol.TempoVote{PlayID: play.PlayID, Vote: "faster"}),
		protocol.Encode(protocol.TypePollVote, "4", protocol.PollVote{PollID: "abc", OptionIndex: 1}),
		protocol.Encode(protocol.TypeSubscribe, "5", protocol.Subscribe{SessionID: reg.SessionID, ClientID: "client-fuzz2"}),
		protocol.Encode(protocol.TypeRegisterSession, "6", protocol.RegisterSession{Token: "pk_dj_x", Name: "n"}),
		protocol.Encode(protocol.TypeNowPlaying, "7", protocol.NowPlaying{Track: protocol.Track{Title: "t"}}),
		[]byte(`{"type":"LIKE","payload":null}`),
		[]byte(`{"type":"LIKE","payload":{"playId":"\u0000"}}`),
		[]byte(`{"type":"POLL_VOTE","payload":{"pollId":"a","optionIndex":1e309}}`),
		[]byte(`{"type":"SUBSCRIBE","payload":{"sessionId":"` + reg.SessionID + `","clientId":"client-fuzz","pin":"١٢٣٤"}}`),
		[]byte("\xff\xfe"),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		// A fresh dancer per input keeps inputs independent and under the
		// per-connection rate limit.
		c, err := r.DialErr(nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, ClientID: "client-fuzz"})
		c.SendRaw(t, frame)
		c.SendRaw(t, []byte(`{"type":"NOPE","id":"sentinel"}`))
		c.ExpectWhere(t, protocol.TypeError, func(f relaytest.Frame) bool { return f.ID == "sentinel" })
		if got := r.DoJSON(t, http.MethodGet, "/healthz", "", nil, nil); got != http.StatusOK {
			t.Fatalf("healthz %d after frame %q", got, frame)
		}
	})
}

// FuzzDJFrames sends arbitrary frames to a real relay on a registered DJ
// connection (each input in a session of its own, since an input may end
// it) and checks that the connection still answers, the session's dancer
// is not disconnected, and the relay stays healthy. Run it with:
// go test ./relay/server -run '^$' -fuzz FuzzDJFrames
func FuzzDJFrames(f *testing.F) {
	// Every input starts a session of the same DJ: lift its limits.
	r := relaytest.Start(f, relaytest.WithConfig(func(c *app.Config) {
		c.MaxLiveSessions, c.Limits.RegisterBurst = 1<<20, 1<<20
	}))
	token := r.RegisterDJ(f, "fuzz-dj@example.com", "Fuzz DJ")
	dur, secs := 30, 90.5
	seeds := [][]byte{
		protocol.Encode(protocol.TypeNowPlaying, "1", protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "B", BPM: &secs}}),
		protocol.Encode(protocol.TypeStartPoll, "2", protocol.StartPoll{Question: "Q?", Options: []string{"x", "y"}, DurationS: &dur}),
		protocol.Encode(protocol.TypeClosePoll, "3", protocol.ClosePoll{PollID: "0000000000000000"}),
		protocol.Encode(protocol.TypeAnnounce, "4", protocol.Announce{Text: "hello", DurationS: &dur}),
		protocol.Encode(protocol.TypeClearAnnouncement, "5", protocol.Empty{}),
		protocol.Encode(protocol.TypeEndSession, "6", protocol.Empty{}),
		protocol.Encode(protocol.TypeRegisterSession, "7", protocol.RegisterSession{Token: token, Name: "again"}),
		protocol.Encode(protocol.TypeLike, "8", protocol.Like{PlayID: "p"}),
		[]byte(`{"type":"NOW_PLAYING","payload":{"track":{"artist":"\u0000","title":"x","bpm":1e309},"playedAt":"0001-01-01T00:00:00Z"}}`),
		[]byte(`{"type":"NOW_PLAYING","payload":{"track":{"artist":"a","title":"b"},"playedAt":"9999-12-31T23:59:59Z"}}`),
		[]byte(`{"type":"START_POLL","payload":{"question":"q","options":["a","a","a","a","a","a","a"]}}`),
		[]byte(`{"type":"ANNOUNCE","payload":{"text":"","durationS":-1}}`),
		[]byte(`{"type":"CLOSE_POLL","payload":{}}`),
		[]byte("\xff\xfe"),
		{},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		c, err := r.DialErr(nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		reg := c.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "Fuzz night"}).Payload.(*protocol.SessionRegistered)
		dancer, err := r.DialErr(nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer dancer.Close()
		dancer.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, ClientID: "client-fuzz-dj"})
		c.SendRaw(t, frame)
		c.SendRaw(t, []byte(`{"type":"NOPE","id":"sentinel"}`))
		c.ExpectWhere(t, protocol.TypeError, func(f relaytest.Frame) bool { return f.ID == "sentinel" })
		dancer.SendRaw(t, []byte(`{"type":"NOPE","id":"sentinel"}`))
		dancer.ExpectWhere(t, protocol.TypeError, func(f relaytest.Frame) bool { return f.ID == "sentinel" })
		if got := r.DoJSON(t, http.MethodGet, "/healthz", "", nil, nil); got != http.StatusOK {
			t.Fatalf("healthz %d after frame %q", got, frame)
		}
	})
}
