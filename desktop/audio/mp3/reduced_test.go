package mp3

import (
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// Reduced synthesis (Options.Reduce) keeps the lowest 32>>r subbands and
// outputs every 2^r-th sample, aligned with the full-rate stream (also when
// the gapless skip is not a multiple of 2^r). What separates it from
// ffmpeg's decode low-passed and decimated is the subband filters'
// transition band at the new Nyquist frequency (some aliasing there), so
// the reference is ffmpeg at full rate low-passed at 80% of the new Nyquist
// and decimated, and our output is low-passed the same way. Thresholds sit under what this decoder measures (44-56, 43-44
// and 30-43 dB for r = 1, 2, 3 on the test signal and the corpus); a wrong
// window, phase or subband count drops to 0-20 dB.
func TestReducedRate(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	wav := filepath.Join(dir, "src.wav")
	writeTestWAV(t, wav, 44100, 3)
	path := lameEncode(t, dir, "joint", wav, "-b", "160")
	full := ffmpegMono(t, path, 0)
	minSNR := map[int]float64{1: 40, 2: 35, 3: 25}
	for r := 1; r <= 3; r++ {
		got, d := decodeAll(t, path, Options{Reduce: r})
		if d.SampleRate() != 44100>>r {
			t.Fatalf("Reduce %d: rate %d", r, d.SampleRate())
		}
		if want := len(full) >> r; len(got) < want-1 || len(got) > want+1 {
			t.Errorf("Reduce %d: %d samples, want %d", r, len(got), want)
		}
		const fc = 0.4 // cycles per output sample
		lp := lowpass(full, fc/float64(int(1)<<r))
		ref := make([]float32, min(len(lp)>>r, len(got)))
		for i := range ref {
			ref[i] = lp[i<<r]
		}
		s := snr(ref, lowpass(got[:len(ref)], fc), 0, 300)
		t.Logf("Reduce %d (%d Hz): SNR %.1f dB", r, d.SampleRate(), s)
		if s < minSNR[r] {
			t.Errorf("Reduce %d: SNR %.1f dB < %.0f dB", r, s, minSNR[r])
		}
	}
}

// TestReducedSynthesisExact checks the claim behind Reduce: the m-band
// synthesis equals the 32-band synthesis of the same low subbands,
// decimated by 32/m, to float rounding.
func TestReducedSynthesisExact(t *testing.T) {
	for _, m := range []int{16, 8, 4} {
		full, red := newSynth(32), newSynth(m)
		step := 32 / m
		var errSum, sig float64
		for slot := range 300 {
			in := make([]float32, 32)
			for k := range m {
				in[k] = float32((slot*7+k*13)%17) / 17
			}
			o32 := make([]float32, 32)
			om := make([]float32, m)
			full.slot(in, o32)
			red.slot(in, om)
			for j := range m {
				d := float64(o32[j*step] - om[j])
				errSum += d * d
				sig += float64(o32[j*step]) * float64(o32[j*step])
			}
		}
		if errSum > sig*1e-10 {
			t.Errorf("m=%d: reduced synthesis differs from decimated full synthesis (error/signal %.3g)", m, errSum/sig)
		}
	}
}

// TestDCT2 checks the fast DCT-II against the definition.
func TestDCT2(t *testing.T) {
	for _, n := range []int{2, 4, 8, 16, 32} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i*i%7) - 3
		}
		want := make([]float64, n)
		for m := range n {
			for k := range n {
				want[m] += float64(x[k]) * cosPi(float64(m*(2*k+1))/float64(2*n))
			}
		}
		got := append([]float32(nil), x...)
		dct2(got, make([]float32, n))
		for m := range n {
			if d := float64(got[m]) - want[m]; d > 1e-4 || d < -1e-4 {
				t.Errorf("n=%d: X[%d] = %g, want %g", n, m, got[m], want[m])
			}
		}
	}
}

// TestPhaseSynthesis checks the phase-p reduced synthesis against the full
// 32-band synthesis decimated at phase p, and at p = 0 against the fast
// reduced synthesis.
func TestPhaseSynthesis(t *testing.T) {
	for _, m := range []int{16, 8, 4} {
		step := 32 / m
		for p := range step {
			full, ph := newSynth(32), newPhaseSynth(m, p)
			var errSum, sig float64
			for slot := range 300 {
				in := make([]float32, 32)
				for k := range m {
					in[k] = float32((slot*7+k*13)%17)/17 - 0.5
				}
				o32 := make([]float32, 32)
				om := make([]float32, m)
				full.slot(in, o32)
				ph.slot(in, om)
				for j := range m {
					d := float64(o32[j*step+p] - om[j])
					errSum += d * d
					sig += float64(o32[j*step+p]) * float64(o32[j*step+p])
				}
			}
			if errSum > sig*1e-9 {
				t.Errorf("m=%d p=%d: differs from decimated full synthesis (error/signal %.3g)", m, p, errSum/sig)
			}
		}
	}
}
