package relaytest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/relay/relaytest/natstest"
	"github.com/pikadj/pika/shared/protocol"
)

// shortLease makes take-overs quick in tests.
var shortLease = relaytest.WithConfig(func(c *app.Config) { c.OwnerLease = 900 * time.Millisecond })

// threeRelays starts three relays on one NATS and one database file, with
// a short lease and opts.
func threeRelays(t *testing.T, opts ...relaytest.Option) (r1, r2, r3 *relaytest.Relay) {
	t.Helper()
	n := natstest.Start(t)
	r1 = relaytest.Start(t, append([]relaytest.Option{relaytest.WithNATS(n.ClientURL()), shortLease}, opts...)...)
	return r1, r1.StartPeer(t), r1.StartPeer(t)
}

func play(t *testing.T, dj *relaytest.Client, title string) {
	t.Helper()
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: title}})
}

// untilPlay reads c's frames up to the NOW_PLAYING of title and returns
// the last one.
func untilPlay(t *testing.T, c *relaytest.Client, title string) relaytest.Frame {
	t.Helper()
	return c.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
		return f.Payload.(*protocol.Play).Track.Title == title
	})
}

func untilCount(t *testing.T, c *relaytest.Client, n int) {
	t.Helper()
	c.ExpectWhere(t, protocol.TypeListenerCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.ListenerCount).Count == n })
}

// TestSessionOwner: the DJ's relay owns the session and the others mirror
// it. A dancer joining on a mirror is shown what the owner knows; dancers
// are counted once across relays (one page open on two relays too); a
// page reconnecting to a mirror with its last broadcast gets exactly what
// it missed; a DJ who comes back on another relay moves the session
// there, and every relay's dancers follow it to its end.
func TestSessionOwner(t *testing.T) {
	r1, r2, r3 := threeRelays(t)
	token := r1.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r1.StartSession(t, token, "Friday", "")
	play(t, dj, "First")

	d2, st2 := r2.Join(t, reg.SessionID, "phone-on-2", "")
	if st2.NowPlaying == nil || st2.NowPlaying.Track.Title != "First" {
		t.Fatalf("a dancer joining on relay 2 is shown %+v, want First", st2.NowPlaying)
	}
	d3, st3 := r3.Join(t, reg.SessionID, "phone-on-3", "")
	untilCount(t, dj, 2)
	// The page on relay 3 opened again on relay 1: still one dancer.
	twin, _ := r1.Join(t, reg.SessionID, st3.ClientID, "")
	d1, _ := r1.Join(t, reg.SessionID, "phone-on-1", "")
	untilCount(t, dj, 3)
	twin.Close()

	play(t, dj, "Second")
	last := untilPlay(t, d2, "Second")
	untilPlay(t, d3, "Second")
	if last.Epoch == "" || last.Seq == 0 {
		t.Fatalf("the owner's broadcast reached relay 2 without its number: %+v", last.Envelope)
	}

	t.Run("a like through a mirror is the owner's", func(t *testing.T) {
		d2.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: last.Payload.(*protocol.Play).PlayID})
		for _, c := range []*relaytest.Client{dj, d1, d3} {
			c.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool { return f.Payload.(*protocol.LikeCount).Count == 1 })
		}
	})

	t.Run("catch-up on a mirror", func(t *testing.T) {
		d2.Close()
		var want []string
		for i := range 3 {
			title := fmt.Sprintf("While away %d", i)
			play(t, dj, title)
			want = append(want, title)
		}
		untilPlay(t, d3, want[len(want)-1])
		back := r2.Dial(t, nil)
		f := back.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, ClientID: st2.ClientID, Epoch: last.Epoch, Seq: last.Seq})
		cu, ok := f.Payload.(*protocol.CaughtUp)
		if !ok {
			t.Fatalf("reconnecting to relay 2 got %s, want CAUGHT_UP", f.Type)
		}
		var got []string
		for range cu.Missed {
			g := back.Next(t)
			if p, ok := g.Payload.(*protocol.Play); ok && g.Type == protocol.TypeNowPlaying {
				got = append(got, p.Track.Title)
			}
			if g.Epoch != last.Epoch || g.Seq <= last.Seq {
				t.Errorf("caught-up frame %s at %s/%d, after %s/%d", g.Type, g.Epoch, g.Seq, last.Epoch, last.Seq)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("caught up with plays %q, want %q", got, want)
		}
		old := r2.Dial(t, nil)
		if f := old.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, ClientID: st2.ClientID, Epoch: "an-old-epoch", Seq: 3}); f.Type != protocol.TypeSessionState {
			t.Errorf("an unknown epoch got %s, want SESSION_STATE", f.Type)
		} else if s := f.Payload.(*protocol.SessionState); s.NowPlaying == nil || s.NowPlaying.Track.Title != want[len(want)-1] {
			t.Errorf("its state shows %+v", s.NowPlaying)
		}
		old.Close()
	})

	t.Run("the DJ moves to relay 2", func(t *testing.T) {
		dj.Close()
		dj = r2.Dial(t, nil)
		f := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "Friday", ResumeSessionID: reg.SessionID})
		if r := f.Payload.(*protocol.SessionRegistered); !r.Resumed {
			t.Fatalf("resuming on relay 2: %+v", r)
		}
		play(t, dj, "On relay 2")
		var p *protocol.Play
		for _, c := range []*relaytest.Client{d1, d3} {
			p = untilPlay(t, c, "On relay 2").Payload.(*protocol.Play)
		}
		// Relay 2 owns it now: a dancer joining there is shown its play.
		d2, st := r2.Join(t, reg.SessionID, "another-phone-on-2", "")
		if st.NowPlaying == nil || st.NowPlaying.PlayID != p.PlayID || st.Epoch == last.Epoch {
			t.Errorf("joined the new owner: now playing %+v at epoch %s (the old owner's: %s)", st.NowPlaying, st.Epoch, last.Epoch)
		}
		d1.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: p.PlayID})
		dj.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool {
			lc := f.Payload.(*protocol.LikeCount)
			return lc.PlayID == p.PlayID && lc.Count == 1
		})
		dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
		for _, c := range []*relaytest.Client{d1, d2, d3} {
			c.Expect(t, protocol.TypeSessionEnded)
		}
	})
}

// TestHandOverAcrossRelays: the next DJ of a stage goes live on another
// relay than the set it ends; dancers on a third relay are told once,
// with the next set, and the ended set's relay forgets it.
func TestHandOverAcrossRelays(t *testing.T) {
	r1, r2, r3 := threeRelays(t)
	org := r1.RegisterDJ(t, "org@example.com", "Organizer")
	ev, stages := r1.CreateEvent(t, org, "Summer Swing", "Main=main")
	ana := r1.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	ben := r1.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")

	a := r1.Dial(t, nil)
	regA := a.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ana, Name: "Friday", StageID: stages[0].ID}).Payload.(*protocol.SessionRegistered)
	play(t, a, "Ana's track")
	page, _ := r3.Join(t, regA.SessionID, "phone-on-3", "")
	var members []protocol.EventMember
	r1.DoJSON(t, "GET", "/api/events/"+ev.ID+"/members", org, nil, &members)
	var benID string
	for _, m := range members {
		if m.DisplayName == "DJ Ben" {
			benID = m.DJID
		}
	}
	a.MustOK(t, protocol.TypeHandOver, protocol.HandOver{ToDJID: benID})

	b := r2.Dial(t, nil)
	regB := b.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ben, Name: "Saturday", StageID: stages[0].ID}).Payload.(*protocol.SessionRegistered)
	ended := page.Expect(t, protocol.TypeSessionEnded).Payload.(*protocol.SessionEnded)
	if ended.NextSessionID != regB.SessionID {
		t.Fatalf("the page on relay 3 learnt %+v, want the next set %s", ended, regB.SessionID)
	}
	a.Expect(t, protocol.TypeSessionEnded)
	play(t, b, "Ben's track")
	next, st := r3.Join(t, regB.SessionID, "phone-on-3", "")
	if st.Session.DJName != "DJ Ben" || st.NowPlaying == nil || st.NowPlaying.Track.Title != "Ben's track" {
		t.Fatalf("next set: %+v playing %+v", st.Session, st.NowPlaying)
	}
	play(t, b, "Ben's second")
	untilPlay(t, next, "Ben's second")
	// Told once: nothing else of the ended set reaches the page.
	page.Close()
	if e := a.Request(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Ana", Title: "Too late"}}).Err(); e == nil || e.Code != protocol.CodeSessionEnded {
		t.Errorf("Ana's relay still takes plays for the ended set: %v", e)
	}
}

// TestPINGuessesAcrossRelays: wrong PINs tried on two mirrors count
// together at the owner, which locks the address out and tells the DJ.
func TestPINGuessesAcrossRelays(t *testing.T) {
	r1, r2, r3 := threeRelays(t, relaytest.WithPINLimits(pinguard.Limits{AddrGuesses: 4, AddrRefill: time.Hour, Lockout: time.Hour}))
	token := r1.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r1.StartSession(t, token, "Private party", "4321")
	var last *protocol.Error
	for i := range 5 {
		c := []*relaytest.Relay{r2, r3}[i%2].Dial(t, nil)
		last = c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, PIN: "1111"}).Err()
		c.Close()
	}
	if last == nil || last.Code != protocol.CodePINLocked {
		t.Fatalf("the fifth wrong PIN, over two relays, got %v; want pin_locked", last)
	}
	dj.ExpectWhere(t, protocol.TypePINGuesses, func(f relaytest.Frame) bool { return f.Payload.(*protocol.PINGuesses).Wrong >= 4 })
	// The lock is the guesser's: another address gets in with the PIN.
	other := r2.MustDialFrom(t, "127.0.0.2")
	other.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, PIN: "4321"})
}

// TestEventAnnouncementAcrossRelays: an organizer announces through a
// relay that has nothing of the set; the set's owner numbers it, so its
// dancers get it on every relay, and a page that was away catches up
// with it.
func TestEventAnnouncementAcrossRelays(t *testing.T) {
	r1, r2, r3 := threeRelays(t)
	org := r1.RegisterDJ(t, "org@example.com", "Organizer")
	ev, stages := r1.CreateEvent(t, org, "Summer Swing", "Main=main")
	ana := r1.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	dj := r1.Dial(t, nil)
	reg := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ana, Name: "Friday", StageID: stages[0].ID}).Payload.(*protocol.SessionRegistered)
	play(t, dj, "Opening")
	away, st := r2.Join(t, reg.SessionID, "phone-away", "")
	stays, _ := r2.Join(t, reg.SessionID, "phone-stays", "")
	away.Close()

	var a protocol.EventAnnouncement
	if code := r3.DoJSON(t, "POST", "/api/events/"+ev.ID+"/announcements", org, protocol.EventAnnouncementRequest{Announce: protocol.Announce{Text: "Workshop at 3 pm in room B"}}, &a); code != 201 && code != 200 {
		t.Fatalf("announce: %d", code)
	}
	f := stays.Expect(t, protocol.TypeEventAnnouncement)
	if f.Seq == 0 || f.Epoch != st.Epoch {
		t.Fatalf("the announcement reached relay 2 as %s/%d, want numbered in the set's epoch %s", f.Epoch, f.Seq, st.Epoch)
	}
	back := r2.Dial(t, nil)
	cu := back.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: reg.SessionID, ClientID: st.ClientID, Epoch: st.Epoch, Seq: st.Seq})
	if cu.Type != protocol.TypeCaughtUp {
		t.Fatalf("reconnecting got %s, want CAUGHT_UP", cu.Type)
	}
	if got := back.Expect(t, protocol.TypeEventAnnouncement).Payload.(*protocol.EventAnnouncement); got.AnnouncementID != a.AnnouncementID {
		t.Errorf("caught up with %+v, want %s", got, a.AnnouncementID)
	}
}
