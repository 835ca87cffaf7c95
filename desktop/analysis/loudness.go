package analysis

import "math"

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

// kWeighting returns the two BS.1770 K-weighting stages (high-shelf "head"
// filter, then RLB high-pass) designed for sample rate fs by the bilinear
// transform of their analogue prototypes, so that the response matches the
// standard's 48 kHz coefficients at any decoder rate.
func kWeighting(fs float64) (shelf, highpass biquad) {
	const (
		f0 = 1681.974450955533
		g  = 3.999843853973347
		q  = 0.7071752369554196
	)
	k := math.Tan(math.Pi * f0 / fs)
	vh := math.Pow(10, g/20)
	vb := math.Pow(vh, 0.4996667741545416)
	a0 := 1 + k/q + k*k
	shelf = biquad{
		b0: (vh + vb*k/q + k*k) / a0,
		b1: 2 * (k*k - vh) / a0,
		b2: (vh - vb*k/q + k*k) / a0,
		a1: 2 * (k*k - 1) / a0,
		a2: (1 - k/q + k*k) / a0,
	}
	const (
		f1 = 38.13547087602444
		q1 = 0.5003270373238773
	)
	k = math.Tan(math.Pi * f1 / fs)
	a0 = 1 + k/q1 + k*k
	highpass = biquad{
		b0: 1, b1: -2, b2: 1,
		a1: 2 * (k*k - 1) / a0,
		a2: (1 - k/q1 + k*k) / a0,
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
	m := &loudnessMeter{fs: fs, wMid: float64(max(channels, 1))}
	if channels > 1 {
		m.wSide = 2
	}
	m.shelf, m.hp = kWeighting(fs)
	m.shelfS, m.hpS = m.shelf, m.hp
	m.next = int64(math.Round(fs / 10))
	return m
}

// write feeds mid samples and the side samples of the same instants; side
// may be nil (silent side), otherwise it has len(mid) samples.
func (m *loudnessMeter) write(mid, side []float32) {
	if side != nil {
		side = side[:len(mid)]
	}
	for i, s := range mid {
		y := m.hp.step(m.shelf.step(float64(s)))
		e := m.wMid * y * y
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
