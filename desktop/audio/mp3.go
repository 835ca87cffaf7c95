package audio

import (
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/pikadj/pika/desktop/audio/mp3"
)

// mp3Source adapts the package's own Layer III decoder (audio/mp3).
type mp3Source struct {
	d           *mp3.Decoder
	sideBlk     []float32 // side of the last block, with Options.Side
	measureSide bool      // the side is measured for the tap, not decoded
}

// newMP3 starts decoding at the current position of r, which detect placed
// on the first frame. A power-of-two share of the requested rate reduction
// is done inside the decoder (reduced synthesis); the rest by the generic
// decimator.
func newMP3(r io.ReadSeeker, opts Options) (source, header, error) {
	var h header
	start, err := r.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, h, err
	}
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, h, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return nil, h, err
	}
	var first [4]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return nil, h, fmt.Errorf("%w: MP3: %v", ErrCorrupt, err)
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return nil, h, err
	}
	fh, ok := parseMPEGHeader(first[:])
	reduce := 0
	if ok {
		reduce = min(bits.TrailingZeros(uint(opts.factor(fh.sampleRate))), 3)
	}
	mo := mp3.Options{Reduce: reduce, Side: opts.Side, High: opts.Tap != nil}
	measureSide := opts.Side && opts.Tap != nil && opts.TapSideWeight != nil && reduce > 0
	if measureSide {
		mo.Side, mo.SideWeight = false, opts.TapSideWeight
	}
	d, err := mp3.NewDecoder(r, mo)
	if err != nil {
		return nil, h, mp3Error(err)
	}
	h = header{format: MP3, rate: d.SampleRate(), sourceRate: d.SourceRate(), channels: d.Channels(), frames: d.Samples()}
	if h.frames == 0 && ok && fh.frameLen > 0 {
		// No Xing/VBRI header: estimate from the first frame's bitrate
		// (exact for constant bitrate).
		spf := int64(1152)
		if fh.version != 1 {
			spf = 576
		}
		h.frames = (end - start) / int64(fh.frameLen) * spf
	}
	return &mp3Source{d: d, measureSide: measureSide}, h, nil
}

func (m *mp3Source) next() ([]float32, error) {
	b, s, err := m.d.ReadMS()
	m.sideBlk = s
	if err != nil && err != io.EOF {
		err = mp3Error(err)
	}
	return b, err
}

// side is the side block decoded with the last one; the decoder only makes
// it with Options.Side, which is also the only case the stream asks.
func (m *mp3Source) side() []float32 { return m.sideBlk }

// high is the energy above the output band of the last block's frame.
func (m *mp3Source) high() float64 { return m.d.HighMeanSquare() }

func (m *mp3Source) sideMS() float64    { return m.d.SideMeanSquare() }
func (m *mp3Source) measuresSide() bool { return m.measureSide }

func mp3Error(err error) error {
	if errors.Is(err, mp3.ErrUnsupported) {
		return fmt.Errorf("%w: %v", ErrUnsupportedFormat, err)
	}
	if errors.Is(err, mp3.ErrTruncated) {
		return fmt.Errorf("%w: %v", ErrTruncated, err)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}
