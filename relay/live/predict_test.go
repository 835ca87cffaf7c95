package live

import (
	"testing"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

func f(v float64) *float64 { return &v }

func TestPredictPlay(t *testing.T) {
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	cur := &protocol.Play{PlayID: "cur", StartedAt: start, Track: protocol.Track{Artist: "Ella Fitzgerald", Title: "Cheek to Cheek", BPM: f(120), Key: "C major"}}
	tests := []struct {
		name    string
		cur     *protocol.Play
		tr      protocol.Track
		at      time.Time
		wantID  string // "" = nil (late play)
		checkFn func(t *testing.T, p *protocol.Play)
	}{
		{"first play", nil, protocol.Track{Artist: "A", Title: "B"}, start, "new", nil},
		{"next play", cur, protocol.Track{Artist: "A", Title: "B"}, start.Add(time.Minute), "new", nil},
		{"same song retyped updates", cur, protocol.Track{Artist: " ELLA  fitzgerald", Title: "cheek to cheek", Energy: f(40)}, start.Add(time.Minute), "cur",
			func(t *testing.T, p *protocol.Play) {
				if p.Track.Artist != "Ella Fitzgerald" || *p.Track.BPM != 120 || *p.Track.Energy != 40 || p.Track.Key != "C major" || !p.StartedAt.Equal(start) {
					t.Fatalf("merged %+v", p.Track)
				}
			}},
		{"resent numbers win", cur, protocol.Track{Artist: "Ella Fitzgerald", Title: "Cheek to Cheek", BPM: f(118), Key: "A minor"}, start, "cur",
			func(t *testing.T, p *protocol.Play) {
				if *p.Track.BPM != 118 || p.Track.Key != "A minor" {
					t.Fatalf("merged %+v", p.Track)
				}
			}},
		{"late play", cur, protocol.Track{Artist: "A", Title: "B"}, start.Add(-time.Minute), "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := predictPlay(tc.cur, tc.tr, tc.at, "new")
			if tc.wantID == "" {
				if p != nil {
					t.Fatalf("late play predicted as %+v", p)
				}
				return
			}
			if p == nil || p.PlayID != tc.wantID {
				t.Fatalf("predicted %+v, want id %s", p, tc.wantID)
			}
			if tc.checkFn != nil {
				tc.checkFn(t, p)
			}
		})
	}
	if *cur.Track.BPM != 120 {
		t.Fatal("prediction changed the current play")
	}
}
