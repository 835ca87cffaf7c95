package audio

import (
	"errors"
	"fmt"
	"io"

	"github.com/pikadj/pika/desktop/audio/flac"
)

// flacSource adapts the package's own FLAC decoder (audio/flac).
type flacSource struct {
	d *flac.Decoder
}

func newFLAC(r io.Reader) (source, header, error) {
	var h header
	d, err := flac.NewDecoder(r)
	if err != nil {
		return nil, h, flacError(err)
	}
	info := d.Info()
	if err := checkLayout(info.Channels, info.SampleRate); err != nil {
		return nil, h, err
	}
	h = header{format: FLAC, rate: info.SampleRate, sourceRate: info.SampleRate, channels: info.Channels, frames: info.Samples}
	return &flacSource{d: d}, h, nil
}

func (f *flacSource) next() ([]float32, error) {
	b, err := f.d.Read()
	if err != nil && err != io.EOF {
		err = flacError(err)
	}
	return b, err
}

func (f *flacSource) side() []float32 { return f.d.Side() }

func flacError(err error) error {
	if errors.Is(err, flac.ErrUnsupported) {
		return fmt.Errorf("%w: %v", ErrUnsupportedFormat, err)
	}
	if errors.Is(err, flac.ErrTruncated) {
		return fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}
