package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// pcmEncoding describes interleaved uncompressed samples.
type pcmEncoding struct {
	bytes     int  // bytes per sample: 1..4, or 8 for float64
	float     bool // IEEE float (4 or 8 bytes)
	bigEndian bool
	unsigned8 bool // 8-bit samples are unsigned (WAV) rather than signed (AIFF)
}

// pcmSource reads a run of interleaved PCM frames and averages the channels
// (side computes the side signal of the same frames on demand).
type pcmSource struct {
	r        *bufio.Reader
	left     int64 // bytes of sample data left
	channels int
	enc      pcmEncoding
	raw      []byte
	out      []float32
	last     []byte // raw frames of the last block, for side
	sideOut  []float32
}

const pcmBlockFrames = 4096

func newPCMSource(r io.Reader, dataBytes int64, channels int, enc pcmEncoding) *pcmSource {
	frame := channels * enc.bytes
	return &pcmSource{
		r:        bufio.NewReaderSize(r, 64<<10),
		left:     dataBytes - dataBytes%int64(frame),
		channels: channels,
		enc:      enc,
		raw:      make([]byte, pcmBlockFrames*frame),
		out:      make([]float32, pcmBlockFrames),
	}
}

func (p *pcmSource) next() ([]float32, error) {
	if p.left <= 0 {
		p.last = nil
		return nil, io.EOF
	}
	frame := p.channels * p.enc.bytes
	want := int64(len(p.raw))
	if want > p.left {
		want = p.left
	}
	n, err := io.ReadFull(p.r, p.raw[:want])
	n -= n % frame
	p.left -= int64(n)
	p.last = p.raw[:n]
	out := p.convert(p.raw[:n])
	if err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return out, fmt.Errorf("%w: sample data %d bytes short", ErrTruncated, p.left)
		}
		return out, err
	}
	return out, nil
}

func (p *pcmSource) convert(raw []byte) []float32 {
	bps := p.enc.bytes
	frames := len(raw) / (bps * p.channels)
	out := p.out[:frames]
	inv := 1 / float32(p.channels)
	bo := p.order()
	i := 0
	for f := range frames {
		var sum float32
		for range p.channels {
			sum += p.sample(raw[i:i+bps], bo)
			i += bps
		}
		out[f] = sum * inv
	}
	return out
}

// side computes (ch0-ch1)/2 of the last block (zero for mono) by decoding
// the first two channels of its raw frames again.
func (p *pcmSource) side() []float32 {
	bps := p.enc.bytes
	frame := bps * p.channels
	frames := len(p.last) / frame
	if cap(p.sideOut) < frames {
		p.sideOut = make([]float32, frames)
	}
	out := p.sideOut[:frames]
	if p.channels < 2 {
		clear(out)
		return out
	}
	bo := p.order()
	for f := range out {
		b := p.last[f*frame:]
		out[f] = 0.5 * (p.sample(b[:bps], bo) - p.sample(b[bps:2*bps], bo))
	}
	return out
}

func (p *pcmSource) order() binary.ByteOrder {
	if p.enc.bigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// sample decodes one sample; NaN or absurd float values read as 0.
func (p *pcmSource) sample(b []byte, bo binary.ByteOrder) float32 {
	var v float32
	switch bps := len(b); {
	case p.enc.float && bps == 4:
		v = math.Float32frombits(bo.Uint32(b))
	case p.enc.float && bps == 8:
		v = float32(math.Float64frombits(bo.Uint64(b)))
	case bps == 1:
		if p.enc.unsigned8 {
			v = (float32(b[0]) - 128) / 128
		} else {
			v = float32(int8(b[0])) / 128
		}
	case bps == 2:
		v = float32(int16(bo.Uint16(b))) / 32768
	case bps == 3:
		var x int32
		if p.enc.bigEndian {
			x = int32(b[0])<<24 | int32(b[1])<<16 | int32(b[2])<<8
		} else {
			x = int32(b[2])<<24 | int32(b[1])<<16 | int32(b[0])<<8
		}
		v = float32(x) / (1 << 31)
	case bps == 4:
		v = float32(int32(bo.Uint32(b))) / (1 << 31)
	}
	if v != v || v > 1e6 || v < -1e6 {
		return 0
	}
	return v
}
