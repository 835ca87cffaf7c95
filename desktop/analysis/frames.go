package analysis

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// framer cuts a stream into overlapping frames of size n every hop samples.
type framer struct {
	n, hop int
	buf    []float32
}

func newFramer(n, hop int) *framer {
	return &framer{n: n, hop: hop, buf: make([]float32, 0, 2*n)}
}

// push appends p and calls fn for every complete frame. The buffer holds at
// most one frame plus one chunk of input.
func (f *framer) push(p []float32, fn func(frame []float32)) {
	f.buf = append(f.buf, p...)
	start := 0
	for start+f.n <= len(f.buf) {
		fn(f.buf[start : start+f.n])
		start += f.hop // hop <= n, so start never passes len(f.buf)
	}
	f.buf = f.buf[:copy(f.buf, f.buf[start:])]
}

// spectrum computes windowed FFT magnitudes, reusing its buffers.
type spectrum struct {
	fft    *fourier.FFT
	window []float64
	in     []float64
	coef   []complex128
	mag    []float64 // len n/2+1, scaled so a full-scale sine peaks near 1
}

func newSpectrum(n int) *spectrum {
	s := &spectrum{
		fft:    fourier.NewFFT(n),
		window: make([]float64, n),
		in:     make([]float64, n),
		coef:   make([]complex128, n/2+1),
		mag:    make([]float64, n/2+1),
	}
	var sum float64
	for i := range s.window {
		s.window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		sum += s.window[i]
	}
	for i := range s.window {
		s.window[i] *= 2 / sum
	}
	return s
}

func (s *spectrum) compute(frame []float32) []float64 {
	for i, v := range frame {
		s.in[i] = float64(v) * s.window[i]
	}
	s.fft.Coefficients(s.coef, s.in)
	for i, c := range s.coef {
		s.mag[i] = math.Sqrt(real(c)*real(c) + imag(c)*imag(c))
	}
	return s.mag
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}
