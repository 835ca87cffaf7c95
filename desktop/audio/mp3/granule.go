package mp3

import "encoding/binary"

// decodeFrame decodes one frame (header included) into mono samples, and
// with Options.Side the side samples too (nil otherwise). A frame whose side
// information is invalid or whose bit reservoir is missing (the first frames
// after a cut) decodes as silence, keeping the timing.
func (d *Decoder) decodeFrame(fr []byte) (out, outS []float32) {
	h, _ := parseHeader(binary.BigEndian.Uint32(fr))
	ngr := h.granules()
	need := ngr * 18 * d.m
	if cap(d.out) < need {
		d.out = make([]float32, need)
	}
	out = d.out[:need]
	if d.side {
		if cap(d.outS) < need {
			d.outS = make([]float32, need)
		}
		outS = d.outS[:need]
	}
	// granuleSide is the side output of granule gr (nil without Side).
	granuleSide := func(gr int) []float32 {
		if outS == nil {
			return nil
		}
		return outS[gr*18*d.m:]
	}

	off := 4
	if h.crc {
		off += 2
	}
	siLen := h.sideInfoLen()
	valid := off+siLen <= len(fr) && parseSideInfo(&h, fr[off:off+siLen], &d.si)
	var payload []byte
	if off+siLen <= len(fr) {
		payload = fr[off+siLen:]
	}
	if valid {
		mdb := d.si.mainDataBegin
		if mdb > len(d.reservoir) {
			valid = false
		} else {
			d.main = append(d.main[:0], d.reservoir[len(d.reservoir)-mdb:]...)
			d.main = append(d.main, payload...)
		}
	}
	// Keep the last 511 bytes (the most main_data_begin can reach back).
	d.reservoir = append(d.reservoir, payload...)
	if len(d.reservoir) > 4096 {
		d.reservoir = append(d.reservoir[:0], d.reservoir[len(d.reservoir)-511:]...)
	}
	if !valid {
		for gr := range ngr {
			d.silentGranule(out[gr*18*d.m:])
			if outS != nil {
				d.silentSide(outS[gr*18*d.m:])
			}
		}
		return out, outS
	}
	dataBits := len(d.main) * 8
	d.main = append(d.main, 0, 0, 0, 0, 0, 0, 0, 0)
	br := bitReader{data: d.main}
	for gr := range ngr {
		if d.high {
			d.pick ^= d.pick << 13
			d.pick ^= d.pick >> 17
			d.pick ^= d.pick << 5
			d.measuring = d.pick%d.share == 0
		}
		d.highE = 0
		d.decodeGranule(&h, gr, &br, dataBits, out[gr*18*d.m:], granuleSide(gr))
		if d.measuring {
			d.highMS = d.highE * highScale / 576
		}
	}
	return out, outS
}

func (d *Decoder) silentGranule(out []float32) {
	var g granuleInfo
	clear(d.xr[0][:])
	for t := range d.sub {
		clear(d.sub[t][:d.m])
	}
	hybrid(&d.xr[0], &g, 0, 0, d.m, &d.ov, &d.sub)
	for t := range 18 {
		d.syn.slot(d.sub[t][:d.m], out[t*d.m:(t+1)*d.m])
	}
}

// sideFlushGranules is how many silent granules empty the side filterbank:
// one for the IMDCT overlap, one more (18 slots > 16) for the synthesis ring.
const sideFlushGranules = 2

// silentSide writes a granule of silent side signal (mono or undecodable
// frames). While the side filterbank still rings from earlier stereo
// granules the silence goes through it, keeping the output continuous;
// once it is empty the output is just zeros, so mono streams cost nothing.
func (d *Decoder) silentSide(outS []float32) {
	if d.sideLive == 0 {
		clear(outS[:18*d.m])
		return
	}
	d.sideLive--
	var g granuleInfo
	clear(d.xs[0][:])
	for t := range d.subS {
		clear(d.subS[t][:d.m])
	}
	hybrid(&d.xs[0], &g, 0, 0, d.m, &d.ovS, &d.subS)
	for t := range 18 {
		d.synS.slot(d.subS[t][:d.m], outS[t*d.m:(t+1)*d.m])
	}
}

func (d *Decoder) decodeGranule(h *frameHeader, gr int, br *bitReader, dataBits int, out, outS []float32) {
	si := &d.si
	nch := h.nch
	ms := h.mode == modeJoint && h.modeExt&2 != 0
	intensity := h.mode == modeJoint && h.modeExt&1 != 0
	g0 := &si.gr[gr][0]
	g1 := &si.gr[gr][1]
	same := nch == 2 && g0.winSwitch == g1.winSwitch && g0.blockType == g1.blockType && g0.mixed == g1.mixed
	// With M/S and no intensity stereo, the mono mix (L+R)/2 is M/sqrt(2):
	// the side channel need not be decoded unless the side signal
	// (L-R)/2 = S/sqrt(2) is asked for.
	fastMS := nch == 2 && ms && !intensity && same
	side := outS != nil
	sideDone := false // side output already written
	var nz [2]int
	for ch := range nch {
		g := &si.gr[gr][ch]
		end := br.pos + g.part23Len
		sf := &d.sf[gr][ch]
		if h.lsf {
			readScalefactorsLSF(br, g, intensity && ch == 1, sf)
		} else {
			readScalefactorsMPEG1(br, g, &si.scfsi[ch], gr, sf, &d.sf[0][ch])
		}
		if (ch == 1 && fastMS && !side && !d.measuring && d.sideWeight == nil) || end > dataBits || br.pos > end {
			// Skipped, or corrupt (part 2/3 beyond the data): treat as silence.
			if ch == 0 || !fastMS || side {
				clear(d.xr[ch][:])
			}
			br.pos = end
			continue
		}
		// Lines needed: the synthesised subbands plus the next one, which
		// the alias butterflies read. Intensity stereo needs the whole
		// right channel to find where it starts.
		limit := 576
		if !(g.winSwitch && g.blockType == 2) && !intensity {
			limit = min((d.m+1)*18, 576)
		}
		want := limit
		if d.measuring {
			want = 576
		}
		n := readHuffman(br, g, h.srIndex, end, want, &d.is)
		requantize(g, sf, h.srIndex, &d.is, n, want, &d.xr[ch])
		if d.measuring {
			// L²+R² = M²+S² for M/S, so the coded channels' sum is the
			// stereo energy either way (intensity-coded right channel
			// lines are not counted).
			d.highE += highEnergy(&d.xr[ch], g, h.srIndex, d.m, n)
		}
		nz[ch] = min(n, limit)
		br.pos = end
	}
	for t := range d.sub {
		clear(d.sub[t][:d.m])
	}
	if side && nch == 2 {
		for t := range d.subS {
			clear(d.subS[t][:d.m])
		}
	}
	switch {
	case nch == 1:
		hybrid(&d.xr[0], g0, h.srIndex, nz[0], d.m, &d.ov, &d.sub)
		if side {
			d.silentSide(outS)
		}
	case fastMS:
		if d.sideWeight != nil {
			// L-R = sqrt2·S' for M/S lines: the side (L-R)/2 is S'/sqrt2.
			d.sideMS = 0.5 * d.sideEnergy(&d.xr[1], g0, h, nz[1])
		}
		x := &d.xr[0]
		for i := range nz[0] {
			x[i] *= invSqrt2
		}
		hybrid(x, g0, h.srIndex, nz[0], d.m, &d.ov, &d.sub)
		if side && nz[1] == 0 {
			// Silent side (dual mono coded as M/S): no transform needed
			// once the side filterbank has rung out.
			d.silentSide(outS)
			sideDone = true
		} else if side {
			// Lines past nz[1] are already zero (requantize).
			s := &d.xr[1]
			for i := range nz[1] {
				s[i] *= invSqrt2
			}
			hybrid(s, g1, h.srIndex, nz[1], d.m, &d.ovS, &d.subS)
		}
	default:
		if ms || intensity {
			stereoProcess(h, g1, &d.sf[gr][1], &d.xr, ms, intensity, nz[1])
			if intensity {
				nz[1] = max(nz[0], nz[1])
			}
		}
		if ms {
			n := max(nz[0], nz[1])
			nz[0], nz[1] = n, n
		}
		l, r := &d.xr[0], &d.xr[1]
		if same {
			// Lines from n on are zero in both channels.
			n := max(nz[0], nz[1])
			if d.sideWeight != nil {
				s := &d.xs[0]
				for i := range n {
					s[i] = 0.5 * (l[i] - r[i])
				}
				clear(s[n:])
				d.sideMS = d.sideEnergy(s, g0, h, n)
			}
			if side {
				s := &d.xs[0]
				for i := range n {
					s[i] = 0.5 * (l[i] - r[i])
				}
				clear(s[n:])
				hybrid(s, g0, h.srIndex, n, d.m, &d.ovS, &d.subS)
			}
			for i := range n {
				l[i] = 0.5 * (l[i] + r[i])
			}
			hybrid(l, g0, h.srIndex, n, d.m, &d.ov, &d.sub)
			break
		}
		// Different block types: transform each channel, sum the halves.
		for i := range nz[0] {
			l[i] *= 0.5
		}
		for i := range nz[1] {
			r[i] *= 0.5
		}
		if side {
			// The side is l/2 - r/2 through the same two transforms; copy
			// before hybrid works in place.
			sl, sr := &d.xs[0], &d.xs[1]
			copy(sl[:nz[0]], l[:nz[0]])
			clear(sl[nz[0]:])
			for i := range nz[1] {
				sr[i] = -r[i]
			}
			clear(sr[nz[1]:])
			d.mixTwo(sl, sr, g0, g1, h.srIndex, nz, &d.ovS, &d.subS)
		}
		d.mixTwo(l, r, g0, g1, h.srIndex, nz, &d.ov, &d.sub)
	}
	for t := range 18 {
		d.syn.slot(d.sub[t][:d.m], out[t*d.m:(t+1)*d.m])
	}
	if side && nch == 2 && !sideDone {
		for t := range 18 {
			d.synS.slot(d.subS[t][:d.m], outS[t*d.m:(t+1)*d.m])
		}
		d.sideLive = sideFlushGranules
	}
}

// mixTwo transforms two spectra with different block types into sub
// (summed) and ov (their overlaps summed).
func (d *Decoder) mixTwo(a, b *[576]float32, ga, gb *granuleInfo, srIndex int, nz [2]int, ov *[32][18]float32, sub *[18][32]float32) {
	hybrid(a, ga, srIndex, nz[0], d.m, ov, sub)
	for sb := range d.ovTmp {
		clear(d.ovTmp[sb][:])
	}
	hybrid(b, gb, srIndex, nz[1], d.m, &d.ovTmp, sub)
	for sb := range d.m {
		for i := range 18 {
			ov[sb][i] += d.ovTmp[sb][i]
		}
	}
}

// highEnergy is the sum of squares of a granule's requantised lines above
// the first m subbands, in the units of a long block's lines. Short blocks
// keep their lines by scale factor band and window (requantize), so the
// band is found in each window's own frequency order; a short window's
// 6-line IMDCT makes a third of the time-domain energy per unit of line
// energy that the 18-line one does. Summing the short lines from index
// 18m, as a long block's, counted lines below the band (window 2 of the
// band that straddles it) and read every short block 3× too loud: real
// MP3s read up to 3 dB bright above the band, 0.2 LU loud in all.
func highEnergy(xr *[576]float32, g *granuleInfo, srIndex, m, n int) float64 {
	var e float64
	if !(g.winSwitch && g.blockType == 2) {
		for _, v := range xr[min(m*18, n):n] {
			e += float64(v) * float64(v)
		}
		return e
	}
	// A mixed block's long part (the first two subbands) lies below any
	// reduced band (m ≥ 4).
	sb := &sfbShort[srIndex]
	fb := m * 6 // the band's first line in a short window
	startSfb := 0
	if g.mixed {
		startSfb = 3
	}
	for sfb := startSfb; sfb < 13; sfb++ {
		if sb[sfb+1] <= fb {
			continue
		}
		width := sb[sfb+1] - sb[sfb]
		from := max(fb-sb[sfb], 0)
		for w := range 3 {
			start := sb[sfb]*3 + w*width
			for _, v := range xr[start+from : start+width] { // zero from n on (requantize)
				e += float64(v) * float64(v)
			}
		}
	}
	return e / 3
}

// sideWeights are Options.SideWeight per line below the band, for the
// three line layouts: long blocks, short blocks (by scale factor band and
// window, a third for the short IMDCT's energy, as highEnergy) and mixed
// blocks (long lines in the first two subbands, short ones above).
type sideWeights struct{ long, short, mixed [576]float32 }

func newSideWeights(weight func(hz float64) float64, srIndex, rate, m int) *sideWeights {
	w := &sideWeights{}
	for i := range m * 18 {
		w.long[i] = float32(weight((float64(i) + 0.5) * float64(rate) / 1152))
	}
	sb := &sfbShort[srIndex]
	short := func(dst *[576]float32, startSfb int) {
		for sfb := startSfb; sfb < 13; sfb++ {
			width := sb[sfb+1] - sb[sfb]
			for win := range 3 {
				start := sb[sfb]*3 + win*width
				for k := range width {
					if f := sb[sfb] + k; f < m*6 {
						dst[start+k] = float32(weight((float64(f)+0.5)*float64(rate)/384) / 3)
					}
				}
			}
		}
	}
	short(&w.short, 0)
	// requantize's mixed-block split: the long lines end where the short
	// bands from 3 on begin.
	copy(w.mixed[:sb[3]*3], w.long[:sb[3]*3])
	short(&w.mixed, 3)
	return w
}

// sideEnergy is the weighted sum of squares of side lines s (zero from n
// on) in the layout of g, scaled to the mean square per source sample.
func (d *Decoder) sideEnergy(s *[576]float32, g *granuleInfo, h *frameHeader, n int) float64 {
	if d.sideW == nil || d.sideSr != h.srIndex {
		d.sideW = newSideWeights(d.sideWeight, h.srIndex, h.sampleRate, d.m)
		d.sideSr = h.srIndex
	}
	w := &d.sideW.long
	if g.winSwitch && g.blockType == 2 {
		w = &d.sideW.short
		if g.mixed {
			w = &d.sideW.mixed
		}
	}
	var e float64
	for i, v := range s[:n] {
		e += float64(w[i]) * float64(v) * float64(v)
	}
	return e * highScale / 576
}
