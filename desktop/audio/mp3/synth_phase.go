package mp3

import "math"

// phaseSynth is the reduced synthesis for an output phase p > 0: it yields
// samples p, p+s, p+2s, ... (s = 32/m) of each 32 the full filterbank would
// produce from the lowest m subbands. It evaluates the standard's
// definition directly, restricted to those samples:
//
//	out[j] = sum_i A[t-2i][j] D[64i+s*j+p] + B[t-2i-1][j] D[64i+32+s*j+p]
//	A[t][j] = sum_k S[t][k] cos((16+s*j+p)(2k+1)pi/64)
//	B[t][j] = sum_k S[t][k] cos((48+s*j+p)(2k+1)pi/64)
//
// It is used when the gapless skip is not a multiple of s, so that reduced
// output lines up exactly with the full-rate stream.
type phaseSynth struct {
	m      int
	ma, mb []float32    // m x m matrices
	wa, wb [8][]float32 // window taps per lag pair
	a, b   [16][]float32
	pos    int // index of the newest slot in the rings
}

func newPhaseSynth(m, p int) *phaseSynth {
	s := 32 / m
	ps := &phaseSynth{m: m, ma: make([]float32, m*m), mb: make([]float32, m*m)}
	for j := range m {
		n := s*j + p
		for k := range m {
			ps.ma[j*m+k] = float32(math.Cos(float64((16+n)*(2*k+1)) * math.Pi / 64))
			ps.mb[j*m+k] = float32(math.Cos(float64((48+n)*(2*k+1)) * math.Pi / 64))
		}
	}
	for i := range 8 {
		ps.wa[i] = make([]float32, m)
		ps.wb[i] = make([]float32, m)
		for j := range m {
			ps.wa[i][j] = float32(synthWindow[64*i+s*j+p])
			ps.wb[i][j] = float32(synthWindow[64*i+32+s*j+p])
		}
	}
	for i := range 16 {
		ps.a[i] = make([]float32, m)
		ps.b[i] = make([]float32, m)
	}
	return ps
}

func (ps *phaseSynth) slot(in, out []float32) {
	m := ps.m
	ps.pos = (ps.pos + 15) & 15
	a, b := ps.a[ps.pos], ps.b[ps.pos]
	in = in[:m]
	a, b = a[:m], b[:m]
	for j := range m {
		ra, rb := ps.ma[j*m:j*m+m], ps.mb[j*m:j*m+m]
		ra, rb = ra[:len(in)], rb[:len(in)] // lengths the compiler can see: no bounds checks
		var sa, sb float32
		for k, x := range in {
			sa += ra[k] * x
			sb += rb[k] * x
		}
		a[j], b[j] = sa, sb
	}
	out = out[:m]
	clear(out)
	for i := range 8 {
		va := ps.a[(ps.pos+2*i)&15]
		vb := ps.b[(ps.pos+2*i+1)&15]
		wa, wb := ps.wa[i], ps.wb[i]
		va, vb, wa, wb = va[:len(out)], vb[:len(out)], wa[:len(out)], wb[:len(out)]
		for j := range out {
			out[j] += va[j]*wa[j] + vb[j]*wb[j]
		}
	}
}
