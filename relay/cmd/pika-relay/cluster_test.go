package main

import (
	"context"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/relay/relaytest/natstest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestOwnerKilled runs three pika-relay processes on one NATS and one
// database file (no Turso server can run here; SQLite's WAL lets the
// processes share the file) and kills the session's owner with SIGKILL
// while dancers on the other two relays are liking. Another relay takes
// the session over: the likes in flight are answered, the DJ resumes on
// another relay, and every acknowledged like and play is in the recap.
func TestOwnerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the relay binary")
	}
	n := natstest.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "relay.db")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildBinary(t, dir)
	args := []string{"-db", "file:" + db, "-nats-url", n.ClientURL(), "-owner-lease", "1500ms"}
	var relays []*relaytest.Relay
	var procs []*relayProc
	for range 3 {
		p := runBinary(ctx, t, bin, args...)
		logs := p.keepReading()
		t.Cleanup(func() {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
			if t.Failed() {
				t.Logf("relay %s:\n%s", p.addr, logs())
			}
		})
		procs = append(procs, p)
		relays = append(relays, relaytest.External("http://"+p.addr, db))
	}
	r1, r2, r3 := relays[0], relays[1], relays[2]
	token := r1.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r1.StartSession(t, token, "Friday", "")
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: "First"}})
	first := dj.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)

	const perRelay = 6
	var dancers []*relaytest.Client
	for i := range 2 * perRelay {
		r := []*relaytest.Relay{r2, r3}[i%2]
		c, _ := r.Join(t, reg.SessionID, "", "")
		dancers = append(dancers, c)
	}

	// Every dancer likes the first track; the owner dies with half the
	// likes sent.
	ids := make([]string, len(dancers))
	for i, c := range dancers {
		ids[i] = c.Send(t, protocol.TypeLike, protocol.Like{PlayID: first.PlayID})
		if i == len(dancers)/2 {
			if err := procs[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A like the owner had in hand when it died is refused (the page
	// sends it again); every one sent after is taken by the new owner.
	acked := 0
	for i, c := range dancers {
		f := c.Answer(t, ids[i])
		switch {
		case f.Err() == nil:
			acked++
		case i > len(dancers)/2:
			t.Errorf("like %d, sent after the owner died, refused: %v", i, f.Err())
		default:
			t.Logf("like %d, in flight when the owner died, refused: %v", i, f.Err())
		}
	}
	// The relay that took over counts them: its broadcast reaches all.
	for _, c := range dancers {
		c.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool {
			lc := f.Payload.(*protocol.LikeCount)
			return lc.PlayID == first.PlayID && lc.Count >= acked
		})
	}

	// The DJ's app reconnects, to relay 2 this time, and plays on.
	dj = r2.Dial(t, nil)
	f := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "Friday", ResumeSessionID: reg.SessionID})
	if !f.Payload.(*protocol.SessionRegistered).Resumed {
		t.Fatal("the DJ could not resume the session on relay 2")
	}
	dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: "Second"}})
	var second *protocol.Play
	for _, c := range dancers {
		second = c.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
			return f.Payload.(*protocol.Play).Track.Title == "Second"
		}).Payload.(*protocol.Play)
	}
	for _, c := range dancers {
		c.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: second.PlayID})
	}
	dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})

	var recap protocol.Recap
	if code := r3.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/recap", token, nil, &recap); code != http.StatusOK {
		t.Fatalf("recap: status %d", code)
	}
	likes := map[string]int{}
	for _, p := range recap.Plays {
		likes[p.Track.Title] = p.Likes
	}
	if len(recap.Plays) != 2 || likes["First"] < acked || likes["Second"] != len(dancers) {
		t.Errorf("recap plays %+v: want First with at least %d likes, Second with %d", recap.Plays, acked, len(dancers))
	}
}
