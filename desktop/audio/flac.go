package audio

import (
	"fmt"
	"io"

	"github.com/mewkiz/flac"
)

type flacSource struct {
	s   *flac.Stream
	out []float32
}

func newFLAC(r io.Reader) (source, header, error) {
	return guardOpen("FLAC", func() (source, header, error) { return newFLACUnguarded(r) })
}

func newFLACUnguarded(r io.Reader) (source, header, error) {
	var h header
	s, err := flac.New(r)
	if err != nil {
		return nil, h, fmt.Errorf("%w: FLAC: %v", ErrCorrupt, err)
	}
	info := s.Info
	if err := checkLayout(int(info.NChannels), int(info.SampleRate)); err != nil {
		return nil, h, err
	}
	if info.BitsPerSample < 4 || info.BitsPerSample > 32 {
		return nil, h, fmt.Errorf("%w: FLAC with %d bits per sample", ErrCorrupt, info.BitsPerSample)
	}
	h = header{format: FLAC, rate: int(info.SampleRate), sourceRate: int(info.SampleRate),
		channels: int(info.NChannels), frames: int64(info.NSamples)}
	if h.frames > 1<<40 {
		h.frames = 0
	}
	return &flacSource{s: s}, h, nil
}

func (f *flacSource) next() ([]float32, error) {
	fr, err := f.s.ParseNext()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, fmt.Errorf("%w: FLAC frame: %v", ErrCorrupt, err)
	}
	if len(fr.Subframes) == 0 {
		return nil, fmt.Errorf("%w: FLAC frame without channels", ErrCorrupt)
	}
	n := len(fr.Subframes[0].Samples)
	for _, sf := range fr.Subframes[1:] {
		if len(sf.Samples) != n {
			return nil, fmt.Errorf("%w: FLAC channels of unequal length", ErrCorrupt)
		}
	}
	bps := fr.BitsPerSample
	if bps < 1 || bps > 32 {
		return nil, fmt.Errorf("%w: FLAC frame with %d bits per sample", ErrCorrupt, bps)
	}
	scale := 1 / (float32(uint64(1)<<(bps-1)) * float32(len(fr.Subframes)))
	f.out = f.out[:0]
	for i := range n {
		var sum int64
		for _, sf := range fr.Subframes {
			sum += int64(sf.Samples[i])
		}
		f.out = append(f.out, float32(sum)*scale)
	}
	return f.out, nil
}

func (f *flacSource) Close() error { return f.s.Close() }
