package audio

import (
	"errors"
	"fmt"
	"io"

	"github.com/jfreymuth/oggvorbis"
)

type oggSource struct {
	r        *oggvorbis.Reader
	channels int
	buf      []float32
	out      []float32
	frames   int // in buf from the last next
	sideBuf  []float32
}

func newOgg(r io.ReadSeeker) (source, header, error) {
	return guardOpen("Ogg Vorbis", func() (source, header, error) { return newOggUnguarded(r) })
}

func newOggUnguarded(r io.ReadSeeker) (source, header, error) {
	var h header
	or, err := oggvorbis.NewReader(r)
	if err != nil {
		return nil, h, fmt.Errorf("%w: Ogg Vorbis: %v", ErrCorrupt, err)
	}
	if err := checkLayout(or.Channels(), or.SampleRate()); err != nil {
		return nil, h, err
	}
	h = header{format: Ogg, rate: or.SampleRate(), sourceRate: or.SampleRate(), channels: or.Channels(), frames: max(or.Length(), 0)}
	c := or.Channels()
	return &oggSource{r: or, channels: c, buf: make([]float32, 4096*c), out: make([]float32, 4096)}, h, nil
}

func (o *oggSource) next() ([]float32, error) {
	n, err := o.r.Read(o.buf)
	n -= n % o.channels
	frames := n / o.channels
	o.frames = frames
	out := o.out[:frames]
	inv := 1 / float32(o.channels)
	for i := range frames {
		var sum float32
		for _, v := range o.buf[i*o.channels : (i+1)*o.channels] {
			sum += v
		}
		out[i] = sum * inv
	}
	if err == io.EOF {
		if frames > 0 {
			return out, nil // report EOF on the next call
		}
		return nil, io.EOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return out, fmt.Errorf("%w: Ogg Vorbis: %v", ErrTruncated, err)
	}
	if err != nil {
		return out, fmt.Errorf("%w: Ogg Vorbis: %v", ErrCorrupt, err)
	}
	return out, nil
}

// side computes (ch0-ch1)/2 of the last block from the interleaved samples
// still in buf (zero for mono).
func (o *oggSource) side() []float32 {
	if cap(o.sideBuf) < o.frames {
		o.sideBuf = make([]float32, o.frames)
	}
	out := o.sideBuf[:o.frames]
	if o.channels < 2 {
		clear(out)
		return out
	}
	for i := range out {
		f := o.buf[i*o.channels:]
		out[i] = 0.5 * (f[0] - f[1])
	}
	return out
}
