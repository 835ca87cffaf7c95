package mp3

import "math"

// Hybrid filterbank back end: reorder short blocks, alias reduction, IMDCT
// with windowing and overlap-add, frequency inversion. Each IMDCT is
// computed as a DCT-IV of half its length followed by unfolding, which
// halves the multiplications of the direct 36x18 (12x6) form.

// shortOrder[sr][f*3+w] is the index, in the transmitted (band-major)
// order of a short block, of frequency line f of window w.
var shortOrder [9][576]int16

func init() {
	for sr := range 9 {
		sb := &sfbShort[sr]
		for sfb := range 13 {
			width := sb[sfb+1] - sb[sfb]
			for w := range 3 {
				for k := range width {
					f := sb[sfb] + k
					shortOrder[sr][f*3+w] = int16(sb[sfb]*3 + w*width + k)
				}
			}
		}
	}
}

// aliasReduce applies the butterflies between subbands 1..limit-1.
func aliasReduce(x *[576]float32, limit int) {
	for sb := 1; sb < limit; sb++ {
		for i := range 8 {
			a, b := x[18*sb-1-i], x[18*sb+i]
			x[18*sb-1-i] = a*aliasCS[i] - b*aliasCA[i]
			x[18*sb+i] = b*aliasCS[i] + a*aliasCA[i]
		}
	}
}

// imdctLong transforms 18 lines into 36 windowed samples; the first 18 are
// added to ov and returned in out, the last 18 replace ov.
func imdctLong(in []float32, win *[36]float32, out, ov []float32) {
	var z [18]float32
	dct4x18(in[:18], &z)
	// y[i] = z[i+9] (i<9), -z[26-i] (9<=i<27), -z[i-27] (i>=27).
	out, ov = out[:18], ov[:18]
	for i := range 9 {
		out[i] = z[i+9]*win[i] + ov[i]
	}
	for i := 9; i < 18; i++ {
		out[i] = -z[26-i]*win[i] + ov[i]
	}
	for i := 18; i < 27; i++ {
		ov[i-18] = -z[26-i] * win[i]
	}
	for i := 27; i < 36; i++ {
		ov[i-18] = -z[i-27] * win[i]
	}
}

// imdctShort transforms three 6-line windows (in[w*6+k]) of one subband.
func imdctShort(in []float32, out, ov []float32) {
	var y [36]float32
	for w := range 3 {
		var z [6]float32
		x := in[w*6 : w*6+6]
		for n := range 6 {
			row := &dct4Short[n]
			var s float32
			for k, v := range x {
				s += row[k] * v
			}
			z[n] = s
		}
		// y[i] = z[i+3] (i<3), -z[8-i] (3<=i<9), -z[i-9] (i>=9).
		o := 6 + 6*w
		for i := range 3 {
			y[o+i] += z[i+3] * shortWin[i]
		}
		for i := 3; i < 9; i++ {
			y[o+i] -= z[8-i] * shortWin[i]
		}
		for i := 9; i < 12; i++ {
			y[o+i] -= z[i-9] * shortWin[i]
		}
	}
	out, ov = out[:18], ov[:18]
	for i := range 18 {
		out[i] = y[i] + ov[i]
		ov[i] = y[18+i]
	}
}

// hybrid runs the IMDCT stage of one granule for subbands below nsb and adds
// the result to sub[t][sb] (time slot-major). ov is the channel's overlap
// state. Subbands from nz up are known to be zero in x and only flush their
// overlap.
func hybrid(x *[576]float32, g *granuleInfo, srIndex int, nz, nsb int, ov *[32][18]float32, sub *[18][32]float32) {
	short := g.winSwitch && g.blockType == 2
	longSb := 32
	// Lines below this were sent in long-block order (mixed blocks).
	longLines := 0
	if short {
		longSb = 0
		if g.mixed {
			// The standard transforms the two lowest subbands with the long
			// window. At 8 kHz (MPEG-2.5) the long scale factor bands of a
			// mixed block reach line 72, so subbands 2-3 hold long-ordered
			// lines that go through the short transform as they are, which
			// is also what ffmpeg does.
			longSb = 2
			longLines = sfbShort[srIndex][3] * 3
		}
	}
	// Subbands that can hold data: those with coded lines plus one, since
	// the alias butterflies leak into the next subband.
	nzSb := min((nz+17)/18+1, 32)
	if short {
		// Short blocks spread each line over the subband of its frequency,
		// which the transmitted order does not bound; process them all.
		nzSb = 32
	}
	if !short {
		// Boundaries up to nsb: subband nsb is only read, not output.
		aliasReduce(x, min(nzSb, nsb+1))
	} else if g.mixed {
		aliasReduce(x, 2)
	}
	nzSb = min(nzSb, nsb)
	var ro [18]float32
	var out [18]float32
	for sb := range nsb {
		switch {
		case sb >= nzSb:
			copy(out[:], ov[sb][:])
			clear(ov[sb][:])
		case sb < longSb:
			win := &imdctWin[g.blockType]
			if short { // mixed block: low subbands use the normal window
				win = &imdctWin[0]
			}
			imdctLong(x[sb*18:sb*18+18], win, out[:], ov[sb][:])
		case sb*18 < longLines:
			imdctShort(x[sb*18:sb*18+18], out[:], ov[sb][:])
		default:
			so := &shortOrder[srIndex]
			for w := range 3 {
				for k := range 6 {
					ro[w*6+k] = x[so[(sb*6+k)*3+w]]
				}
			}
			imdctShort(ro[:], out[:], ov[sb][:])
		}
		if sb&1 == 1 {
			for t := 1; t < 18; t += 2 {
				out[t] = -out[t]
			}
		}
		for t := range 18 {
			sub[t][sb] += out[t]
		}
	}
}

// dct4x18 computes z[n] = sum_k x[k] cos(pi/18 (n+1/2)(k+1/2)) with about
// 190 multiplications instead of 324: with u[k] = 2 cos(pi(2k+1)/72) x[k],
// z[n] + z[n-1] = DCT-II(u)[n] and z[0] = DCT-II(u)[0]/2; the 18-point
// DCT-II splits (Lee) into two 9-point ones done as matrix products.
func dct4x18(x []float32, z *[18]float32) {
	x = x[:18]
	var g, h [9]float32
	for k := range 9 {
		a := x[k] * dct4Twiddle[k]
		b := x[17-k] * dct4Twiddle[17-k]
		g[k] = a + b
		h[k] = (a - b) * leeScale18[k]
	}
	var gg, hh [9]float32
	for m := range 9 {
		row := &dct9[m]
		var sg, sh float32
		for k := range 9 {
			sg += row[k] * g[k]
			sh += row[k] * h[k]
		}
		gg[m], hh[m] = sg, sh
	}
	// u = DCT-II(x*twiddle): u[2m] = gg[m], u[2m+1] = hh[m] + hh[m+1].
	prev := gg[0] / 2
	z[0] = prev
	for n := 1; n < 18; n++ {
		var u float32
		if n&1 == 0 {
			u = gg[n/2]
		} else if m := n / 2; m < 8 {
			u = hh[m] + hh[m+1]
		} else {
			u = hh[m]
		}
		prev = u - prev
		z[n] = prev
	}
}

var (
	dct4Twiddle [18]float32   // 2 cos(pi (2k+1) / 72)
	leeScale18  [9]float32    // 1 / (2 cos(pi (2k+1) / 36))
	dct9        [9][9]float32 // cos(pi m (2k+1) / 18)
)

func init() {
	for k := range 18 {
		dct4Twiddle[k] = float32(2 * math.Cos(math.Pi*float64(2*k+1)/72))
	}
	for k := range 9 {
		leeScale18[k] = float32(1 / (2 * math.Cos(math.Pi*float64(2*k+1)/36)))
	}
	for m := range 9 {
		for k := range 9 {
			dct9[m][k] = float32(math.Cos(math.Pi * float64(m*(2*k+1)) / 18))
		}
	}
}
