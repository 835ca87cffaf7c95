package mp3

// bitReader reads big-endian bit fields from a byte slice. The slice is
// padded by the caller with at least 8 zero bytes past end, so peeks near
// the end read zeros instead of failing; pos may run past end, which the
// callers check against their own limits.
type bitReader struct {
	data []byte
	pos  int // bit position
}

// peek32 returns the next 32 bits, left-aligned.
func (b *bitReader) peek32() uint32 {
	i := b.pos >> 3
	if i+5 > len(b.data) {
		return b.peekSlow()
	}
	d := b.data[i : i+5]
	v := uint64(d[0])<<32 | uint64(d[1])<<24 | uint64(d[2])<<16 | uint64(d[3])<<8 | uint64(d[4])
	return uint32(v << (b.pos & 7) >> 8)
}

func (b *bitReader) peekSlow() uint32 {
	var v uint64
	i := b.pos >> 3
	for k := 0; k < 5; k++ {
		v <<= 8
		if i+k < len(b.data) && i+k >= 0 {
			v |= uint64(b.data[i+k])
		}
	}
	return uint32(v << (b.pos & 7) >> 8)
}

// bits reads n bits (0 <= n <= 24).
func (b *bitReader) bits(n int) int {
	if n == 0 {
		return 0
	}
	v := b.peek32() >> (32 - n)
	b.pos += n
	return int(v)
}

func (b *bitReader) bit() int {
	v := b.peek32() >> 31
	b.pos++
	return int(v)
}

// peek64 returns the next bits left-aligned; at least 57 of them are valid.
func (b *bitReader) peek64() uint64 {
	i := b.pos >> 3
	if i+8 > len(b.data) {
		return uint64(b.peekSlow()) << 32
	}
	d := b.data[i : i+8]
	v := uint64(d[0])<<56 | uint64(d[1])<<48 | uint64(d[2])<<40 | uint64(d[3])<<32 |
		uint64(d[4])<<24 | uint64(d[5])<<16 | uint64(d[6])<<8 | uint64(d[7])
	return v << (b.pos & 7)
}
