package audio

import (
	"math"
	"testing"
)

// TestDecimator checks the decimating filter: pass band kept, stop band
// removed, length ceil(n/d), and no delay.
func TestDecimator(t *testing.T) {
	const rate = 44100
	tests := []struct {
		d       int
		freq    float64
		minGain float64
		maxGain float64
	}{
		{2, 1000, 0.99, 1.01},
		{2, 9000, 0.98, 1.02}, // 82% of the new Nyquist
		{2, 13000, 0, 0.001},  // above the new Nyquist: must not alias in
		{4, 4000, 0.98, 1.02}, // 73% of 5512 Hz
		{4, 7000, 0, 0.001},   // stop band
		{3, 5000, 0.98, 1.02}, // 68% of 7350 Hz
		{3, 9500, 0, 0.001},   // stop band
		{5, 3000, 0.98, 1.02}, // 68% of 4410 Hz
		{5, 6000, 0, 0.001},   // stop band
	}
	for _, tc := range tests {
		n := rate
		in := make([]float32, n)
		for i := range in {
			in[i] = float32(math.Sin(2 * math.Pi * tc.freq * float64(i) / rate))
		}
		dec := newReducer(tc.d)
		// Feed in uneven blocks, as decoders do.
		var out []float32
		for pos, blk := 0, 1; pos < n; pos, blk = pos+blk, blk*3%4097+1 {
			out = append(out, dec.process(in[pos:min(pos+blk, n)])...)
		}
		out = append(out, dec.flush()...)
		if want := (n + tc.d - 1) / tc.d; len(out) != want {
			t.Errorf("d=%d: %d outputs, want %d", tc.d, len(out), want)
			continue
		}
		// Gain and phase from the middle, against the ideal decimated sine.
		var num, den, sig float64
		for k := len(out) / 4; k < 3*len(out)/4; k++ {
			ideal := float64(in[k*tc.d])
			num += float64(out[k]) * ideal
			den += ideal * ideal
			sig += float64(out[k]) * float64(out[k])
		}
		gain := math.Sqrt(sig / den)
		if gain < tc.minGain || gain > tc.maxGain {
			t.Errorf("d=%d, %g Hz: gain %.4f, want %.3f..%.3f", tc.d, tc.freq, gain, tc.minGain, tc.maxGain)
		}
		if tc.minGain > 0 && num/den < 0.97*gain {
			t.Errorf("d=%d, %g Hz: output not in phase with the input (correlation %.3f)", tc.d, tc.freq, num/den/gain)
		}
	}
}
