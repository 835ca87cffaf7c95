package flac

import (
	"errors"
	"math/bits"
)

// errShort means the buffer ended inside the frame being parsed; the caller
// reads more input and parses the frame again.
var errShort = errors.New("flac: need more data")

// bitReader reads big-endian bit fields from a byte slice. Reads past the
// end return zeros and set short; callers check it at frame boundaries.
type bitReader struct {
	data  []byte
	pos   int // bit position
	short bool
}

// peek64 returns the next 64 bits left-aligned (zeros past the end).
func (b *bitReader) peek64() uint64 {
	i := b.pos >> 3
	var v uint64
	if i+8 <= len(b.data) {
		d := b.data[i : i+8]
		v = uint64(d[0])<<56 | uint64(d[1])<<48 | uint64(d[2])<<40 | uint64(d[3])<<32 |
			uint64(d[4])<<24 | uint64(d[5])<<16 | uint64(d[6])<<8 | uint64(d[7])
	} else {
		for k := range 8 {
			v <<= 8
			if i+k < len(b.data) {
				v |= uint64(b.data[i+k])
			}
		}
	}
	return v << (b.pos & 7)
}

// bits reads n <= 56 bits.
func (b *bitReader) bits(n int) uint64 {
	if n == 0 {
		return 0
	}
	v := b.peek64() >> (64 - n)
	b.pos += n
	if b.pos > len(b.data)*8 {
		b.short = true
	}
	return v
}

// signed reads an n-bit two's complement value.
func (b *bitReader) signed(n int) int64 {
	if n == 0 {
		return 0
	}
	v := b.bits(n)
	return int64(v<<(64-n)) >> (64 - n)
}

// unary counts zero bits up to the next one bit and consumes them all.
func (b *bitReader) unary() int {
	n := 0
	for {
		v := b.peek64()
		if v != 0 {
			z := bits.LeadingZeros64(v)
			// Only 57 bits of a peek are guaranteed to be input.
			if z < 57 {
				b.pos += z + 1
				n += z
				if b.pos > len(b.data)*8 {
					b.short = true
				}
				return n
			}
		}
		b.pos += 56
		n += 56
		if b.pos > len(b.data)*8 {
			b.short = true
			return n
		}
	}
}

func (b *bitReader) align() { b.pos = (b.pos + 7) &^ 7 }
