package server_test

import (
	"fmt"
	"testing"

	rlive "github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestReconnectCatchesUp: a page that reconnects naming the last broadcast
// it saw gets exactly the broadcasts it missed (the ones a page that stayed
// got meanwhile), after a CAUGHT_UP and without a SESSION_STATE; with an
// epoch that is not the room's, or a gap longer than the room keeps, it
// gets the whole state as before.
func TestReconnectCatchesUp(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	stayed, _ := r.Join(t, l.reg.SessionID, "dancer-stays", "")
	left, st := r.Join(t, l.reg.SessionID, "dancer-leaves", "")
	if st.Epoch == "" || st.Seq == 0 {
		t.Fatalf("SESSION_STATE at epoch %q seq %d: want its place among the broadcasts", st.Epoch, st.Seq)
	}
	left.Close()

	// The DJ plays on; the page that stayed collects every numbered
	// broadcast after the one the other page saw last.
	var want []relaytest.Frame
	for i := range 3 {
		title := fmt.Sprintf("Track %d", i)
		l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: title}})
		for {
			f := stayed.Next(t)
			if f.Seq > st.Seq {
				want = append(want, f)
			}
			if p, ok := f.Payload.(*protocol.Play); ok && f.Type == protocol.TypeNowPlaying && p.Track.Title == title {
				break
			}
		}
	}

	back := r.Dial(t, nil)
	f := back.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: st.ClientID, Epoch: st.Epoch, Seq: st.Seq})
	cu, ok := f.Payload.(*protocol.CaughtUp)
	if !ok || f.Type != protocol.TypeCaughtUp {
		t.Fatalf("the reconnecting page got %s, want CAUGHT_UP", f.Type)
	}
	if cu.ClientID != st.ClientID || cu.Epoch != st.Epoch || cu.Missed != len(want) || cu.Seq != want[len(want)-1].Seq {
		t.Errorf("CAUGHT_UP %+v; want client %s, %d missed up to seq %d", cu, st.ClientID, len(want), want[len(want)-1].Seq)
	}
	for i, w := range want {
		g := back.Next(t)
		if g.Type != w.Type || g.Seq != w.Seq {
			t.Fatalf("missed broadcast %d: got %s seq %d, want %s seq %d", i, g.Type, g.Seq, w.Type, w.Seq)
		}
	}

	t.Run("another epoch", func(t *testing.T) {
		c := r.Dial(t, nil)
		f := c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: st.ClientID, Epoch: "someotherepoch1", Seq: st.Seq})
		if f.Type != protocol.TypeSessionState {
			t.Errorf("got %s, want a whole SESSION_STATE", f.Type)
		}
	})
	t.Run("a gap longer than the room keeps", func(t *testing.T) {
		before := want[len(want)-1].Seq
		for i := range rlive.CatchUpLimit + 2 {
			l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: fmt.Sprintf("Later %d", i)}})
		}
		c := r.Dial(t, nil)
		f := c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: st.ClientID, Epoch: st.Epoch, Seq: before})
		if f.Type != protocol.TypeSessionState {
			t.Errorf("got %s, want a whole SESSION_STATE", f.Type)
		}
		if s := f.Payload.(*protocol.SessionState); s.NowPlaying == nil || s.NowPlaying.Track.Title != fmt.Sprintf("Later %d", rlive.CatchUpLimit+1) {
			t.Errorf("state now playing %+v", s.NowPlaying)
		}
	})
}
