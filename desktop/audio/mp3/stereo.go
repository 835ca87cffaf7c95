package mp3

import "math"

// stereoProcess resolves joint stereo in place: xr[0], xr[1] become left and
// right spectra. ms and intensity come from mode_extension; nz1 is the
// Huffman line count of the right channel.
func stereoProcess(h *frameHeader, g1 *granuleInfo, sfR *scalefactors, xr *[2][576]float32, ms, intensity bool, nz1 int) {
	l, r := &xr[0], &xr[1]
	// isFactor reports the intensity gains for position p of a band, or
	// ok=false for an illegal position (band coded as MS or plain stereo).
	isFactor := func(p, pmax int) (kl, kr float32, ok bool) {
		if !h.lsf {
			if p >= 7 {
				return 0, 0, false
			}
			kl = isRatioMPEG1[p]
			return kl, 1 - kl, true
		}
		// ISO/IEC 13818-3: the largest value of the field marks an illegal
		// position (not applied to 0-bit fields, whose only value is 0).
		if pmax > 0 && p == pmax {
			return 0, 0, false
		}
		io := math.Pow(2, -0.25)
		if g1.sfCompress&1 == 1 {
			io = math.Sqrt(0.5)
		}
		switch {
		case p == 0:
			return 1, 1, true
		case p&1 == 1:
			return float32(math.Pow(io, float64(p+1)/2)), 1, true
		default:
			return 1, float32(math.Pow(io, float64(p)/2)), true
		}
	}
	msRange := func(lo, hi int) {
		if !ms {
			return
		}
		for i := lo; i < hi; i++ {
			m, s := l[i], r[i]
			l[i], r[i] = (m+s)*invSqrt2, (m-s)*invSqrt2
		}
	}
	isRange := func(lo, hi int, kl, kr float32) {
		for i := lo; i < hi; i++ {
			v := l[i]
			l[i], r[i] = v*kl, v*kr
		}
	}
	if !intensity {
		msRange(0, 576)
		return
	}
	// Last non-zero line of the right channel: intensity stereo covers the
	// bands above it.
	last := -1
	for i := min(nz1, 576) - 1; i >= 0; i-- {
		if r[i] != 0 {
			last = i
			break
		}
	}
	lb, sb := &sfbLong[h.srIndex], &sfbShort[h.srIndex]

	short := g1.winSwitch && g1.blockType == 2
	longEnd := 576
	if short {
		longEnd = 0
		if g1.mixed {
			longEnd = lb[8]
			if h.lsf {
				longEnd = lb[6]
			}
		}
	}
	// Long part.
	if longEnd > 0 {
		shortHasData := longEnd < 576 && last >= longEnd
		for sfb := 0; sfb < 22 && lb[sfb] < longEnd; sfb++ {
			lo, hi := lb[sfb], min(lb[sfb+1], longEnd)
			if shortHasData || lo <= last {
				msRange(lo, hi)
				continue
			}
			p, pm := sfR.l[min(sfb, 20)], sfR.lMax[min(sfb, 20)]
			if kl, kr, ok := isFactor(p, pm); ok {
				isRange(lo, hi, kl, kr)
			} else {
				msRange(lo, hi)
			}
		}
	}
	if longEnd == 576 {
		return
	}
	startSfb := 0
	if g1.mixed {
		startSfb = 3
	}
	for w := range 3 {
		// Highest short band of this window with right-channel data.
		lastSfb := startSfb - 1
		for sfb := 12; sfb >= startSfb; sfb-- {
			width := sb[sfb+1] - sb[sfb]
			start := sb[sfb]*3 + w*width
			found := false
			for i := start; i < start+width; i++ {
				if r[i] != 0 {
					found = true
					break
				}
			}
			if found {
				lastSfb = sfb
				break
			}
		}
		for sfb := startSfb; sfb < 13; sfb++ {
			width := sb[sfb+1] - sb[sfb]
			lo := sb[sfb]*3 + w*width
			hi := lo + width
			if sfb <= lastSfb {
				msRange(lo, hi)
				continue
			}
			k := min(sfb, 11)
			if kl, kr, ok := isFactor(sfR.s[k][w], sfR.sMax[k][w]); ok {
				isRange(lo, hi, kl, kr)
			} else {
				msRange(lo, hi)
			}
		}
	}
}
