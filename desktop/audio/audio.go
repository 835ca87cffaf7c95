// Package audio decodes audio files into a stream of mono float32 samples for
// analysis. It reads MP3 (MPEG-1/2/2.5 Layer III), FLAC, Ogg Vorbis, WAV and
// AIFF/AIFF-C (uncompressed), detects the format from the content (the file
// extension is only a hint), and never holds a whole full-rate track in
// memory: every decoder works frame by frame.
//
// Samples are the average of all source channels, nominally in [-1, 1].
// With Options.Side the stream also gives the stereo side signal (L-R)/2
// (Stream.ReadMS), e.g. for loudness, which sums the channels' powers.
// Options.MaxRate asks for a lower output rate; decoders that can (MP3) then
// skip the work for the discarded band, the others low-pass filter and
// decimate.
//
// MP3 is decoded by the package's own decoder (package audio/mp3, several
// times faster than github.com/hajimehoshi/go-mp3 and matching ffmpeg's
// decode to about 120 dB SNR, gapless trimming included), FLAC by its own
// decoder too (package audio/flac, bit-exact, several times faster than
// github.com/mewkiz/flac), Ogg Vorbis by github.com/jfreymuth/vorbis behind an Ogg page reader of
// this package (oggpage.go, which skips repeated header packets);
// WAV and AIFF are read here. Anything that is not one of the formats above fails with an error
// that matches ErrUnsupportedFormat under errors.Is. Truncated or corrupt
// input yields the samples of the valid part followed by an error (never a
// panic); headers that claim absurd sizes or rates are rejected up front.
package audio

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// ErrUnsupportedFormat is returned (wrapped) for content that is not a
// supported audio format, e.g. M4A/AAC, Opus or MP3 Layer I/II.
var ErrUnsupportedFormat = errors.New("unsupported audio format")

// ErrCorrupt is returned (wrapped) when the content is recognised but its
// headers or data are invalid.
var ErrCorrupt = errors.New("corrupt audio data")

// ErrTruncated is returned (wrapped) by Stream.Read, after every sample
// that decodes, when the file ends early: a partial download or a copy cut
// short. It is also ErrCorrupt under errors.Is; a caller that can use a
// partial decode (the analysis does) tests for it first.
var ErrTruncated = fmt.Errorf("%w: file ends early", ErrCorrupt)

// ErrNoSide is returned by Stream.ReadMS on a stream opened without
// Options.Side.
var ErrNoSide = errors.New("audio: ReadMS needs Options.Side")

// Format names a container/codec recognised by this package.
type Format string

// The formats this package decodes.
const (
	MP3  Format = "mp3"
	FLAC Format = "flac"
	Ogg  Format = "ogg"
	WAV  Format = "wav"
	AIFF Format = "aiff"
)

// Limits on header values; anything beyond is rejected as corrupt.
const (
	maxSampleRate = 768000
	maxChannels   = 64
)

// Options tune decoding.
type Options struct {
	// MaxRate, when > 0, caps the output sample rate: the output rate is the
	// source rate divided by the smallest integer factor D >= 1 for which
	// rate/D <= MaxRate (e.g. 44100 Hz with MaxRate 11025 gives 11025 Hz,
	// 48000 Hz gives 9600 Hz). Content above the output Nyquist frequency is
	// filtered out. 0 means the source rate.
	//
	// For MP3 the power-of-two part of D (up to 8) comes from synthesising
	// only the lowest subbands, which costs a fraction of a full decode; the
	// subband filters leave some aliasing in the top ~3% of the new band.
	// The rest of D, and every other format, uses a windowed-sinc
	// decimator (cutoff at 90% of the new Nyquist frequency). Either way
	// output sample k lines up with source sample k*D.
	MaxRate int

	// Side also decodes the side signal, read with Stream.ReadMS next to
	// the usual mono (mid) signal, at the same rate and alignment. For
	// stereo the pair is M = (L+R)/2, S = (L-R)/2, so L = M+S, R = M-S;
	// mono sources give S = 0; with three or more channels M stays the
	// average of all channels and S is (ch0-ch1)/2 of the first two (the
	// front pair in WAV/FLAC/Vorbis order). It costs one more synthesis
	// filterbank for MP3 (whose default path skips the side channel) and a
	// second decimator everywhere; without it nothing changes.
	Side bool

	// Tap, when not nil, is called with every block of mid samples (and,
	// with Side, the side samples of the same instants; nil otherwise) as
	// the decoder makes them, before the decimation MaxRate asks for: at
	// Stream.TapRate, the source rate except for MP3, whose decoder
	// already synthesises at the reduced rate. For such a reduced MP3
	// block, high is the mean square per source sample, summed over the
	// channels (L²+R²), of the band the decoder did not synthesise
	// (mp3.Options.High: its lines are decoded, never transformed); 0
	// otherwise. A measure that needs the full band (loudness) gets it
	// without a second decode. The slices are valid during the call only.
	//
	// With Side and TapSideWeight too, the side is for Tap alone: ReadMS
	// has none (ErrNoSide) and it is not decimated. A reduced MP3 decoder
	// then synthesises no side either: Tap gets side nil and sideMS, the
	// mean square per source sample of the side (L-R)/2 below the reduced
	// band with each MDCT line weighted by TapSideWeight(its frequency), a
	// power gain (mp3.Options.SideWeight, every granule), which saves the
	// side's IMDCT and filterbank. Other streams give Tap the side samples
	// and sideMS 0.
	Tap           func(mid, side []float32, high, sideMS float64)
	TapSideWeight func(hz float64) float64
}

// factor returns the decimation factor for a source rate.
func (o Options) factor(rate int) int {
	if o.MaxRate <= 0 || rate <= o.MaxRate {
		return 1
	}
	return (rate + o.MaxRate - 1) / o.MaxRate
}

// Stream is a decoded mono audio stream.
type Stream interface {
	// Format is the detected format.
	Format() Format
	// SampleRate is the output rate in Hz (after any Options.MaxRate
	// reduction).
	SampleRate() int
	// SourceRate is the sample rate of the file itself.
	SourceRate() int
	// TapRate is the rate of the blocks Options.Tap sees.
	TapRate() int
	// Channels is the number of channels in the source (output is mono).
	Channels() int
	// Duration is an estimate of the length from the headers, 0 if unknown.
	Duration() time.Duration
	// Read fills dst with mono samples and returns how many it wrote. At the
	// end it returns io.EOF; on damaged input a wrapped error after the valid
	// samples. On a stream opened with Options.Side it skips the matching
	// side samples.
	Read(dst []float32) (int, error)
	// ReadMS is Read that also fills side with the side signal of the same
	// samples (see Options.Side); it writes min(len(mid), len(side))
	// samples at most. Without Options.Side it returns ErrNoSide.
	ReadMS(mid, side []float32) (int, error)
	// Close releases the stream and, for Open, the file.
	Close() error
}

// Open opens and decodes the file at path. The extension is used only as a
// hint when the content is ambiguous. Anything but a regular file (a FIFO,
// a device) is refused with ErrNotRegular.
func Open(path string, opts Options) (Stream, error) {
	f, err := OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	s, err := decode(f, filepath.Ext(path), opts, f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audio: %s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// Decode decodes r. hint is a file name or extension (".mp3") used only when
// the content is ambiguous; it may be empty. Closing the stream does not
// close r.
func Decode(r io.ReadSeeker, hint string, opts Options) (Stream, error) {
	s, err := decode(r, hint, opts, nil)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	return s, nil
}

// ReadAll decodes the whole stream into memory. Meant for tests and short
// clips; analysis should read in blocks.
func ReadAll(s Stream) ([]float32, error) {
	var out []float32
	buf := make([]float32, 8192)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// source is a format decoder producing mono blocks at its own output rate.
// highSource is a source that measures the band above its output rate
// (the reduced MP3 decoder, with Options.Tap).
type highSource interface {
	high() float64
	// sideMS is the weighted side measured instead of a side signal
	// (Options.TapSideWeight); measuresSide says whether it is.
	sideMS() float64
	measuresSide() bool
}

type source interface {
	// next returns the next block of mono samples; the slice is valid until
	// the following call. It returns io.EOF at the end.
	next() ([]float32, error)
}

// sideSource is a source that can also give the side signal.
type sideSource interface {
	source
	// side returns the side samples of the block next last returned
	// (same length, valid until the following next), computed only when
	// asked.
	side() []float32
}

// header is what a format decoder reports about its input.
type header struct {
	format     Format
	rate       int   // rate of the samples next returns
	sourceRate int   // rate of the file
	channels   int   // source channels
	frames     int64 // total frames at sourceRate, 0 if unknown
}

type stream struct {
	h       header
	src     source
	dec     reducer // nil when no further reduction
	pending []float32
	tap     func(mid, side []float32, high, sideMS float64)
	tapRate int
	err     error // sticky error from src, returned once pending is drained
	closer  io.Closer

	// With Options.Side: the side signal, reduced by its own decimator in
	// step with the mid one (same factor, so the same output count).
	sideSrc  sideSource
	sideTap  bool // the side goes to the tap alone (Options.TapSideWeight)
	decS     reducer
	pendingS []float32
}

func decode(r io.ReadSeeker, hint string, opts Options, closer io.Closer) (s Stream, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%w: decoder panic: %v", ErrCorrupt, p)
		}
	}()
	format, start, err := detect(r, strings.ToLower(hint))
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return nil, err
	}
	var (
		src source
		h   header
	)
	switch format {
	case WAV:
		src, h, err = newWAV(r)
	case AIFF:
		src, h, err = newAIFF(r)
	case FLAC:
		src, h, err = newFLAC(r)
	case Ogg:
		src, h, err = newOgg(r)
	case MP3:
		src, h, err = newMP3(r, opts)
	default:
		err = ErrUnsupportedFormat
	}
	if err != nil {
		return nil, err
	}
	st := &stream{h: h, src: src, closer: closer, tap: opts.Tap, tapRate: h.rate}
	if h, ok := src.(highSource); ok && h.measuresSide() {
		opts.Side = false // the tap gets the side's energy, ReadMS no side
	}
	if opts.Side {
		ss, ok := src.(sideSource)
		if !ok {
			return nil, fmt.Errorf("audio: %s decoder gives no side signal", format)
		}
		st.sideSrc = ss
		st.sideTap = opts.Tap != nil && opts.TapSideWeight != nil
	}
	if f := opts.factor(h.rate); f > 1 {
		st.dec = newReducer(f)
		if st.sideSrc != nil && !st.sideTap {
			st.decS = newReducer(f)
		}
		st.h.rate = h.rate / f
	}
	return st, nil
}

func (s *stream) Format() Format  { return s.h.format }
func (s *stream) SampleRate() int { return s.h.rate }
func (s *stream) SourceRate() int { return s.h.sourceRate }
func (s *stream) TapRate() int    { return s.tapRate }
func (s *stream) Channels() int   { return s.h.channels }

func (s *stream) Duration() time.Duration {
	if s.h.frames <= 0 || s.h.sourceRate <= 0 {
		return 0
	}
	return time.Duration(float64(s.h.frames) / float64(s.h.sourceRate) * float64(time.Second))
}

func (s *stream) Read(dst []float32) (int, error) {
	return s.read(dst, nil)
}

func (s *stream) ReadMS(mid, side []float32) (int, error) {
	if s.sideSrc == nil || s.sideTap {
		return 0, ErrNoSide
	}
	n := min(len(mid), len(side))
	return s.read(mid[:n], side[:n])
}

// read fills dst with mid samples and, when side is not nil (same length),
// side with side samples; on a side stream the side samples are consumed
// either way so the two stay in step.
func (s *stream) read(dst, side []float32) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.err = fmt.Errorf("%w: decoder panic: %v", ErrCorrupt, p)
			s.pending, s.pendingS = nil, nil
			err = s.err
		}
	}()
	for n < len(dst) {
		if len(s.pending) == 0 {
			if s.err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, s.err
			}
			blk, err := s.src.next()
			if err != nil {
				s.err = err
			}
			var blkS []float32
			if s.sideSrc != nil {
				blkS = s.sideSrc.side()
				if len(blkS) != len(blk) {
					// Only after a decoder failure (e.g. a recovered panic);
					// keep that error, it says more.
					if err == nil {
						s.err = fmt.Errorf("%w: %d side samples for %d mid samples", ErrCorrupt, len(blkS), len(blk))
					}
					blk, blkS = nil, nil
				}
			}
			if s.tap != nil && len(blk) > 0 {
				var high, sideMS float64
				if h, ok := s.src.(highSource); ok {
					high, sideMS = h.high(), h.sideMS()
				}
				s.tap(blk, blkS, high, sideMS)
			}
			s.pending = s.reduce(s.dec, blk, err != nil)
			if s.sideSrc != nil && !s.sideTap {
				s.pendingS = s.reduce(s.decS, blkS, err != nil)
			}
			continue
		}
		c := copy(dst[n:], s.pending)
		if s.sideSrc != nil && !s.sideTap {
			if side != nil {
				copy(side[n:n+c], s.pendingS)
			}
			s.pendingS = s.pendingS[c:]
		}
		n += c
		s.pending = s.pending[c:]
	}
	return n, nil
}

// reduce passes a block through dec (if any), flushing it at the end.
func (s *stream) reduce(dec reducer, blk []float32, last bool) []float32 {
	if dec == nil {
		return blk
	}
	blk = dec.process(blk)
	if last {
		blk = append(blk[:len(blk):len(blk)], dec.flush()...)
	}
	return blk
}

func (s *stream) Close() error {
	if c, ok := s.src.(io.Closer); ok {
		c.Close()
	}
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}
