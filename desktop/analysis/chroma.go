package analysis

import (
	"math"
	"math/cmplx"
)

// The chromagram is built from spectral peaks rather than from every bin:
// a sustained partial stands well above its neighbours, while drums,
// distortion and noise spread their energy over the spectrum and would
// otherwise pull every pitch class up alike. Each peak's frequency is
// refined by parabolic interpolation, which gives both its pitch class and
// how far it lies from the A = 440 Hz grid; the track's tuning is the
// magnitude-weighted circular mean of those offsets, and the fine chroma
// (fineBins per octave) is folded onto the 12 pitch classes around the
// tuned grid only at the end, when the tuning is known.
const (
	// fineBins per octave: three per semitone, enough to re-centre the
	// grid by any tuning offset within ±50 cents.
	fineBins = 36
	// peakFloorBins is the half-width of the window whose mean magnitude
	// is a bin's local floor.
	peakFloorBins = 12
	// peakProminence is how far above its local floor a bin must stand to
	// count as a peak: about 10 dB, which a white-noise bin exceeds with
	// probability below 0.1 %.
	peakProminence = 3.0
	// tuningMinHz: only peaks above it vote on the tuning. Lower down a
	// bin spans too many cents (1.35 Hz is 39 cents at 60 Hz, 12 at 200)
	// for the interpolated frequency to say much about the tuning.
	tuningMinHz = 200.0
)

// chromaPeaks holds the per-bin tables of the chroma frame and its scratch.
type chromaPeaks struct {
	binHz  float64
	lo, hi int       // FFT bins inside the chroma band
	prefix []float64 // prefix sums of magnitude, for the local floor
}

func newChromaPeaks(ra float64, n int) *chromaPeaks {
	p := &chromaPeaks{binHz: ra / float64(n)}
	p.lo = max(2, int(math.Ceil(chromaMinHz/p.binHz)))
	p.hi = min(n/2-1, int(chromaMaxHz/p.binHz))
	p.prefix = make([]float64, n/2+2)
	return p
}

// chromaFrame is one frame's contribution: the fine chroma from its peaks,
// the weighted tuning phasor, and the shares of band magnitude that are
// peaks (for the tonality gate).
type chromaFrame struct {
	fine   [fineBins]float32
	tuning complex128
	peak   float64 // magnitude in peaks
	total  float64 // magnitude in the band
}

// frame finds the peaks of mag in the chroma band.
func (p *chromaPeaks) frame(mag []float64) chromaFrame {
	var out chromaFrame
	p.prefix[0] = 0
	for k, m := range mag {
		p.prefix[k+1] = p.prefix[k] + m
	}
	for k := p.lo; k <= p.hi; k++ {
		m := mag[k]
		out.total += m
		if !(m > mag[k-1] && m >= mag[k+1]) {
			continue
		}
		a, b := max(0, k-peakFloorBins), min(len(mag), k+peakFloorBins+1)
		floor := (p.prefix[b] - p.prefix[a]) / float64(b-a)
		if !(m > peakProminence*floor) {
			continue
		}
		// Parabolic interpolation of the log magnitude.
		la, lb, lc := math.Log(mag[k-1]+1e-12), math.Log(m+1e-12), math.Log(mag[k+1]+1e-12)
		d := 0.0
		if den := la - 2*lb + lc; den < 0 {
			d = 0.5 * (la - lc) / den
		}
		f := (float64(k) + d) * p.binHz
		semi := 12 * math.Log2(f/440) // semitones above A4
		w := m
		out.peak += w
		if f >= tuningMinHz {
			frac := semi - math.Round(semi)
			out.tuning += complex(w, 0) * cmplx.Rect(1, 2*math.Pi*frac)
		}
		// Fine bin position, with C as bin 0 (A is 9 semitones above C).
		pos := math.Mod((semi+9)*fineBins/12, fineBins)
		if pos < 0 {
			pos += fineBins
		}
		i := int(pos)
		r := pos - float64(i)
		out.fine[i%fineBins] += float32(w * (1 - r))
		out.fine[(i+1)%fineBins] += float32(w * r)
	}
	return out
}

// tuningCents is the offset of the track's tuning from A = 440 Hz, in
// cents (−50 to +50), from the summed phasor of its peaks; 0 when there
// were none.
func tuningCents(sum complex128) float64 {
	if cmplx.Abs(sum) == 0 {
		return 0
	}
	return 100 * cmplx.Phase(sum) / (2 * math.Pi)
}

// foldChroma maps a fine chroma onto the 12 pitch classes of a grid tuned
// cents away from 440 Hz: each fine bin goes to its nearest tuned semitone
// with a cos² weight of its distance from it.
func foldChroma(fine [fineBins]float32, cents float64) [12]float32 {
	var c [12]float32
	shift := cents / 100
	for j, v := range fine {
		if v == 0 {
			continue
		}
		pos := float64(j)*12/fineBins - shift
		r := math.Round(pos)
		d := pos - r
		w := math.Cos(math.Pi * d)
		pc := ((int(r) % 12) + 12) % 12
		c[pc] += float32(float64(v) * w * w)
	}
	return c
}
