package mp3

import (
	"strings"
)

// Huffman decoding uses a two-level lookup: the first 8 bits of the input
// index a primary table; codes longer than 8 bits continue in a subtable
// indexed by the following bits. Every table of the standard is a complete
// prefix code, so every index resolves.

const (
	lutLeaf     = 1 << 31
	primaryBits = 8
)

type huffTable struct {
	lut     []uint32 // leaf: lutLeaf | len<<16 | x<<8 | y; link: width<<16 | offset
	linbits int
}

// pairTables are indexed by table_select 0..31; quadTable is count1 table A.
var (
	pairTables [32]*huffTable
	quadTable  *huffTable
)

var linbitsOf = [32]int{
	16: 1, 17: 2, 18: 3, 19: 4, 20: 6, 21: 8, 22: 10, 23: 13,
	24: 4, 25: 5, 26: 6, 27: 7, 28: 8, 29: 9, 30: 11, 31: 13,
}

func init() {
	built := map[int]*huffTable{}
	for n, s := range huffCodes {
		built[n] = buildHuff(n, strings.Fields(s))
	}
	for t := range 32 {
		src := t
		switch {
		case t >= 24:
			src = 24
		case t >= 16:
			src = 16
		}
		if b := built[src]; b != nil {
			pairTables[t] = &huffTable{lut: b.lut, linbits: linbitsOf[t]}
		}
	}
	quadTable = built[32]
}

func buildHuff(n int, codes []string) *huffTable {
	type code struct {
		bits, len int
		x, y      int
	}
	var cs []code
	side := 4 // quad table: values 0..15 as x
	if n != 32 {
		side = 1
		for side*side < len(codes) {
			side++
		}
	}
	for i, c := range codes {
		v := 0
		for _, ch := range c {
			v = v<<1 | int(ch-'0')
		}
		cd := code{bits: v, len: len(c)}
		if n == 32 {
			cd.x = i
		} else {
			cd.x, cd.y = i/side, i%side
		}
		cs = append(cs, cd)
	}
	lut := make([]uint32, 1<<primaryBits)
	// Longest code per primary prefix decides the subtable width.
	width := map[int]int{}
	for _, c := range cs {
		if c.len > primaryBits {
			p := c.bits >> (c.len - primaryBits)
			width[p] = max(width[p], c.len-primaryBits)
		}
	}
	offset := map[int]int{}
	for p := range 1 << primaryBits {
		if w, ok := width[p]; ok {
			offset[p] = len(lut)
			lut[p] = uint32(w)<<16 | uint32(len(lut))
			lut = append(lut, make([]uint32, 1<<w)...)
		}
	}
	for _, c := range cs {
		leaf := lutLeaf | uint32(c.len)<<16 | uint32(c.x)<<8 | uint32(c.y)
		if c.len <= primaryBits {
			start := c.bits << (primaryBits - c.len)
			for i := range 1 << (primaryBits - c.len) {
				lut[start+i] = leaf
			}
			continue
		}
		p := c.bits >> (c.len - primaryBits)
		w := width[p]
		rest := c.bits & (1<<(c.len-primaryBits) - 1)
		start := offset[p] + rest<<(w-(c.len-primaryBits))
		for i := range 1 << (w - (c.len - primaryBits)) {
			lut[start+i] = leaf
		}
	}
	return &huffTable{lut: lut}
}

// decode reads one codeword and returns its x, y.
func (t *huffTable) decode(br *bitReader) (x, y int) {
	v := br.peek32()
	e := t.lut[v>>(32-primaryBits)]
	if e&lutLeaf == 0 {
		w := (e >> 16) & 0xff
		e = t.lut[(e&0xffff)+(v<<primaryBits)>>(32-w)]
	}
	br.pos += int(e>>16) & 0x1f
	return int(e>>8) & 0xff, int(e) & 0xff
}
