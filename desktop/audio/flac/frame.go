package flac

import (
	"fmt"
	"math/bits"
)

var crc8Table, crc16Table = makeCRCTables()

func makeCRCTables() (t8 [256]uint8, t16 [256]uint16) {
	for i := range 256 {
		c8 := uint8(i)
		for range 8 {
			if c8&0x80 != 0 {
				c8 = c8<<1 ^ 0x07
			} else {
				c8 <<= 1
			}
		}
		t8[i] = c8
		c16 := uint16(i) << 8
		for range 8 {
			if c16&0x8000 != 0 {
				c16 = c16<<1 ^ 0x8005
			} else {
				c16 <<= 1
			}
		}
		t16[i] = c16
	}
	return
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// decodeFrame decodes the frame at the start of b into d.out and returns its
// length in bytes; errShort if b ends inside it.
func (d *Decoder) decodeFrame(b []byte) (int, error) {
	br := bitReader{data: b}
	br.bits(16) // sync code, reserved bit, blocking strategy
	bsCode := int(br.bits(4))
	srCode := int(br.bits(4))
	chCode := int(br.bits(4))
	ssCode := int(br.bits(3))
	if br.bits(1) != 0 {
		return 0, corrupt("reserved frame header bit set")
	}
	// Frame or sample number, UTF-8 style.
	first := br.bits(8)
	extra := 0
	for m := uint64(0x80); m != 0 && first&m != 0; m >>= 1 {
		extra++
	}
	if extra == 1 || extra == 8 {
		return 0, corrupt("bad coded frame number")
	}
	if extra > 0 {
		extra-- // continuation bytes
	}
	for range extra {
		if br.bits(8)&0xC0 != 0x80 {
			return 0, corrupt("bad coded frame number")
		}
	}
	var bs int
	switch {
	case bsCode == 0:
		return 0, corrupt("reserved block size")
	case bsCode == 1:
		bs = 192
	case bsCode <= 5:
		bs = 576 << (bsCode - 2)
	case bsCode == 6:
		bs = int(br.bits(8)) + 1
	case bsCode == 7:
		bs = int(br.bits(16)) + 1
	default:
		bs = 256 << (bsCode - 8)
	}
	switch srCode {
	case 12:
		br.bits(8)
	case 13, 14:
		br.bits(16)
	case 15:
		return 0, corrupt("invalid sample rate code")
	}
	bps := d.info.BitsPerSample
	switch ssCode {
	case 1:
		bps = 8
	case 2:
		bps = 12
	case 3:
		return 0, corrupt("reserved sample size")
	case 4:
		bps = 16
	case 5:
		bps = 20
	case 6:
		bps = 24
	case 7:
		bps = 32
	}
	nch := chCode + 1
	if chCode >= 8 {
		if chCode > 10 {
			return 0, corrupt("reserved channel assignment")
		}
		nch = 2
	}
	if br.short {
		return 0, errShort
	}
	hdrLen := br.pos / 8
	if got := br.bits(8); uint8(got) != crc8(b[:hdrLen]) {
		return 0, corrupt("frame header CRC mismatch")
	}
	if nch != d.info.Channels {
		return 0, corrupt("frame has %d channels, stream %d", nch, d.info.Channels)
	}
	if bs > maxBlock {
		return 0, corrupt("block size %d", bs)
	}
	for ch := range nch {
		sbps := bps
		if (chCode == 8 || chCode == 10) && ch == 1 || chCode == 9 && ch == 0 {
			sbps++ // side channel
		}
		if cap(d.samples[ch]) < bs {
			d.samples[ch] = make([]int64, bs)
		}
		s := d.samples[ch][:bs]
		if err := decodeSubframe(&br, sbps, s); err != nil {
			return 0, err
		}
		if br.short {
			return 0, errShort
		}
	}
	br.align()
	end := br.pos / 8
	crc := uint16(br.bits(16))
	if br.short {
		return 0, errShort
	}
	if crc != crc16(b[:end]) {
		return 0, corrupt("frame CRC mismatch")
	}
	d.mix(chCode, nch, bs, bps)
	return end + 2, nil
}

func crc8(b []byte) uint8 {
	var c uint8
	for _, x := range b {
		c = crc8Table[c^x]
	}
	return c
}

func crc16(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c = c<<8 ^ crc16Table[uint8(c>>8)^x]
	}
	return c
}

// mix undoes the stereo decorrelation and averages the channels.
func (d *Decoder) mix(chCode, nch, bs, bps int) {
	d.last = frameLayout{chCode: chCode, nch: nch, bs: bs, bps: bps}
	if cap(d.out) < bs {
		d.out = make([]float32, bs)
	}
	out := d.out[:bs]
	d.out = out
	scale := 1 / (float32(uint64(1)<<(bps-1)) * float32(nch))
	a, b := d.samples[0][:bs], d.samples[min(1, nch-1)][:bs]
	switch chCode {
	case 8: // left, side
		for i := range out {
			out[i] = float32(2*a[i]-b[i]) * scale
		}
	case 9: // side, right
		for i := range out {
			out[i] = float32(a[i]+2*b[i]) * scale
		}
	case 10: // mid, side
		for i := range out {
			m := a[i]<<1 | b[i]&1
			out[i] = float32((m+b[i])>>1+(m-b[i])>>1) * scale
		}
	default:
		for i := range out {
			var s int64
			for ch := range nch {
				s += d.samples[ch][i]
			}
			out[i] = float32(s) * scale
		}
	}
}

// frameLayout is what Side needs to know about the last decoded frame.
type frameLayout struct {
	chCode, nch, bs, bps int
}

// Side returns the side signal (ch0-ch1)/2 (for stereo (L-R)/2) of the frame
// the last Read returned, scaled like Read's output and valid until the
// next call; zero for mono. It is computed from the decoded channels only
// when asked, so Read alone costs nothing more.
func (d *Decoder) Side() []float32 {
	l := d.last
	if cap(d.side) < l.bs {
		d.side = make([]float32, l.bs)
	}
	out := d.side[:l.bs]
	if l.bs == 0 || l.nch < 2 {
		clear(out)
		return out
	}
	scale := 1 / (float32(uint64(1)<<(l.bps-1)) * 2)
	a, b := d.samples[0][:l.bs], d.samples[1][:l.bs]
	switch l.chCode {
	case 8, 10: // left/side, mid/side: the second subframe is L-R
		for i := range out {
			out[i] = float32(b[i]) * scale
		}
	case 9: // side/right: the first subframe is L-R
		for i := range out {
			out[i] = float32(a[i]) * scale
		}
	default:
		for i := range out {
			out[i] = float32(a[i]-b[i]) * scale
		}
	}
	return out
}

// decodeSubframe decodes one channel of bs = len(s) samples of bps bits.
func decodeSubframe(br *bitReader, bps int, s []int64) error {
	if br.bits(1) != 0 {
		return corrupt("subframe padding bit set")
	}
	typ := int(br.bits(6))
	wasted := 0
	if br.bits(1) == 1 {
		wasted = br.unary() + 1
		if wasted >= bps {
			return corrupt("%d wasted bits of %d", wasted, bps)
		}
		bps -= wasted
	}
	switch {
	case typ == 0:
		v := br.signed(bps)
		for i := range s {
			s[i] = v
		}
	case typ == 1:
		for i := range s {
			s[i] = br.signed(bps)
		}
	case typ >= 8 && typ <= 12:
		order := typ - 8
		if order > len(s) {
			return corrupt("fixed predictor order %d for %d samples", order, len(s))
		}
		for i := range order {
			s[i] = br.signed(bps)
		}
		if err := residual(br, order, s); err != nil {
			return err
		}
		fixedPredict(order, s)
	case typ >= 32:
		order := typ - 31
		if order > len(s) {
			return corrupt("LPC order %d for %d samples", order, len(s))
		}
		for i := range order {
			s[i] = br.signed(bps)
		}
		prec := int(br.bits(4)) + 1
		if prec == 16 {
			return corrupt("invalid LPC precision")
		}
		shift := int(br.signed(5))
		if shift < 0 {
			return corrupt("negative LPC shift")
		}
		var coef [32]int64
		for i := range order {
			coef[i] = br.signed(prec)
		}
		if err := residual(br, order, s); err != nil {
			return err
		}
		lpcPredict(coef[:order], shift, s)
	default:
		return corrupt("reserved subframe type %d", typ)
	}
	if wasted > 0 {
		for i := range s {
			s[i] <<= wasted
		}
	}
	return nil
}

// residual reads the Rice-coded residual into s[order:].
func residual(br *bitReader, order int, s []int64) error {
	method := br.bits(2)
	if method > 1 {
		return corrupt("reserved residual coding method")
	}
	paramBits, escape := 4, uint64(15)
	if method == 1 {
		paramBits, escape = 5, 31
	}
	partOrder := int(br.bits(4))
	parts := 1 << partOrder
	if len(s)%parts != 0 || len(s)>>partOrder < order {
		return corrupt("partition order %d for %d samples", partOrder, len(s))
	}
	psize := len(s) >> partOrder
	i := order
	for p := range parts {
		n := psize
		if p == 0 {
			n -= order
		}
		k := br.bits(paramBits)
		if k == escape {
			nb := int(br.bits(5))
			for range n {
				s[i] = br.signed(nb)
				i++
			}
		} else {
			kk := int(k)
			for range n {
				// Fast path: quotient, stop bit and remainder in one peek.
				v := br.peek64()
				var u uint64
				if q := bits.LeadingZeros64(v); q+1+kk <= 57 {
					u = uint64(q)<<kk | (v<<(q+1))>>(63-kk)>>1
					br.pos += q + 1 + kk
				} else {
					q := uint64(br.unary())
					u = q<<kk | br.bits(kk)
				}
				s[i] = int64(u>>1) ^ -int64(u&1)
				i++
			}
			if br.pos > len(br.data)*8 {
				br.short = true
			}
		}
		if br.short {
			return errShort
		}
	}
	return nil
}

func fixedPredict(order int, s []int64) {
	switch order {
	case 1:
		for i := 1; i < len(s); i++ {
			s[i] += s[i-1]
		}
	case 2:
		for i := 2; i < len(s); i++ {
			s[i] += 2*s[i-1] - s[i-2]
		}
	case 3:
		for i := 3; i < len(s); i++ {
			s[i] += 3*s[i-1] - 3*s[i-2] + s[i-3]
		}
	case 4:
		for i := 4; i < len(s); i++ {
			s[i] += 4*s[i-1] - 6*s[i-2] + 4*s[i-3] - s[i-4]
		}
	}
}

func lpcPredict(coef []int64, shift int, s []int64) {
	order := len(coef)
	// Reversed so that coefficient j multiplies h[j] for h = s[i-order:i].
	var rc [32]int64
	for j, c := range coef {
		rc[order-1-j] = c
	}
	r := rc[:order]
	for i := order; i < len(s); i++ {
		h := s[i-order : i]
		h = h[:len(r)]
		var a0, a1 int64
		j := 0
		for ; j+1 < len(r); j += 2 {
			a0 += r[j] * h[j]
			a1 += r[j+1] * h[j+1]
		}
		if j < len(r) {
			a0 += r[j] * h[j]
		}
		s[i] += (a0 + a1) >> shift
	}
}
