package analysis

import (
	"math"
	"testing"
)

// The decimator passes the band the analysis uses at unity gain and
// removes what would alias.
func TestDecimator(t *testing.T) {
	tests := []struct {
		factor   int
		rate     float64
		freq     float64
		wantGain float64 // amplitude ratio
		tol      float64
	}{
		{4, 44100, 1000, 1, 0.01},
		{4, 44100, 4000, 1, 0.02},
		{4, 44100, 7000, 0, 0.01}, // above the new Nyquist (5512 Hz): would alias
		{2, 22050, 440, 1, 0.01},
		{2, 22050, 9000, 0, 0.01},
		{3, 32000, 2000, 1, 0.01},
	}
	for _, tc := range tests {
		x := sine(tc.freq, 0, 2, tc.rate)
		d := newDecimator(tc.factor)
		var y []float32
		for i := 0; i < len(x); i += 999 { // uneven chunks
			y = d.process(y, x[i:min(len(x), i+999)])
		}
		if want := len(x) / tc.factor; abs(len(y)-want) > 1 {
			t.Errorf("factor %d: %d outputs, want %d", tc.factor, len(y), want)
		}
		var peak float64
		for _, v := range y[len(y)/4 : 3*len(y)/4] { // skip the filter's start-up
			peak = math.Max(peak, math.Abs(float64(v)))
		}
		if math.Abs(peak-tc.wantGain) > tc.tol {
			t.Errorf("factor %d, %g Hz at %g Hz: gain %.3f, want %.2f", tc.factor, tc.freq, tc.rate, peak, tc.wantGain)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Streaming must not depend on how the decoder chunks its output.
func TestChunkingInvariant(t *testing.T) {
	x := clickTrack(97, 20, 44100, 4)
	for i, v := range progression(5, true, 44100) {
		if i < len(x) {
			x[i] += v
		}
	}
	run := func(chunk int) Result {
		a, err := newAnalyzer(44100, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(x); i += chunk {
			a.write(x[i:min(len(x), i+chunk)])
		}
		return a.result(DefaultOptions())
	}
	want := run(len(x))
	for _, chunk := range []int{3, 7, 1152, 4096, 100000} {
		if got := run(chunk); got != want {
			t.Errorf("chunks of %d: %+v\nwant (one chunk) %+v", chunk, got, want)
		}
	}
}

func TestSampleRateLimits(t *testing.T) {
	for _, tc := range []struct {
		rate float64
		ok   bool
	}{{7999, false}, {8000, true}, {11025, true}, {96000, true}, {384000, true}, {400000, false}, {math.NaN(), false}} {
		if _, err := newAnalyzer(tc.rate, 1); (err == nil) != tc.ok {
			t.Errorf("rate %g: err %v, want ok=%v", tc.rate, err, tc.ok)
		}
	}
}
