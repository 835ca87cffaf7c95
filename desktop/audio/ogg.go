package audio

import (
	"errors"
	"fmt"
	"io"

	"github.com/jfreymuth/vorbis"
)

// oggSource decodes the Vorbis packets of an Ogg file (oggDemuxer) with
// github.com/jfreymuth/vorbis, trimming the start and end as the granule
// positions say (Vorbis I spec, A.2).
type oggSource struct {
	demux    oggDemuxer
	dec      *vorbis.Decoder
	channels int
	rate     int
	pcm      []float32 // DecodeInto's buffer
	buf      []float32 // interleaved samples of the last block
	out      []float32
	frames   int // in buf from the last next
	sideBuf  []float32

	decoded int64 // frames decoded in this stream
	skip    int64 // frames still to drop at the start
	emitted int64 // frames returned after the start trim
	started bool  // the first audio page has ended, skip is known
	held    []float32
	done    bool
}

func newOgg(r io.ReadSeeker) (source, header, error) {
	return guardOpen("Ogg Vorbis", func() (source, header, error) { return newOggUnguarded(r) })
}

func newOggUnguarded(r io.ReadSeeker) (source, header, error) {
	var h header
	o := &oggSource{demux: oggDemuxer{r: r}}
	dec, err := o.readHeaders(nil)
	if err != nil {
		return nil, h, err
	}
	o.dec, o.channels, o.rate = dec, dec.Channels(), dec.SampleRate()
	if err := checkLayout(o.channels, o.rate); err != nil {
		return nil, h, err
	}
	frames := oggLastGranuleAt(r, o.demux.serial)
	h = header{format: Ogg, rate: o.rate, sourceRate: o.rate, channels: o.channels, frames: frames}
	o.pcm = make([]float32, dec.BufferSize())
	o.out = make([]float32, dec.BufferSize()/o.channels)
	return o, h, nil
}

// oggLastGranuleAt reads the length from the end of the file and seeks back.
func oggLastGranuleAt(r io.ReadSeeker, serial uint32) int64 {
	pos, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0
	}
	g := oggLastGranule(r, serial)
	if _, err := r.Seek(pos, io.SeekStart); err != nil {
		return 0
	}
	return g
}

// readHeaders reads the identification, comment and setup packets into a
// new decoder; first, when not nil, is the identification packet already
// read.
func (o *oggSource) readHeaders(first []byte) (*vorbis.Decoder, error) {
	dec := new(vorbis.Decoder)
	for i := range 3 {
		p := first
		if i > 0 || p == nil {
			var err error
			p, err = o.demux.packet()
			if err != nil {
				return nil, oggError(err)
			}
		}
		if want := byte(2*i + 1); len(p) == 0 || p[0] != want || !vorbis.IsHeader(p) {
			return nil, fmt.Errorf("%w: Ogg Vorbis: header %d missing", ErrCorrupt, i+1)
		}
		if err := dec.ReadHeader(p); err != nil {
			return nil, fmt.Errorf("%w: Ogg Vorbis: %v", ErrCorrupt, err)
		}
	}
	return dec, nil
}

func oggError(err error) error {
	if errors.Is(err, errOggCut) || err == io.EOF {
		return fmt.Errorf("%w: Ogg Vorbis: %v", ErrTruncated, errOggCut)
	}
	return err
}

// decodeNext decodes packets until one yields samples, returning them
// interleaved after the start and end trims.
func (o *oggSource) decodeNext() ([]float32, error) {
	for {
		if o.done {
			return nil, io.EOF
		}
		p, err := o.demux.packet()
		if err == io.EOF && o.started && o.demux.eos {
			o.done = true
			return nil, io.EOF
		}
		if err != nil {
			return nil, oggError(err)
		}
		if len(p) == 0 {
			continue
		}
		if p[0]&1 == 1 { // a header packet where audio belongs
			if p[0] != 1 || !vorbis.IsHeader(p) {
				continue
			}
			// Headers again: repeated by the encoder on the same stream, or
			// the next stream of a chained file.
			dec, err := o.readHeaders(p)
			if err != nil {
				return nil, err
			}
			if dec.Channels() != o.channels || dec.SampleRate() != o.rate {
				return nil, fmt.Errorf("%w: chained Ogg Vorbis streams change from %d ch %d Hz to %d ch %d Hz", ErrUnsupportedFormat, o.channels, o.rate, dec.Channels(), dec.SampleRate())
			}
			// Either way the granule positions start again.
			o.dec = dec
			o.decoded, o.emitted, o.started, o.skip = 0, 0, false, 0
			continue
		}
		pcm, err := o.dec.DecodeInto(p, o.pcm)
		if err != nil {
			return nil, fmt.Errorf("%w: Ogg Vorbis: %v", ErrCorrupt, err)
		}
		n := int64(len(pcm) / o.channels)
		o.decoded += n
		granule := int64(-2)
		if o.demux.pageDone && o.demux.page.granule != -1 {
			granule = o.demux.page.granule
		}
		if !o.started {
			// Hold the samples until the first page with a granule position
			// says how many of them precede the stream's start.
			o.held = append(o.held, pcm...)
			if granule == -2 {
				continue
			}
			o.started = true
			// A negative position (a buggy encoder's, hyperrogue-music)
			// trims nothing, as libvorbisfile does.
			if granule >= 0 {
				o.skip = max(o.decoded-granule, 0)
			}
			pcm = o.held
			o.held = o.held[:0]
		}
		if o.skip > 0 {
			d := min(o.skip, int64(len(pcm)/o.channels))
			pcm = pcm[d*int64(o.channels):]
			o.skip -= d
		}
		if o.demux.eos && granule != -2 && o.emitted+int64(len(pcm)/o.channels) > granule {
			pcm = pcm[:max(granule-o.emitted, 0)*int64(o.channels)]
		}
		o.emitted += int64(len(pcm) / o.channels)
		if len(pcm) > 0 {
			return pcm, nil
		}
	}
}

func (o *oggSource) next() ([]float32, error) {
	pcm, err := o.decodeNext()
	if err != nil {
		o.frames = 0
		return nil, err
	}
	c := o.channels
	frames := len(pcm) / c
	o.buf = pcm
	o.frames = frames
	if cap(o.out) < frames {
		o.out = make([]float32, frames)
	}
	out := o.out[:frames]
	inv := 1 / float32(c)
	for i := range frames {
		var sum float32
		for _, v := range pcm[i*c : (i+1)*c] {
			sum += min(max(v, -1), 1)
		}
		out[i] = sum * inv
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
		out[i] = 0.5 * (min(max(f[0], -1), 1) - min(max(f[1], -1), 1))
	}
	return out
}
