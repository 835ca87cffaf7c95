// Package mp3 is a streaming MPEG-1/2/2.5 Layer III decoder that produces
// mono float32 samples, written for fast analysis:
//
//   - Huffman pairs are decoded with two-level lookup tables and one 64-bit
//     peek per pair; requantization is table-driven (|x|^(4/3), 2^(e/4));
//   - the long IMDCT is an 18-point DCT-IV computed through a DCT-II split
//     into two 9-point DCTs, the short one a 6-point DCT-IV, and the
//     synthesis matrixing a fast DCT-II (Lee) instead of a 64x32 product;
//   - stereo is resolved (M/S, intensity) and mixed to mono before the
//     IMDCT when both channels use the same block type, so the filterbank
//     runs once; for M/S frames the side channel is not even decoded;
//   - Options.Reduce runs the synthesis on the lowest 16, 8 or 4 subbands
//     only, producing 1/2, 1/4 or 1/8 of the sample rate with the matching
//     band limit, and skips Huffman decoding, requantization and IMDCT of
//     the discarded subbands.
//
// Gapless information in a LAME/Xing header (encoder delay and padding) is
// honoured like ffmpeg does, so the output lines up sample for sample with
// ffmpeg's decode (channels averaged). The tests require more than 90 dB
// SNR against ffmpeg on lame-encoded MPEG-1/2/2.5 streams, the shared
// corpus, mixed blocks and intensity stereo (measured 117-125 dB; for
// MPEG-2 intensity stereo on the blocks a rewritten test stream leaves
// intact). Known gap: with mixed blocks at 8 kHz (MPEG-2.5) some blocks
// differ from ffmpeg; no common encoder writes them. Layer I/II and free-format streams are
// rejected with ErrUnsupported.
package mp3

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

var (
	// ErrUnsupported marks valid MPEG audio this decoder does not handle.
	ErrUnsupported = errors.New("mp3: unsupported MPEG audio stream")
	// ErrCorrupt marks data that is not a decodable Layer III stream.
	ErrCorrupt = errors.New("mp3: corrupt stream")
	// ErrTruncated marks a stream that ends inside a frame.
	ErrTruncated = errors.New("mp3: truncated stream")
)

// Options configure a Decoder.
type Options struct {
	// Reduce divides the output rate by 2^Reduce (0..3) by synthesising only
	// the lowest 32>>Reduce subbands.
	Reduce int
	// Side also decodes the side signal (L-R)/2 through its own reduced
	// synthesis, for ReadMS. Mono streams give a silent side. It costs
	// about one more filterbank; without it the side channel of M/S
	// frames is not even Huffman-decoded.
	Side bool
	// High also measures, for a reduced decode, the energy of the
	// subbands that are not synthesised (Decoder.HighMeanSquare), for a
	// full-band loudness at the reduced cost: their lines are Huffman-
	// decoded and requantised, never transformed.
	High bool
	// SideWeight, with High on a reduced decode and without Side, also
	// measures the energy of the side signal (L-R)/2 below the output's
	// Nyquist frequency on every granule, each line weighted by
	// SideWeight(its frequency in Hz), a power gain
	// (Decoder.SideMeanSquare): a weighted stereo loudness without the
	// side's IMDCT and synthesis filterbank. (Sampled like High, one
	// granule in eight, wide orchestral mixes read up to 0.1 LU off; every
	// granule they are within 0.02 LU, for the Huffman decoding of the side
	// channel of M/S frames.)
	SideWeight func(hz float64) float64
}

const (
	maxResync    = 1 << 20 // bytes of junk tolerated between frames
	maxFrameSize = 1441    // 144*320000/32000 + 1: the longest Layer III frame
	decoderDelay = 529     // samples of filterbank delay, as LAME/ffmpeg count it
)

// synthesizer turns one time slot of subband samples into output samples.
type synthesizer interface {
	slot(in, out []float32)
}

// Decoder decodes one stream frame by frame.
type Decoder struct {
	r      *bufio.Reader
	reduce int
	m      int // subbands synthesised

	kind       uint32 // header bits every frame must share
	sampleRate int
	channels   int
	lsf        bool

	frame     [maxFrameSize + 8]byte
	reservoir []byte
	main      []byte
	si        sideInfo
	sf        [2][2]scalefactors // [granule][channel]
	is        [576]int32
	xr        [2][576]float32
	ov        [32][18]float32 // overlap of the mono mix
	ovTmp     [32][18]float32
	sub       [18][32]float32
	syn       synthesizer
	out       []float32

	// Side signal state, used only with Options.Side.
	side     bool
	sideLive int // silent granules still needed to empty the side filterbank
	xs       [2][576]float32
	ovS      [32][18]float32
	subS     [18][32]float32
	synS     synthesizer
	outS     []float32

	// With Options.High: energy of the lines above the synthesised band.
	high      bool
	pick      uint32  // xorshift state choosing the measured granules
	share     uint32  // one granule in share is measured (highShare; tests set 1)
	measuring bool    // this granule's high band is measured
	highE     float64 // its sum of squares
	highMS    float64 // of the last measured granule, per source sample
	// With Options.SideWeight: the weighted side energy below the band.
	sideWeight func(hz float64) float64
	sideW      *sideWeights // tables for sideSr
	sideSr     int
	sideMS     float64 // of the last measured granule, per source sample

	totalFrames int64 // from a Xing/VBRI header, 0 if unknown
	total       int64 // stream length at the source rate, 0 if unknown
	trimmed     int64 // length after gapless trimming, from a LAME tag
	skip        int   // output samples still to drop (encoder + decoder delay)
	phase       int   // source-sample phase of the reduced output (gapless skip mod 2^Reduce)
	remaining   int64 // output samples still to emit, -1 if unknown
	firstAudio  []byte
	err         error
}

// NewDecoder reads the stream header of r (skipping ID3v2 tags and leading
// junk) and prepares decoding.
func NewDecoder(r io.Reader, opts Options) (*Decoder, error) {
	if opts.Reduce < 0 || opts.Reduce > 3 {
		return nil, fmt.Errorf("mp3: Reduce %d out of range 0..3", opts.Reduce)
	}
	d := &Decoder{r: bufio.NewReaderSize(r, 32<<10), reduce: opts.Reduce, m: 32 >> opts.Reduce, remaining: -1, side: opts.Side,
		high: opts.High && opts.Reduce > 0, pick: 2463534242, share: highShare}
	if d.high && !d.side {
		d.sideWeight = opts.SideWeight
	}
	d.syn = newSynth(d.m)
	if d.side {
		d.synS = newSynth(d.m)
	}
	if err := d.skipID3(); err != nil {
		return nil, err
	}
	hdr, h, err := d.syncFirst()
	if err != nil {
		return nil, err
	}
	d.kind = headerKind(hdr)
	d.sampleRate = h.sampleRate
	d.channels = h.nch
	d.lsf = h.lsf
	// The first frame may be a Xing/Info or VBRI header frame: no audio.
	fr, err := d.readFrameBody(hdr, h)
	if err != nil {
		return nil, err
	}
	if !d.parseInfoFrame(h, fr) {
		d.firstAudio = append([]byte(nil), fr...)
	}
	if d.phase != 0 {
		// The gapless skip is not a whole number of reduced samples: take
		// the samples at that phase so the output lines up exactly with
		// the full-rate stream.
		d.syn = newPhaseSynth(d.m, d.phase)
		if d.side {
			d.synS = newPhaseSynth(d.m, d.phase)
		}
	}
	switch {
	case d.trimmed > 0:
		d.total = d.trimmed
	case d.totalFrames > 0:
		d.total = d.totalFrames * int64(d.samplesPerFrame())
	}
	return d, nil
}

// SampleRate is the output rate.
func (d *Decoder) SampleRate() int { return d.sampleRate >> d.reduce }

// SourceRate is the stream's sample rate.
func (d *Decoder) SourceRate() int { return d.sampleRate }

// Channels is the channel count of the first frame.
func (d *Decoder) Channels() int { return d.channels }

// Samples is the stream length at the source rate from a Xing/VBRI header
// (after gapless trimming when known), or 0 if the header has none.
func (d *Decoder) Samples() int64 { return d.total }

func (d *Decoder) samplesPerFrame() int {
	if d.lsf {
		return 576
	}
	return 1152
}

func (d *Decoder) skipID3() error {
	for {
		b, err := d.r.Peek(10)
		if err != nil || string(b[:3]) != "ID3" || b[6]|b[7]|b[8]|b[9] >= 0x80 {
			return nil
		}
		n := int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9])
		n += 10
		if b[5]&0x10 != 0 {
			n += 10
		}
		if _, err := d.r.Discard(n); err != nil {
			return fmt.Errorf("%w: ID3 tag past end of file", ErrCorrupt)
		}
	}
}

// syncFirst finds the first frame header that is followed by a second
// matching one (or by the end of the stream).
func (d *Decoder) syncFirst() (uint32, frameHeader, error) {
	for skipped := 0; skipped < 64<<10; skipped++ {
		b, err := d.r.Peek(4)
		if err != nil {
			return 0, frameHeader{}, fmt.Errorf("%w: no MPEG audio frame found", ErrCorrupt)
		}
		hdr := binary.BigEndian.Uint32(b)
		h, ok := parseHeader(hdr)
		if ok {
			if layerBits(hdr) != 1 {
				return 0, h, fmt.Errorf("%w: Layer %d", ErrUnsupported, 4-layerBits(hdr))
			}
			if h.frameLen == 0 {
				return 0, h, fmt.Errorf("%w: free-format bitrate", ErrUnsupported)
			}
			nb, err := d.r.Peek(h.frameLen + 4)
			if err != nil && len(nb) < h.frameLen+4 {
				return hdr, h, nil // a single frame up to the end
			}
			next := binary.BigEndian.Uint32(nb[h.frameLen:])
			if _, ok2 := parseHeader(next); ok2 && headerKind(next) == headerKind(hdr) && layerBits(next) == 1 {
				return hdr, h, nil
			}
		}
		d.r.Discard(1)
	}
	return 0, frameHeader{}, fmt.Errorf("%w: no MPEG audio frame found", ErrCorrupt)
}

// nextHeader returns the next frame header, resynchronising past junk.
// It returns io.EOF at a clean end of stream.
func (d *Decoder) nextHeader() (uint32, frameHeader, error) {
	for skipped := 0; ; skipped++ {
		b, err := d.r.Peek(4)
		if err != nil {
			if len(b) == 0 || skipped > 0 {
				return 0, frameHeader{}, io.EOF
			}
			return 0, frameHeader{}, ErrTruncated
		}
		hdr := binary.BigEndian.Uint32(b)
		if headerKind(hdr) == d.kind && layerBits(hdr) == 1 {
			if h, ok := parseHeader(hdr); ok && h.frameLen > 0 {
				return hdr, h, nil
			}
		}
		// Tags that follow the audio (ID3v1, APEv2, Lyrics3) end it; their
		// text could otherwise pass for a frame header.
		if t, _ := d.r.Peek(11); bytes.HasPrefix(t, []byte("TAG")) || bytes.HasPrefix(t, []byte("APETAGEX")) || bytes.HasPrefix(t, []byte("LYRICSBEGIN")) {
			return 0, frameHeader{}, io.EOF
		}
		if skipped >= maxResync {
			return 0, frameHeader{}, fmt.Errorf("%w: no frame sync in %d bytes", ErrCorrupt, maxResync)
		}
		d.r.Discard(1)
	}
}

// readFrameBody reads the whole frame whose header is at the reader.
func (d *Decoder) readFrameBody(hdr uint32, h frameHeader) ([]byte, error) {
	fr := d.frame[:h.frameLen]
	n, err := io.ReadFull(d.r, fr)
	if err != nil {
		if n < 4 {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: last frame cut after %d of %d bytes", ErrTruncated, n, h.frameLen)
	}
	return fr, nil
}

// parseInfoFrame recognises a Xing/Info or VBRI header frame and takes the
// frame count and LAME gapless values from it.
func (d *Decoder) parseInfoFrame(h frameHeader, fr []byte) bool {
	// The tag follows the side information; writers do not count the CRC.
	off := 4 + h.sideInfoLen()
	spf := int64(d.samplesPerFrame())
	if off+8 <= len(fr) && (string(fr[off:off+4]) == "Xing" || string(fr[off:off+4]) == "Info") {
		flags := binary.BigEndian.Uint32(fr[off+4:])
		p := off + 8
		if flags&1 != 0 && p+4 <= len(fr) {
			d.totalFrames = int64(binary.BigEndian.Uint32(fr[p:]))
			p += 4
		}
		if flags&2 != 0 {
			p += 4
		}
		if flags&4 != 0 {
			p += 100
		}
		if flags&8 != 0 {
			p += 4
		}
		// LAME extension: 9-byte encoder string, then delay/padding at +21.
		if p+24 <= len(fr) && (string(fr[p:p+4]) == "LAME" || string(fr[p:p+4]) == "Lavf" || string(fr[p:p+4]) == "Lavc") {
			v := fr[p+21 : p+24]
			delay := int64(v[0])<<4 | int64(v[1])>>4
			pad := int64(v[1]&15)<<8 | int64(v[2])
			d.skip = int((delay + decoderDelay) >> d.reduce)
			d.phase = int((delay + decoderDelay) & (1<<d.reduce - 1))
			if d.totalFrames > 0 {
				total := d.totalFrames*spf - delay - pad
				if total > 0 {
					d.trimmed = total
					d.remaining = total >> d.reduce
				}
			}
		}
		return true
	}
	if off := 4 + 32; off+18 <= len(fr) && string(fr[off:off+4]) == "VBRI" {
		d.totalFrames = int64(binary.BigEndian.Uint32(fr[off+14:]))
		return true
	}
	return false
}

// Read decodes the next frame and returns its mono samples (the mid signal
// (L+R)/2); the slice is valid until the next call. It returns io.EOF at the
// end of the stream. Errors after the first frame come with the samples
// decoded before them.
func (d *Decoder) Read() ([]float32, error) {
	mid, _, err := d.ReadMS()
	return mid, err
}

// ReadMS is Read that also returns the side signal (L-R)/2 of the same
// samples, aligned with mid. side is nil unless the decoder was made with
// Options.Side; for mono frames it is zero.
func (d *Decoder) ReadMS() (mid, side []float32, err error) {
	for {
		if d.err != nil {
			return nil, nil, d.err
		}
		out, outS, err := d.decodeNext()
		if err != nil {
			d.err = err
		}
		// Gapless trimming.
		if d.skip > 0 {
			n := min(d.skip, len(out))
			out = out[n:]
			if outS != nil {
				outS = outS[n:]
			}
			d.skip -= n
		}
		if d.remaining >= 0 {
			if int64(len(out)) > d.remaining {
				out = out[:d.remaining]
				if outS != nil {
					outS = outS[:d.remaining]
				}
			}
			d.remaining -= int64(len(out))
			if d.remaining == 0 && d.err == nil {
				d.err = io.EOF
			}
		}
		if len(out) > 0 || err != nil {
			return out, outS, err
		}
	}
}

// highScale turns the sum of squared requantised lines of a granule into
// the sum of squares of the 576 time samples they make: the IMDCT (its
// cosine sum is not normalised: 18/2 per line, doubled by the windowed
// overlap) and the polyphase synthesis (32 per subband sample) scale
// energy by 576/2; TestHighMeanSquare checks it on white noise.
const highScale = 288

// highShare: the high band is measured on about one granule in highShare,
// picked pseudo-randomly (a fixed sequence, so results stay
// deterministic), and held for the others. Its Huffman decoding is what
// costs: measuring every granule made the decoder 34 % slower, one in eight
// about 4 % (BenchmarkHigh). Loudness integrates over 400 ms blocks of about 15 granules and
// then over the track, so a random sample serves as well; a regular stride
// can beat with the music (every eighth granule read a pop ballad 0.4 LU low).
const highShare = 8

// HighMeanSquare is, with Options.High, the mean square per source sample
// (summed over the channels: L²+R² for stereo) of the band above the
// output's Nyquist frequency, before any weighting, as last measured (about
// one granule in highShare); 0 without
// Options.High or at full rate.
func (d *Decoder) HighMeanSquare() float64 { return d.highMS }

// SideMeanSquare is, with Options.SideWeight, the weighted mean square per
// source sample of the side signal (L-R)/2 below the output's Nyquist
// frequency in the last granule (one whose two channels use different
// block types keeps the previous value); 0 for mono, without
// Options.SideWeight or at full rate.
func (d *Decoder) SideMeanSquare() float64 { return d.sideMS }

func (d *Decoder) decodeNext() ([]float32, []float32, error) {
	var fr []byte
	if d.firstAudio != nil {
		fr, d.firstAudio = d.firstAudio, nil
	} else {
		hdr, h, err := d.nextHeader()
		if err != nil {
			return nil, nil, err
		}
		if fr, err = d.readFrameBody(hdr, h); err != nil {
			return nil, nil, err
		}
	}
	out, outS := d.decodeFrame(fr)
	return out, outS, nil
}
