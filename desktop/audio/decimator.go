package audio

import "math"

// decimator low-pass filters and keeps every d-th sample. The FIR is a
// Blackman-windowed sinc of 48*d+1 taps with its cutoff at 90% of the output
// Nyquist frequency (> 70 dB stop-band), centred so that output sample k lines
// up with input sample k*d (no added delay). Only the outputs are computed,
// and the symmetric taps are folded: 24*d+1 multiplications per output.
type decimator struct {
	d    int
	taps []float32
	buf  []float32 // pending input, buf[0] is the first sample of the next window
	out  []float32
}

func newDecimator(d int) *decimator {
	n := 48*d + 1
	taps := make([]float32, n)
	fc := 0.45 / float64(d) // cycles per input sample
	half := n / 2
	var sum float64
	w := make([]float64, n)
	for i := range n {
		x := float64(i - half)
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		win := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-1))
		w[i] = s * win
		sum += w[i]
	}
	for i := range n {
		taps[i] = float32(w[i] / sum)
	}
	return &decimator{d: d, taps: taps, buf: make([]float32, half, 4096)}
}

// process consumes in and returns the outputs that are complete; the result
// is valid until the next call.
func (m *decimator) process(in []float32) []float32 {
	m.buf = append(m.buf, in...)
	m.out = m.out[:0]
	l := len(m.taps)
	half := l / 2
	taps := m.taps[:half]
	centre := m.taps[half]
	i := 0
	for ; i+l <= len(m.buf); i += m.d {
		w := m.buf[i : i+l]
		lo, hi := w[:half], w[half+1:]
		hi = hi[:len(lo)]
		var a0, a1 float32
		j := 0
		for ; j+1 < half; j += 2 {
			a0 += taps[j] * (lo[j] + hi[half-1-j])
			a1 += taps[j+1] * (lo[j+1] + hi[half-2-j])
		}
		for ; j < half; j++ {
			a0 += taps[j] * (lo[j] + hi[half-1-j])
		}
		m.out = append(m.out, a0+a1+centre*w[half])
	}
	m.buf = append(m.buf[:0], m.buf[i:]...)
	return m.out
}

// flush pads the end with zeros and returns the remaining outputs.
func (m *decimator) flush() []float32 {
	prev := m.out
	m.out = nil // fresh storage: the caller may still hold the previous block
	out := m.process(make([]float32, len(m.taps)/2))
	m.out = prev
	m.buf = m.buf[:0]
	return out
}

// reducer lowers the sample rate of a stream of blocks.
type reducer interface {
	// process consumes a block and returns the finished outputs, valid
	// until the next call.
	process(in []float32) []float32
	// flush returns the remaining outputs at the end (fresh storage).
	flush() []float32
}

// newReducer returns a decimator by d. Even factors of 4 and more start
// with a cheap half-band stage: it only has to keep what would alias into
// the final band, so 27 taps (8 non-zero) do, and the sharp filter then
// runs at half the rate.
func newReducer(d int) reducer {
	if d >= 4 && d%2 == 0 {
		return &chain{first: newHalfband(), rest: newReducer(d / 2)}
	}
	return newDecimator(d)
}

type chain struct {
	first, rest reducer
}

func (c *chain) process(in []float32) []float32 { return c.rest.process(c.first.process(in)) }

func (c *chain) flush() []float32 {
	a := c.rest.process(c.first.flush())
	a = append(a[:len(a):len(a)], c.rest.flush()...)
	return a
}

// halfband decimates by 2 with a 27-tap half-band FIR (Blackman-windowed
// sinc, cutoff at a quarter of the input rate): every other tap is zero
// except the centre, so each output costs 7 multiply-adds plus the centre.
type halfband struct {
	h   [7]float32 // taps at offsets 1, 3, ..., 13 (symmetric)
	c   float32    // centre tap
	buf []float32
	out []float32
}

const halfbandReach = 13

func newHalfband() *halfband {
	hb := &halfband{buf: make([]float32, halfbandReach, 4096)}
	win := func(t float64) float64 {
		x := math.Pi * t / (halfbandReach + 1)
		return 0.42 + 0.5*math.Cos(x) + 0.08*math.Cos(2*x)
	}
	sum := 0.5
	var h [7]float64
	for p := range h {
		t := float64(2*p + 1)
		h[p] = math.Sin(math.Pi*t/2) / (math.Pi * t) * win(t)
		sum += 2 * h[p]
	}
	hb.c = float32(0.5 / sum)
	for p := range h {
		hb.h[p] = float32(h[p] / sum)
	}
	return hb
}

func (hb *halfband) process(in []float32) []float32 {
	hb.buf = append(hb.buf, in...)
	hb.out = hb.out[:0]
	const m = halfbandReach
	i := 0
	for ; i+2*m < len(hb.buf); i += 2 {
		w := hb.buf[i : i+2*m+1]
		acc := hb.c * w[m]
		for p, hp := range hb.h {
			off := 2*p + 1
			acc += hp * (w[m-off] + w[m+off])
		}
		hb.out = append(hb.out, acc)
	}
	hb.buf = append(hb.buf[:0], hb.buf[i:]...)
	return hb.out
}

func (hb *halfband) flush() []float32 {
	prev := hb.out
	hb.out = nil
	out := hb.process(make([]float32, halfbandReach))
	hb.out = prev
	hb.buf = hb.buf[:0]
	return out
}
