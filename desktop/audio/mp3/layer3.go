package mp3

import "math"

// scalefactors of one granule and channel, plus what intensity stereo needs.
type scalefactors struct {
	l [22]int
	s [13][3]int
	// MPEG-2 intensity stereo: the largest value each factor could take
	// (that value marks an illegal intensity position).
	lMax [22]int
	sMax [13][3]int
}

// readScalefactorsMPEG1 reads part 2 for MPEG-1. prev holds granule 0's
// factors of the same channel, reused where scfsi is set in granule 1.
func readScalefactorsMPEG1(br *bitReader, g *granuleInfo, scfsi *[4]int, gr int, sf, prev *scalefactors) {
	s1, s2 := slen1[g.sfCompress], slen2[g.sfCompress]
	if g.winSwitch && g.blockType == 2 {
		*sf = scalefactors{}
		start := 0
		if g.mixed {
			for sfb := range 8 {
				sf.l[sfb] = br.bits(s1)
			}
			start = 3
		}
		for sfb := start; sfb < 12; sfb++ {
			n := s1
			if sfb >= 6 {
				n = s2
			}
			for w := range 3 {
				sf.s[sfb][w] = br.bits(n)
			}
		}
		return
	}
	groups := [5]int{0, 6, 11, 16, 21}
	for grp := range 4 {
		n := s1
		if grp >= 2 {
			n = s2
		}
		for sfb := groups[grp]; sfb < groups[grp+1]; sfb++ {
			if gr == 1 && scfsi[grp] == 1 {
				sf.l[sfb] = prev.l[sfb]
			} else {
				sf.l[sfb] = br.bits(n)
			}
		}
	}
	sf.l[21] = 0
}

// readScalefactorsLSF reads part 2 for MPEG-2/2.5 (ISO/IEC 13818-3 2.4.3.2).
// isRight marks the right channel of an intensity-stereo frame.
func readScalefactorsLSF(br *bitReader, g *granuleInfo, isRight bool, sf *scalefactors) {
	var slen [4]int
	tbl := 0
	sfc := g.sfCompress
	g.preflag = 0
	if !isRight {
		switch {
		case sfc < 400:
			slen = [4]int{(sfc >> 4) / 5, (sfc >> 4) % 5, (sfc & 15) >> 2, sfc & 3}
		case sfc < 500:
			sfc -= 400
			slen = [4]int{(sfc >> 2) / 5, (sfc >> 2) % 5, sfc & 3, 0}
			tbl = 1
		default:
			sfc -= 500
			slen = [4]int{sfc / 3, sfc % 3, 0, 0}
			tbl = 2
			g.preflag = 1
		}
	} else {
		sfc >>= 1
		switch {
		case sfc < 180:
			slen = [4]int{sfc / 36, (sfc % 36) / 6, (sfc % 36) % 6, 0}
			tbl = 3
		case sfc < 244:
			sfc -= 180
			slen = [4]int{(sfc & 63) >> 4, (sfc & 15) >> 2, sfc & 3, 0}
			tbl = 4
		default:
			sfc -= 244
			slen = [4]int{sfc / 3, sfc % 3, 0, 0}
			tbl = 5
		}
	}
	kind := 0
	if g.winSwitch && g.blockType == 2 {
		kind = 1
		if g.mixed {
			kind = 2
		}
	}
	var vals, maxs [39]int
	k := 0
	for grp := range 4 {
		for range nrOfSfb[tbl][kind][grp] {
			vals[k] = br.bits(slen[grp])
			maxs[k] = 1<<slen[grp] - 1
			k++
		}
	}
	*sf = scalefactors{}
	switch kind {
	case 0:
		for i := 0; i < k && i < 21; i++ {
			sf.l[i], sf.lMax[i] = vals[i], maxs[i]
		}
	case 1:
		for i := 0; i < k && i < 36; i++ {
			sf.s[i/3][i%3], sf.sMax[i/3][i%3] = vals[i], maxs[i]
		}
	case 2:
		for i := 0; i < k && i < 6; i++ {
			sf.l[i], sf.lMax[i] = vals[i], maxs[i]
		}
		for i := 6; i < k && i < 6+27; i++ {
			sfb, w := (i-6)/3+3, (i-6)%3
			sf.s[sfb][w], sf.sMax[sfb][w] = vals[i], maxs[i]
		}
	}
}

// readHuffman decodes the spectral values of one granule into is and returns
// the number of lines that may be non-zero. end is the bit position where
// this granule's part 3 ends. Decoding stops once limit lines are known: a
// reduced-rate decode needs only the low subbands, and the caller jumps to
// end anyway.
func readHuffman(br *bitReader, g *granuleInfo, srIndex int, end, limit int, is *[576]int32) int {
	bv := g.bigValues * 2
	var r1, r2 int
	if g.winSwitch {
		if g.blockType == 2 {
			// Short blocks: region 1 starts after the third short band
			// (36 lines; 72 at 8 kHz, whose bands are twice as wide).
			r1 = sfbShort[srIndex][3] * 3
		} else {
			r1 = sfbLong[srIndex][8]
		}
		r2 = 576
	} else {
		r1 = sfbLong[srIndex][min(g.region0Count+1, 22)]
		r2 = sfbLong[srIndex][min(g.region0Count+g.region1Count+2, 22)]
	}
	limit = min(limit+1, 576) &^ 1 // whole pairs
	bv = min(bv, limit)
	r1, r2 = min(r1, bv), min(r2, bv)
	i := 0
	for reg, stop := range [3]int{r1, r2, bv} {
		t := pairTables[g.tableSelect[reg]]
		if t == nil { // table 0: all zero
			for ; i < stop; i++ {
				is[i] = 0
			}
			continue
		}
		lb := t.linbits
		lut := t.lut
		for ; i < stop; i += 2 {
			if br.pos >= end {
				// Corrupt: big values left but the granule's bits are used
				// up. Keep what was decoded, the rest is zero.
				for ; i < 576; i++ {
					is[i] = 0
				}
				return 576
			}
			// One 64-bit peek covers the codeword (<= 19 bits), both
			// linbits fields (<= 13 each) and both signs.
			v := br.peek64()
			e := lut[v>>(64-primaryBits)]
			if e&lutLeaf == 0 {
				w := (e >> 16) & 0xff
				e = lut[uint64(e&0xffff)+(v<<primaryBits)>>(64-w)]
			}
			used := int(e>>16) & 0x1f
			v <<= uint(used)
			x, y := int32(e>>8)&0xff, int32(e)&0xff
			if x != 0 {
				if lb > 0 && x == 15 {
					x += int32(v >> (64 - lb))
					v <<= uint(lb)
					used += lb
				}
				if v>>63 == 1 {
					x = -x
				}
				v <<= 1
				used++
			}
			if y != 0 {
				if lb > 0 && y == 15 {
					y += int32(v >> (64 - lb))
					v <<= uint(lb)
					used += lb
				}
				if v>>63 == 1 {
					y = -y
				}
				used++
			}
			br.pos += used
			is[i], is[i+1] = x, y
		}
	}
	// count1 region: quadruples until the part 3 bits are used up.
	for i+4 <= 576 && i < limit && br.pos < end {
		var v int
		if g.count1Table == 1 {
			v = ^br.bits(4) & 15
		} else {
			v, _ = quadTable.decode(br)
		}
		var q [4]int32
		for k := range 4 {
			if v&(8>>k) != 0 {
				q[k] = 1
				if br.bit() == 1 {
					q[k] = -1
				}
			}
		}
		if br.pos > end {
			break // the last quadruple overran: discard it
		}
		is[i], is[i+1], is[i+2], is[i+3] = q[0], q[1], q[2], q[3]
		i += 4
	}
	n := i
	for ; i < 576; i++ {
		is[i] = 0
	}
	return n
}

// requantize turns Huffman values into spectral lines:
// xr = sign(is) * |is|^(4/3) * 2^(gain/4), with the gain from global_gain,
// subblock gains and scale factors (ISO/IEC 11172-3 2.4.3.4.7.1).
//
// Only lines below limit are written (reduced-rate decoding needs the low
// subbands only); limit applies to long blocks, short blocks are always
// done in full since their lines are interleaved by window.
func requantize(g *granuleInfo, sf *scalefactors, srIndex int, is *[576]int32, n, limit int, xr *[576]float32) {
	shift := 1 + g.sfScale // scale factors count in half (0) or whole (1) 2^-1 steps: quarter units 2 or 4
	base := g.globalGain - 210
	line := func(i int, gain float32) {
		v := is[i]
		switch {
		case v == 0:
			xr[i] = 0
		case v > 0:
			xr[i] = pow43[min(v, 8206)] * gain
		default:
			xr[i] = -pow43[min(-v, 8206)] * gain
		}
	}
	gainOf := func(e int) float32 {
		return gainTable[max(min(e+gainBias, len(gainTable)-1), 0)]
	}
	longEnd := 576
	if g.winSwitch && g.blockType == 2 {
		longEnd = 0
		if g.mixed {
			longEnd = sfbLong[srIndex][8]
			if srIndex >= 3 {
				longEnd = sfbLong[srIndex][6]
			}
		}
	}
	lb := &sfbLong[srIndex]
	if longEnd == 576 {
		longEnd = limit
	}
	for sfb := 0; sfb < 22 && lb[sfb] < longEnd; sfb++ {
		e := base - (sf.l[sfb]+g.preflag*pretab[sfb])<<shift
		gain := gainOf(e)
		hi := min(lb[sfb+1], longEnd)
		for i := lb[sfb]; i < hi; i++ {
			if i >= n {
				xr[i] = 0
				continue
			}
			line(i, gain)
		}
	}
	if !(g.winSwitch && g.blockType == 2) {
		return
	}
	sb := &sfbShort[srIndex]
	startSfb := 0
	if g.mixed {
		startSfb = 3
	}
	for sfb := startSfb; sfb < 13; sfb++ {
		width := sb[sfb+1] - sb[sfb]
		for w := range 3 {
			e := base - 8*g.subblockGain[w] - sf.s[sfb][w]<<shift
			gain := gainOf(e)
			start := sb[sfb]*3 + w*width
			for i := start; i < start+width; i++ {
				if i >= n {
					xr[i] = 0
					continue
				}
				line(i, gain)
			}
		}
	}
}

var invSqrt2 = float32(1 / math.Sqrt2)

// isRatioMPEG1 gives, for is_pos 0..6, the left factor tan(p*pi/12)/(1+tan);
// the right factor is 1 minus it.
var isRatioMPEG1 [7]float32

func init() {
	for p := range 7 {
		t := math.Tan(float64(p) * math.Pi / 12)
		isRatioMPEG1[p] = float32(t / (1 + t))
	}
}
