package relaytest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/relay/relaytest/natstest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestRelaysOnNATS: three relays on one NATS and one database file (see
// StartPeer). The DJ is on relay 1, a dancer on each relay: every track
// reaches every dancer once and in order, and likes sent through any
// relay are counted once and their counts reach everyone.
func TestRelaysOnNATS(t *testing.T) {
	n := natstest.Start(t)
	r1 := relaytest.Start(t, relaytest.WithNATS(n.ClientURL()))
	r2, r3 := r1.StartPeer(t), r1.StartPeer(t)
	token := r1.RegisterDJ(t, "ana@example.com", "DJ Ana")
	dj, reg := r1.StartSession(t, token, "Friday", "")
	d2, _ := r2.Join(t, reg.SessionID, "phone-on-2", "")
	d3, _ := r3.Join(t, reg.SessionID, "phone-on-3", "")
	d1, _ := r1.Join(t, reg.SessionID, "phone-on-1", "")

	tracks := []string{"First", "Second", "Third", "Last"}
	for _, title := range tracks {
		dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: title}})
	}
	var last protocol.Play
	for name, d := range map[string]*relaytest.Client{"dancer on relay 1": d1, "dancer on relay 2": d2, "dancer on relay 3": d3} {
		var got []string
		for len(got) < len(tracks) {
			f := d.Expect(t, protocol.TypeNowPlaying)
			p := f.Payload.(*protocol.Play)
			got = append(got, p.Track.Title)
			last = *p
		}
		if !slices.Equal(got, tracks) {
			t.Fatalf("%s got tracks %q, want %q", name, got, tracks)
		}
	}

	tests := []struct {
		name  string
		liker *relaytest.Client
		// count is the play's likes after it; zero: unchanged, so
		// nothing is broadcast.
		count int
	}{
		{"like through relay 2", d2, 1},
		{"the same like again", d2, 0},
		{"like through relay 3", d3, 2},
		{"like through relay 1", d1, 3},
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for i, r := range []*relaytest.Relay{r1, r2, r3} {
			for _, l := range strings.Split(r.Logs(), "\n") {
				if strings.Contains(l, "ERROR") || strings.Contains(l, "WARN") {
					t.Logf("relay %d: %s", i+1, l)
				}
			}
		}
	})
	for _, tc := range tests {
		tc.liker.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: last.PlayID})
		if tc.count == 0 {
			continue
		}
		for _, c := range []*relaytest.Client{dj, d1, d2, d3} {
			c.ExpectWhere(t, protocol.TypeLikeCount, func(f relaytest.Frame) bool {
				lc := f.Payload.(*protocol.LikeCount)
				return lc.PlayID == last.PlayID && lc.Count == tc.count
			})
		}
	}
}
