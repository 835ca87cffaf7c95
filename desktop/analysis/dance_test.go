package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// grooveTrack renders a beat with accented downbeats and softer off-beats over
// a little noise. Beat b lasts 60/bpm(b) seconds, so a tempo that changes
// drifts the grid the way a live band does.
func grooveTrack(bpm func(beat int) float64, seconds, rate float64) []float32 {
	rng := rand.New(rand.NewPCG(3, 3))
	x := make([]float32, int(seconds*rate))
	for i := range x {
		x[i] = float32(0.02 * rng.NormFloat64())
	}
	hit := func(at, amp float64) {
		s := int(math.Round(at * rate))
		for i := 0; i < int(0.05*rate) && s+i < len(x); i++ {
			env := math.Exp(-float64(i) / (0.008 * rate))
			ping := math.Sin(2 * math.Pi * 2000 * float64(i) / rate)
			x[s+i] += float32(amp * env * (0.6*ping + 0.4*(rng.Float64()*2-1)))
		}
	}
	t := 0.0
	for b := 0; t < seconds; b++ {
		d := 60 / bpm(b)
		amp := 0.5
		if b%4 == 0 {
			amp = 0.9
		}
		hit(t, amp)
		hit(t+d/2, 0.2)
		t += d
	}
	return x
}

// Danceability describes the groove, not the track's length or a tempo
// that drifts: the same beat, sped up by 1.5 % halfway or looped to eight
// minutes, scores within a few points of the original.
func TestDanceabilityStable(t *testing.T) {
	const rate = 11025
	const bpm = 96.3
	steady := func(int) float64 { return bpm }
	orig := grooveTrack(steady, 60, rate)
	var looped []float32
	for range 8 {
		looped = append(looped, orig...)
	}
	tests := []struct {
		name string
		x    []float32
	}{
		{"second half 1.5 % faster", grooveTrack(func(b int) float64 {
			if b >= 48 {
				return bpm * 1.015
			}
			return bpm
		}, 60, rate)},
		{"gradual 2 % accelerando", grooveTrack(func(b int) float64 { return bpm * (1 + 0.02*float64(b)/96) }, 60, rate)},
		{"looped to 8 minutes", looped},
		{"10 minutes steady", grooveTrack(steady, 600, rate)},
	}
	ref := analyzeSamples(t, orig, rate, 1, DefaultOptions())
	if ref.Danceability < 50 {
		t.Fatalf("reference groove: danceability %.1f, want >= 50", ref.Danceability)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeSamples(t, tc.x, rate, 1, DefaultOptions())
			checkSane(t, r, DefaultOptions())
			t.Logf("danceability %.1f (original %.1f), BPM %.1f", r.Danceability, ref.Danceability, r.BPM)
			if math.Abs(r.Danceability-ref.Danceability) > 5 {
				t.Errorf("danceability %.1f, original %.1f: differ by more than 5", r.Danceability, ref.Danceability)
			}
		})
	}
}
