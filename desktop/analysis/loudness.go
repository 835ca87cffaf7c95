package analysis

import (
	"math"
	"math/cmplx"
	"sync"
)

// biquad is a direct-form-I second-order IIR section in float64; K-weighting
// needs the precision at low rates where the shelf poles sit near z=1.
type biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1 = f.x1, x
	f.y2, f.y1 = f.y1, y
	return y
}

// BS.1770's high-shelf prototype (as libebur128 designs it).
const (
	shelfF0   = 1681.974450955533
	shelfGain = 3.999843853973347 // dB
	shelfQ    = 0.7071752369554196
	shelfVB   = 0.4996667741545416 // band gain exponent
)

// shelfParams are the prototype's parameters, adjustable for a fit.
type shelfParams struct{ f0, gain, q, vb float64 }

func (p shelfParams) design(fs float64) biquad {
	k := math.Tan(math.Pi * p.f0 / fs)
	vh := math.Pow(10, p.gain/20)
	vb := math.Pow(vh, p.vb)
	a0 := 1 + k/p.q + k*k
	return biquad{
		b0: (vh + vb*k/p.q + k*k) / a0,
		b1: 2 * (k*k - vh) / a0,
		b2: (vh - vb*k/p.q + k*k) / a0,
		a1: 2 * (k*k - 1) / a0,
		a2: (1 - k/p.q + k*k) / a0,
	}
}

// responseDB is the filter's gain in dB at f Hz for sample rate fs.
func (f biquad) responseDB(f0, fs float64) float64 {
	z := cmplx.Exp(complex(0, -2*math.Pi*f0/fs))
	num := complex(f.b0, 0) + complex(f.b1, 0)*z + complex(f.b2, 0)*z*z
	den := 1 + complex(f.a1, 0)*z + complex(f.a2, 0)*z*z
	return 20 * math.Log10(cmplx.Abs(num/den))
}

// fittedShelves caches fitShelf's designs by (fs, reference rate).
var fittedShelves sync.Map

// fitShelf designs the high shelf for rate fs so that its response below
// 0.47·fs matches the one libebur128 uses at refFs. The bilinear design
// at a reduced rate (11 025 Hz) reaches the shelf's +4 dB too early, up
// to +0.13 dB at 3 kHz, which read real mixes up to 0.1 LU loud; a
// short coordinate search over the prototype's four parameters brings it
// within 0.02 dB at 11 025 Hz. Under 1 ms, once per pair of rates.
func fitShelf(fs, refFs float64) biquad {
	type key struct{ fs, ref float64 }
	if f, ok := fittedShelves.Load(key{fs, refFs}); ok {
		return f.(biquad)
	}
	ref := shelfParams{shelfF0, shelfGain, shelfQ, shelfVB}.design(refFs)
	const nf = 24
	var freqs, want [nf]float64
	for i := range freqs {
		freqs[i] = 100 * math.Pow(0.47*fs/100, float64(i)/(nf-1))
		want[i] = ref.responseDB(freqs[i], refFs)
	}
	cost := func(p shelfParams) float64 {
		f := p.design(fs)
		var e float64
		for i, fr := range freqs {
			d := f.responseDB(fr, fs) - want[i]
			e += d * d
		}
		return e
	}
	p := shelfParams{shelfF0, shelfGain, shelfQ, shelfVB}
	steps := [4]float64{50, 0.05, 0.02, 0.01}
	best := cost(p)
	for range 50 {
		improved := false
		for j := range steps {
			for _, s := range [2]float64{1, -1} {
				q := p
				switch j {
				case 0:
					q.f0 += s * steps[j]
				case 1:
					q.gain += s * steps[j]
				case 2:
					q.q += s * steps[j]
				case 3:
					q.vb += s * steps[j]
				}
				if c := cost(q); c < best {
					best, p, improved = c, q, true
				}
			}
		}
		if !improved {
			for j := range steps {
				steps[j] /= 2
			}
			if steps[0] < 0.05 {
				break
			}
		}
	}
	f := p.design(fs)
	fittedShelves.Store(key{fs, refFs}, f)
	return f
}

// kWeighting returns the two BS.1770 K-weighting stages (high-shelf "head"
// filter, then RLB high-pass) designed for sample rate fs by the bilinear
// transform of their analogue prototypes, as libebur128 does for a file
// at refFs. When fs is a reduced rate (below refFs) the shelf is fitted to
// the refFs response instead (fitShelf).
func kWeighting(fs, refFs float64) (shelf, highpass biquad) {
	if fs < refFs {
		shelf = fitShelf(fs, refFs)
	} else {
		shelf = shelfParams{shelfF0, shelfGain, shelfQ, shelfVB}.design(fs)
	}
	const (
		f1 = 38.13547087602444
		q1 = 0.5003270373238773
	)
	a0 := func(fs float64) float64 {
		k := math.Tan(math.Pi * f1 / fs)
		return 1 + k/q1 + k*k
	}
	k := math.Tan(math.Pi * f1 / fs)
	// With libebur128's unnormalised numerator (1, -2, 1) the pass band
	// has gain a0: +0.05 dB at 44.1 kHz, +0.19 dB at 11 025 Hz. Keep the
	// refFs gain at any rate, or a reduced meter reads 0.14 LU loud.
	g := a0(refFs) / a0(fs)
	highpass = biquad{
		b0: g, b1: -2 * g, b2: g,
		a1: 2 * (k*k - 1) / a0(fs),
		a2: (1 - k/q1 + k*k) / a0(fs),
	}
	return shelf, highpass
}

// loudnessMeter measures BS.1770-4 integrated loudness from a mid signal
// M (the average of the channels) and, for stereo, the side signal
// S = (L-R)/2. BS.1770 sums the K-weighted mean squares of the channels;
// K-weighting is linear and L = M+S, R = M-S, so z_L + z_R = 2 (z_M + z_S)
// exactly. The meter sums channels*z_M + 2*z_S: exact for mono (S = 0) and
// stereo, and for three or more channels (S taken from the first two)
// exact when the channels are equal and an underestimate otherwise
// (surround weights are out of scope). Without a side signal the stereo
// case reads as dual mono.
//
// It keeps one weighted mean-square value per 100 ms (a gating block is
// four of them: 400 ms with 75 % overlap), so memory grows by 10 floats per
// second.
type loudnessMeter struct {
	fs          float64
	shelf, hp   biquad // K-weighting of the mid signal
	shelfS, hpS biquad // and of the side signal
	wMid, wSide float64
	n           int64   // samples seen
	next        int64   // sample index where the current 100 ms step ends
	step        int     // index of the current 100 ms step
	acc         float64 // weighted sum of squares in the current step
	accN        int
	steps       []float64 // weighted mean-square sums per completed 100 ms step
	stepN       []int
}

// newLoudnessMeter prepares a meter for a source of channels channels
// whose mid (and side, if any) signals come at fs Hz.
func newLoudnessMeter(fs float64, channels int) *loudnessMeter {
	return newLoudnessMeterRef(fs, fs, channels)
}

// newLoudnessMeterRef is newLoudnessMeter for signals reduced from a
// source at refFs Hz: the K-weighting matches the source rate's.
func newLoudnessMeterRef(fs, refFs float64, channels int) *loudnessMeter {
	m := &loudnessMeter{fs: fs, wMid: float64(max(channels, 1))}
	if channels > 1 {
		m.wSide = 2
	}
	m.shelf, m.hp = kWeighting(fs, refFs)
	m.shelfS, m.hpS = m.shelf, m.hp
	m.next = int64(math.Round(fs / 10))
	return m
}

// write feeds mid samples and the side samples of the same instants; side
// may be nil (silent side), otherwise it has len(mid) samples.
func (m *loudnessMeter) write(mid, side []float32) { m.writeHigh(mid, side, 0, 0) }

// highGain is K-weighting's power gain above the reduced band (≥ 5 kHz),
// where the high shelf has reached its +4 dB and the high-pass is flat.
var highGain = math.Pow(10, 3.999843853973347/10)

// writeHigh is write for a block whose band above the meter's rate is
// known only as its mean square high (per sample, summed over the
// channels, unweighted: audio.Options.Tap); it adds highGain·high to every
// sample's weighted energy. sideMS, when side is nil, is the side's
// K-weighted mean square measured by the decoder instead (below the
// meter's band: audio.Options.TapSideWeight with sideKWeight).
func (m *loudnessMeter) writeHigh(mid, side []float32, high, sideMS float64) {
	extra := highGain*high + m.wSide*sideMS
	if side != nil {
		side = side[:len(mid)]
	}
	for i, s := range mid {
		y := m.hp.step(m.shelf.step(float64(s)))
		e := m.wMid*y*y + extra
		if side != nil {
			ys := m.hpS.step(m.shelfS.step(float64(side[i])))
			e += m.wSide * ys * ys
		}
		m.acc += e
		m.accN++
		m.n++
		if m.n == m.next {
			m.steps = append(m.steps, m.acc)
			m.stepN = append(m.stepN, m.accN)
			m.acc, m.accN = 0, 0
			m.step++
			m.next = int64(math.Round(float64(m.step+1) * m.fs / 10))
		}
	}
}

// silenceLUFS is reported when every block falls below the absolute gate,
// as ffmpeg's ebur128 filter does.
const silenceLUFS = -70.0

// integrated returns the gated integrated loudness in LUFS.
func (m *loudnessMeter) integrated() float64 {
	nb := len(m.steps) - 3
	if nb <= 0 {
		return silenceLUFS
	}
	const offset = -0.691
	z := make([]float64, nb)
	for j := range z {
		s, c := 0.0, 0
		for i := j; i < j+4; i++ {
			s += m.steps[i]
			c += m.stepN[i]
		}
		z[j] = s / float64(c)
	}
	lufs := func(ms float64) float64 { return offset + 10*math.Log10(ms) }
	var sum float64
	var cnt int
	for _, v := range z {
		if v > 0 && lufs(v) > -70 {
			sum += v
			cnt++
		}
	}
	if cnt == 0 {
		return silenceLUFS
	}
	rel := lufs(sum/float64(cnt)) - 10
	sum, cnt = 0, 0
	for _, v := range z {
		if v > 0 {
			if l := lufs(v); l > -70 && l > rel {
				sum += v
				cnt++
			}
		}
	}
	if cnt == 0 {
		return silenceLUFS
	}
	return lufs(sum / float64(cnt))
}

// sideKWeight is K-weighting's power gain at hz for a 44.1 kHz source (the
// analogue prototypes' response there, as libebur128's filters have it),
// for the side energy an MP3 decoder measures from its lines
// (audio.Options.TapSideWeight). The side synthesis it saves was a sixth
// of an MP3's analysis time; the lines' 38 Hz resolution is fine for the
// smooth shelf, and the 38 Hz high-pass only matters in the lowest line
// (an MP3 at 48 kHz differs from these gains by under 0.01 dB below the
// band).
func sideKWeight(hz float64) float64 {
	shelf, hp := kWeighting(44100, 44100)
	return math.Pow(10, (shelf.responseDB(hz, 44100)+hp.responseDB(hz, 44100))/10)
}
