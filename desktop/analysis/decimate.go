package analysis

import "math"

// decimator low-pass filters and keeps every factor-th sample. It is a
// polyphase FIR: only the kept outputs are computed.
type decimator struct {
	factor int
	taps   []float32
	hist   []float32 // the last len(taps)-1 inputs, then new input
	phase  int       // inputs to skip before the next output
}

// newDecimator designs a Blackman-windowed sinc with its cut-off at 90 % of
// the output Nyquist frequency, 24 taps per unit of factor.
func newDecimator(factor int) *decimator {
	d := &decimator{factor: factor}
	if factor <= 1 {
		return d
	}
	n := 24*factor + 1
	fc := 0.45 / float64(factor) // cycles per input sample
	taps := make([]float64, n)
	var sum float64
	mid := float64(n-1) / 2
	for i := range taps {
		x := float64(i) - mid
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		w := 0.42 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)) + 0.08*math.Cos(4*math.Pi*float64(i)/float64(n-1))
		taps[i] = s * w
		sum += taps[i]
	}
	d.taps = make([]float32, n)
	for i, t := range taps {
		d.taps[i] = float32(t / sum)
	}
	d.hist = make([]float32, n-1, n-1+8192)
	return d
}

// process appends the decimated output of p to dst.
func (d *decimator) process(dst, p []float32) []float32 {
	if d.factor <= 1 {
		return append(dst, p...)
	}
	nt := len(d.taps)
	d.hist = append(d.hist, p...)
	i := d.phase
	for ; i+nt <= len(d.hist); i += d.factor {
		w := d.hist[i : i+nt]
		var acc float32
		for k, t := range d.taps {
			acc += t * w[k]
		}
		dst = append(dst, acc)
	}
	// Keep what the next output still needs.
	// The loop stopped because i+nt > len(d.hist), so start <= i.
	start := len(d.hist) - (nt - 1)
	d.phase = i - start
	n := copy(d.hist, d.hist[start:])
	d.hist = d.hist[:n]
	return dst
}
