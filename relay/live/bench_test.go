package live

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// BenchmarkRecap2000Plays measures the recap of a long session (2,000
// plays, a like on every fourth): "computed" is the work of one recap
// (cache emptied each time), "live" and "ended" what readers get, from the
// brief cache of long live sessions and the lasting one of ended sessions.
func BenchmarkRecap2000Plays(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "file:" + filepath.Join(b.TempDir(), "pika.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	dj, _, err := st.CreateDJ(ctx, "dj@pika.invalid", "not-a-real-hash", "DJ Bench", "bench", "tokenhash")
	if err != nil {
		b.Fatal(err)
	}
	m := NewManager(Config{Store: st, Broker: hub.NewLocal(), PublicURL: "https://relay.pika.invalid"})
	defer m.Shutdown(ctx)
	const plays = 2000
	start := time.Now().Add(-plays * 3 * time.Minute)
	mk := func(name string) string {
		sess, err := st.CreateSession(ctx, dj.ID, dj.DisplayName, name, "", start)
		if err != nil {
			b.Fatal(err)
		}
		var waits []func(context.Context) (store.PlayResult, error)
		for i := range plays {
			w, err := st.StartPlay(ctx, sess.ID, store.NewID(), protocol.Track{Artist: "Artist", Title: fmt.Sprintf("Song %04d", i)}, start.Add(time.Duration(i)*3*time.Minute))
			if err != nil {
				b.Fatal(err)
			}
			waits = append(waits, w)
		}
		for i, w := range waits {
			res, err := w(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if i%4 == 0 {
				if _, err := st.Like(ctx, sess.ID, res.Play.PlayID, "client-bench-1"); err != nil {
					b.Fatal(err)
				}
			}
		}
		return sess.ID
	}
	liveID, endedID := mk("Live marathon"), mk("Ended marathon")
	if _, err := st.EndSession(ctx, endedID, time.Now()); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		id    string
		fresh bool
	}{{"computed", liveID, true}, {"live", liveID, false}, {"ended", endedID, false}} {
		b.Run(bc.name, func(b *testing.B) {
			m.Recap(ctx, bc.id, Access{DJID: dj.ID})
			for b.Loop() {
				if bc.fresh {
					m.recaps = recapCache{}
				}
				rc, pe := m.Recap(ctx, bc.id, Access{DJID: dj.ID})
				if pe != nil || len(rc.Plays) != plays {
					b.Fatalf("recap: %v, %d plays", pe, len(rc.Plays))
				}
			}
		})
	}
}

func TestRecapCacheKeeps(t *testing.T) {
	now := time.Now()
	ended := now.Add(-time.Hour)
	long := make([]protocol.RecapPlay, recapLiveMinPlays)
	tests := []struct {
		name  string
		rc    protocol.Recap
		at    time.Time
		found bool
	}{
		{"ended, a day later", protocol.Recap{Session: protocol.SessionInfo{EndedAt: &ended}}, now.Add(24 * time.Hour), true},
		{"long live, at once", protocol.Recap{Plays: long}, now.Add(recapLiveFor / 2), true},
		{"long live, later", protocol.Recap{Plays: long}, now.Add(2 * recapLiveFor), false},
		{"short live", protocol.Recap{Plays: long[:3]}, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c recapCache
			c.keep("s", tt.rc, now)
			if _, ok := c.get("s", tt.at); ok != tt.found {
				t.Fatalf("found %v, want %v", ok, tt.found)
			}
		})
	}
}
