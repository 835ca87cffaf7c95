package audio

import (
	"encoding/binary"
	"fmt"
	"io"
)

// newWAV parses a RIFF/WAVE header (PCM, IEEE float, or WAVE_FORMAT_EXTENSIBLE
// with either) and returns a source positioned at the sample data.
func newWAV(r io.ReadSeeker) (source, header, error) {
	var h header
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return nil, h, fmt.Errorf("%w: WAV header: %v", ErrCorrupt, err)
	}
	var (
		haveFmt  bool
		enc      pcmEncoding
		channels int
		rate     int
	)
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return nil, h, fmt.Errorf("%w: WAV: no data chunk", ErrCorrupt)
		}
		id := string(ch[:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch id {
		case "fmt ":
			if size < 16 || size > 1<<16 {
				return nil, h, fmt.Errorf("%w: WAV fmt chunk size %d", ErrCorrupt, size)
			}
			b := make([]byte, size)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, h, fmt.Errorf("%w: WAV fmt chunk: %v", ErrCorrupt, err)
			}
			if size%2 == 1 {
				r.Seek(1, io.SeekCurrent)
			}
			tag := binary.LittleEndian.Uint16(b[0:])
			channels = int(binary.LittleEndian.Uint16(b[2:]))
			rate = int(binary.LittleEndian.Uint32(b[4:]))
			bits := int(binary.LittleEndian.Uint16(b[14:]))
			if tag == 0xFFFE && size >= 40 {
				tag = binary.LittleEndian.Uint16(b[24:]) // sub-format GUID starts with the tag
			}
			switch tag {
			case 1:
				if bits < 1 || bits > 32 {
					return nil, h, fmt.Errorf("%w: WAV PCM with %d bits", ErrUnsupportedFormat, bits)
				}
				enc = pcmEncoding{bytes: (bits + 7) / 8, unsigned8: true}
			case 3:
				if bits != 32 && bits != 64 {
					return nil, h, fmt.Errorf("%w: WAV float with %d bits", ErrUnsupportedFormat, bits)
				}
				enc = pcmEncoding{bytes: bits / 8, float: true}
			default:
				return nil, h, fmt.Errorf("%w: WAV codec 0x%04x", ErrUnsupportedFormat, tag)
			}
			// The block alignment must match, or the frame layout is unknown.
			if align := int(binary.LittleEndian.Uint16(b[12:])); align != channels*enc.bytes {
				return nil, h, fmt.Errorf("%w: WAV block align %d for %d channels of %d bytes", ErrCorrupt, align, channels, enc.bytes)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, h, fmt.Errorf("%w: WAV data before fmt", ErrCorrupt)
			}
			if err := checkLayout(channels, rate); err != nil {
				return nil, h, err
			}
			// Streamed WAVs put 0 or 0xFFFFFFFF here; clamp to what the file holds.
			pos, _ := r.Seek(0, io.SeekCurrent)
			end, err := r.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, h, err
			}
			if _, err := r.Seek(pos, io.SeekStart); err != nil {
				return nil, h, err
			}
			if size == 0 || size == 0xFFFFFFFF {
				size = end - pos
			}
			// A size past the end of the file is a truncated file: the source
			// decodes what is there and then reports the truncation.
			h = header{format: WAV, rate: rate, sourceRate: rate, channels: channels, frames: size / int64(channels*enc.bytes)}
			return newPCMSource(r, size, channels, enc), h, nil
		default:
			if _, err := r.Seek(size+size%2, io.SeekCurrent); err != nil {
				return nil, h, err
			}
		}
	}
}

// checkLayout rejects channel counts and rates no real file has.
func checkLayout(channels, rate int) error {
	if channels < 1 || channels > maxChannels {
		return fmt.Errorf("%w: %d channels", ErrCorrupt, channels)
	}
	if rate < 1000 || rate > maxSampleRate {
		return fmt.Errorf("%w: sample rate %d Hz", ErrCorrupt, rate)
	}
	return nil
}
