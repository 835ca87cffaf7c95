package mp3

import (
	"math"
	"math/bits"
)

// synth is the polyphase synthesis filterbank of ISO/IEC 11172-3 2.4.3.2
// for m = 32 >> reduce subbands. With m < 32 it consumes only the lowest m
// subbands and produces every (32/m)-th sample of what the full filterbank
// would output for that band-limited input: the prototype window is the
// standard one sampled at every (32/m)-th tap. The matrixing step is a
// DCT-II of size m (fast, recursive) instead of the 64x32 product.
type synth struct {
	m    int
	win  []float32 // 16*m taps, the standard window D decimated
	v    []float32 // ring of 16 V vectors (2m each), stored twice to avoid wrapping
	voff int
	c    []float32
	tmp  []float32
	dct  []float32 // m x m DCT-II matrix for small m, where it beats the recursion
}

func newSynth(m int) *synth {
	s := &synth{m: m, win: make([]float32, 16*m), v: make([]float32, 2*32*m), c: make([]float32, m), tmp: make([]float32, m)}
	step := 32 / m
	for i := range s.win {
		s.win[i] = float32(synthWindow[i*step])
	}
	if m <= 8 {
		s.dct = make([]float32, m*m)
		for k := range m {
			for j := range m {
				s.dct[k*m+j] = float32(math.Cos(math.Pi * float64(k*(2*j+1)) / float64(2*m)))
			}
		}
	}
	return s
}

// dctCos[log2 n] holds 1/(2 cos(pi(2k+1)/(2n))) for the Lee DCT of size n.
var dctCos [6][]float32

func init() {
	for n := 2; n <= 32; n *= 2 {
		c := make([]float32, n/2)
		for k := range c {
			c[k] = float32(1 / (2 * math.Cos(math.Pi*float64(2*k+1)/float64(2*n))))
		}
		dctCos[bits.Len(uint(n))-1] = c
	}
}

// dct2 computes x[m] = sum_k x[k] cos(pi m (2k+1) / (2n)) in place (Lee's
// recursive algorithm); tmp has len(x) elements of scratch.
func dct2(x, tmp []float32) {
	n := len(x)
	if n == 1 {
		return
	}
	if n == 2 {
		a, b := x[0], x[1]
		x[0], x[1] = a+b, (a-b)*0.70710677
		return
	}
	h := n / 2
	g, d := tmp[:h], tmp[h:n]
	c := dctCos[bits.Len(uint(n))-1][:h]
	x = x[:n]
	for k := range h {
		a, b := x[k], x[n-1-k]
		g[k] = a + b
		d[k] = (a - b) * c[k]
	}
	dct2(g, x[:h])
	dct2(d, x[h:n])
	for k := 0; k < h-1; k++ {
		x[2*k] = g[k]
		x[2*k+1] = d[k] + d[k+1]
	}
	x[n-2] = g[h-1]
	x[n-1] = d[h-1]
}

// slot synthesises m output samples from m subband samples.
func (s *synth) slot(in []float32, out []float32) {
	m := s.m
	c := s.c
	if s.dct != nil {
		in = in[:m]
		for k := range c {
			row := s.dct[k*m : k*m+m]
			row = row[:len(in)]
			var a float32
			for j, x := range in {
				a += row[j] * x
			}
			c[k] = a
		}
	} else {
		copy(c, in[:m])
		dct2(c, s.tmp)
	}
	n := 32 * m // ring length
	s.voff = (s.voff - 2*m + n) % n
	v := s.v[s.voff : s.voff+2*m]
	v2 := s.v[s.voff+n : s.voff+n+2*m]
	h := m / 2
	for i := range h {
		v[i] = c[h+i]
	}
	v[h] = 0
	for i := h + 1; i < 3*h; i++ {
		v[i] = -c[2*m-(h+i)]
	}
	v[3*h] = -c[0]
	for i := 3*h + 1; i < 2*m; i++ {
		v[i] = -c[i-3*h]
	}
	copy(v2, v)
	// out[j] = sum_i U[i*m+j]*D[i*m+j] where U interleaves V blocks:
	// U[i*2m+j] = V[i*4m+j], U[i*2m+m+j] = V[i*4m+3m+j].
	base := s.v[s.voff:]
	win := s.win
	out = out[:m]
	clear(out)
	for i := range 8 {
		v1 := base[i*4*m : i*4*m+m]
		v2 := base[i*4*m+3*m : i*4*m+4*m]
		w1 := win[i*2*m : i*2*m+m]
		w2 := win[i*2*m+m : i*2*m+2*m]
		v2, w1, w2 = v2[:len(v1)], w1[:len(v1)], w2[:len(v1)]
		for j, a := range v1 {
			out[j] += a*w1[j] + v2[j]*w2[j]
		}
	}
}
