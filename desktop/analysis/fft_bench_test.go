package analysis

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	dspfft "github.com/mjibson/go-dsp/fft"
	"gonum.org/v1/gonum/dsp/fourier"
)

// The two pure-Go FFTs considered, at the sizes the analysis uses (onset
// frames and chroma frames at ~11 kHz). gonum reuses its plan and output
// buffer; go-dsp allocates per call.
func BenchmarkFFT(b *testing.B) {
	for _, n := range []int{256, 8192} {
		x := make([]float64, n)
		rng := rand.New(rand.NewPCG(1, 1))
		for i := range x {
			x[i] = rng.Float64()*2 - 1
		}
		b.Run("gonum/"+strconv.Itoa(n), func(b *testing.B) {
			fft := fourier.NewFFT(n)
			out := make([]complex128, n/2+1)
			for b.Loop() {
				fft.Coefficients(out, x)
			}
		})
		b.Run("go-dsp/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				dspfft.FFTReal(x)
			}
		})
	}
}

// Both libraries must agree, so the benchmark compares equal work.
func TestFFTLibrariesAgree(t *testing.T) {
	const n = 256
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Sin(float64(i)*0.3) + 0.1*float64(i%7)
	}
	a := fourier.NewFFT(n).Coefficients(nil, x)
	b := dspfft.FFTReal(x)
	for k := range a {
		if d := a[k] - b[k]; math.Hypot(real(d), imag(d)) > 1e-9 {
			t.Fatalf("bin %d: gonum %v, go-dsp %v", k, a[k], b[k])
		}
	}
}
