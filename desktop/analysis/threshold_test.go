package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noPulseNoKey are signals without a beat and without a key: each must get
// BPM 0 and an empty key, not a guess with a tiny confidence.
func noPulseNoKey() []struct {
	name string
	x    []float32
} {
	const rate = 11025
	rng := rand.New(rand.NewPCG(7, 7))
	white := make([]float32, 30*rate)
	pink := make([]float32, 30*rate)
	brown := make([]float32, 30*rate)
	var b0, b1, b2, acc float64
	for i := range white {
		w := rng.NormFloat64()
		white[i] = float32(0.25 * w)
		// Paul Kellet's economy pink filter.
		b0 = 0.99765*b0 + 0.0099046*w
		b1 = 0.96300*b1 + 0.02965164*w
		b2 = 0.57000*b2 + 0.10526913*w
		pink[i] = float32(b0 + b1 + b2 + 0.01848*w)
		acc = 0.995*acc + 0.02*w
		brown[i] = float32(acc)
	}
	return []struct {
		name string
		x    []float32
	}{
		{"440 Hz sine", sine(440, -6, 30, rate)},
		{"1 kHz sine", sine(1000, -6, 30, rate)},
		{"100 Hz sine", sine(100, -6, 30, rate)},
		{"white noise", white},
		{"pink noise", pink},
		{"brown noise", brown},
	}
}

func TestNoPulseNoKey(t *testing.T) {
	const rate = 11025
	var maxBPMConf, maxTonality float64
	for _, tc := range noPulseNoKey() {
		t.Run(tc.name, func(t *testing.T) {
			a, err := newAnalyzer(rate, 1)
			if err != nil {
				t.Fatal(err)
			}
			a.write(tc.x)
			// The raw estimates, before the thresholds, for the record.
			tp := tempoCandidate(a.flux, a.fps, DefaultOptions()).Confidence
			k, c := keyCandidate(a.foldedChroma(), true)
			kc, tonal := k.Confidence, a.tonality()
			maxBPMConf, maxTonality = math.Max(maxBPMConf, tp), math.Max(maxTonality, tonal)
			t.Logf("raw BPM confidence %.3f, key confidence %.3f, tonality %.4f, pitch classes %d", tp, kc, tonal, pitchClassesPresent(c))
			r := a.result(DefaultOptions())
			checkSane(t, r, DefaultOptions())
			if r.BPM != 0 || r.BPMConfidence != 0 {
				t.Errorf("BPM %.1f (confidence %.2f), want 0 (no pulse)", r.BPM, r.BPMConfidence)
			}
			if r.Key != "" || r.Camelot != "" || r.KeyConfidence != 0 {
				t.Errorf("key %q %q (confidence %.2f), want none", r.Key, r.Camelot, r.KeyConfidence)
			}
			if r.Danceability != 0 {
				t.Errorf("danceability %.1f without a pulse, want 0", r.Danceability)
			}
		})
	}
	t.Logf("degenerate signals: max raw BPM confidence %.3f (threshold %.2f), max tonality %.4f (threshold %.3f; sines are tonal and fail on their single pitch class)",
		maxBPMConf, minBPMConfidence, maxTonality, minTonality)
}
