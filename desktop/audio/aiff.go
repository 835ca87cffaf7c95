package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// newAIFF parses an AIFF or AIFF-C header (uncompressed: NONE, twos, sowt,
// fl32, fl64) and returns a source positioned at the sample data.
func newAIFF(r io.ReadSeeker) (source, header, error) {
	var h header
	var form [12]byte
	if _, err := io.ReadFull(r, form[:]); err != nil {
		return nil, h, fmt.Errorf("%w: AIFF header: %v", ErrCorrupt, err)
	}
	aifc := string(form[8:12]) == "AIFC"
	var (
		haveComm bool
		channels int
		frames   int64
		rate     int
		enc      pcmEncoding
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, h, fmt.Errorf("%w: AIFF: no SSND chunk", ErrCorrupt)
		}
		id := string(ch[:4])
		size := int64(binary.BigEndian.Uint32(ch[4:]))
		switch id {
		case "COMM":
			if size < 18 || size > 1<<16 {
				return nil, h, fmt.Errorf("%w: AIFF COMM chunk size %d", ErrCorrupt, size)
			}
			b := make([]byte, size)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, h, fmt.Errorf("%w: AIFF COMM chunk: %v", ErrCorrupt, err)
			}
			if size%2 == 1 {
				r.Seek(1, io.SeekCurrent)
			}
			channels = int(binary.BigEndian.Uint16(b[0:]))
			frames = int64(binary.BigEndian.Uint32(b[2:]))
			bits := int(int16(binary.BigEndian.Uint16(b[6:])))
			fr := extendedToFloat(b[8:18])
			if !(fr >= 1000 && fr <= maxSampleRate) {
				return nil, h, fmt.Errorf("%w: AIFF sample rate %g Hz", ErrCorrupt, fr)
			}
			rate = int(math.Round(fr))
			comp := "NONE"
			if aifc {
				if size < 22 {
					return nil, h, fmt.Errorf("%w: AIFF-C COMM chunk too short", ErrCorrupt)
				}
				comp = string(b[18:22])
			}
			switch comp {
			case "NONE", "twos", "sowt":
				if bits < 1 || bits > 32 {
					return nil, h, fmt.Errorf("%w: AIFF with %d bits", ErrCorrupt, bits)
				}
				enc = pcmEncoding{bytes: (bits + 7) / 8, bigEndian: comp != "sowt"}
			case "fl32", "FL32":
				enc = pcmEncoding{bytes: 4, float: true, bigEndian: true}
			case "fl64", "FL64":
				enc = pcmEncoding{bytes: 8, float: true, bigEndian: true}
			default:
				return nil, h, fmt.Errorf("%w: AIFF-C compression %q", ErrUnsupportedFormat, comp)
			}
			haveComm = true
		case "SSND":
			if !haveComm {
				return nil, h, fmt.Errorf("%w: AIFF SSND before COMM", ErrCorrupt)
			}
			if err := checkLayout(channels, rate); err != nil {
				return nil, h, err
			}
			var hdr [8]byte
			if _, err := io.ReadFull(r, hdr[:]); err != nil {
				return nil, h, fmt.Errorf("%w: AIFF SSND chunk: %v", ErrCorrupt, err)
			}
			offset := int64(binary.BigEndian.Uint32(hdr[:]))
			if offset > 0 {
				if _, err := r.Seek(offset, io.SeekCurrent); err != nil {
					return nil, h, err
				}
			}
			// COMM gives the frame count; trust it but never past the chunk.
			data := frames * int64(channels*enc.bytes)
			if avail := size - 8 - offset; avail < data {
				data = max(avail, 0)
			}
			h = header{format: AIFF, rate: rate, sourceRate: rate, channels: channels, frames: data / int64(channels*enc.bytes)}
			return newPCMSource(r, data, channels, enc), h, nil
		default:
			if _, err := r.Seek(size+size%2, io.SeekCurrent); err != nil {
				return nil, h, err
			}
		}
	}
}

// extendedToFloat converts an 80-bit IEEE 754 extended float (AIFF sample
// rate) to float64.
func extendedToFloat(b []byte) float64 {
	sign := b[0] >> 7
	exp := int(binary.BigEndian.Uint16(b[0:2]) & 0x7FFF)
	mant := binary.BigEndian.Uint64(b[2:10])
	if exp == 0 && mant == 0 {
		return 0
	}
	if exp == 0x7FFF {
		return math.NaN()
	}
	f := math.Ldexp(float64(mant), exp-16383-63)
	if sign != 0 {
		f = -f
	}
	return f
}
