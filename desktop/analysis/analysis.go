// Package analysis computes what a social-dance DJ wants to know about a
// track: tempo, musical key, loudness and three 0–100 "feel" descriptors,
// plus the tags already in the file.
//
// # Measures
//
// BPM is the tempo in beats per minute, rounded to one decimal and folded
// (by factors of two) into [Options.MinBPM, Options.MaxBPM]; half- and
// double-time readings are folded, never reported raw. It comes from a
// log-magnitude spectral-flux onset envelope (~86 frames/s at ~11 kHz): the
// tempo class (tempo modulo octaves) whose whole family of periods is most
// present in the envelope's autocorrelation wins, and a comb over eight
// beat multiples refines it. BPMConfidence (0–1) combines how far that
// class stands above the best class more than 4 % away with how periodic
// the envelope is. BPM and BPMConfidence are 0 when there is no pulse:
// silence, or a confidence below 0.3 (sines and noise read ≤ 0.2, the
// corpus tracks ≥ 0.45).
//
// Key is the tonic and mode, e.g. "A minor" or "F# major", with its Camelot
// code ("8A", "2B"). The chromagram (60 Hz–2.1 kHz, 0.74 s frames) is built
// from spectral peaks only (about 10 dB above their neighbourhood), so
// drums and distortion do not pull every pitch class up alike. Each peak's
// interpolated frequency also votes on the tuning: TuningCents is the
// magnitude-weighted circular mean of the peaks' offsets from the
// A = 440 Hz grid (peaks above 200 Hz; −50 to +50 cents), and the chroma is
// folded onto the grid so tuned, so a track 30 cents sharp reads its own
// key, not a neighbour. The chroma summed over the track is correlated with
// the 24 rotations of the Krumhansl–Kessler profiles; the chroma of the
// last ~3 s of sound, matched against the 24 tonic triads, is blended in
// with weight 0.5, because songs end on the tonic and this settles relative
// major/minor ties. KeyConfidence (0–1) is the winning score times its lead
// over the runner-up; a weak key is reported with its low confidence, not
// hidden. Key, Camelot and KeyConfidence are empty/0 only when there is no
// tonal content: less than 0.3 % of the band's magnitude in peaks (a real
// drum kit, speech and noise read ≤ 0.16 %, real mixes ≥ 1.1 %), or fewer
// than three pitch classes (a lone tone has no mode).
//
// LoudnessLUFS is integrated loudness per ITU-R BS.1770-4 / EBU R128
// (K-weighting designed for the decoder's rate, 400 ms blocks with 75 %
// overlap, absolute gate −70 LUFS, relative gate −10 LU); −70 for silence.
// The decoder delivers the mid M = (L+R)/2 and side S = (L−R)/2 signals,
// and the meter sums channels·z_M + 2·z_S, which is BS.1770's sum over the
// channels exactly for mono and stereo (z_L + z_R = 2(z_M + z_S), since
// K-weighting is linear); with three or more channels S comes from the
// first two, exact for identical channels and low otherwise (surround
// channel weights are not applied).
//
// The meter takes the decoder's blocks before decimation (audio.Options.Tap),
// so WAV, AIFF, FLAC and Ogg Vorbis are measured at their full rate. MP3 is
// measured at the rate its decoder synthesises (11 025 Hz for 44.1 kHz
// files; the speed of the analysis rests on it) plus the energy of the
// subbands it does not synthesise, which the decoder sums from their
// requantised lines (mp3.Options.High) and the meter weights by the
// K-weighting's +4 dB up there; at a reduced rate the K-weighting keeps the
// source rate's response (fitted shelf, high-pass gain). Against ffmpeg's
// ebur128: 0.0 to +0.1 LU on the real recordings (TestRealLoudness) and on
// every corpus file (was down to −0.6 LU for bright MP3s and −1.1 LU for
// real Ogg mixes).
//
// Energy, Danceability and Brightness are 0–100 and deterministic (the same
// file always gives the same numbers):
//
//   - Energy: how intense the track feels. Half comes from loudness (0 at
//     −40 LUFS or quieter, full at −6 LUFS or louder), half from onset
//     activity: the mean positive log-spectral change per frequency bin and
//     frame (0–4 kHz), full at 0.25. 0 is silence; 100 is a loud, dense,
//     hard-hitting track (white noise also scores high).
//   - Danceability: how clearly the track asks you to move to a steady
//     beat: 100·sqrt(R·P), from windows of 32 beats (8 bars, hopping 16)
//     weighted by their onset activity. In each window the beat period is
//     re-fitted within ±3 % of the track's and the phase found anew, so a
//     drifting tempo, a long mix or a loop scores like its groove (corpus
//     06-dsoul: 71.7; second half 1.5 % faster 68.8; looped 16× 70.6).
//     R, beat regularity, is the window's mean normalised onset
//     autocorrelation at 1–4 beats, full at 0.5; P, pulse strength, is how
//     far the strongest of 16 beat phases (the window folded at the beat
//     period) exceeds the average phase, relative to the strongest. 0 is no
//     detectable pulse (silence, noise, free-time ambience: BPM 0); 100 is
//     a metronomic, strongly accented groove.
//   - Brightness: the spectral centroid of the track's mean magnitude
//     spectrum (0–4 kHz) on a log scale: 0 at 200 Hz or lower (dull,
//     bass-heavy), 100 at 4 kHz. Typical mixes read 35–70, white noise 77.
//
// The audio is decoded as a stream to mono at ≤ 12 kHz (desktop/audio) and
// analysed chunk by chunk; only compact per-frame summaries are kept (under
// 1 kB per second of audio), so a worker stays far below 150 MB even for
// hour-long mixes. DurationS is the length of the decoded audio.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/pikadj/pika/desktop/audio"
)

// ErrUnsupportedFormat is returned (wrapped) by AnalyzeFile for files whose
// audio cannot be decoded by this package, e.g. M4A/AAC. The Result still
// carries the tags when they could be read. It is the same value as
// audio.ErrUnsupportedFormat, so errors.Is works with either.
var ErrUnsupportedFormat = audio.ErrUnsupportedFormat

// ErrCorrupt is returned (wrapped) for damaged audio, including a file
// whose name promises a supported format (.wav, .mp3, …) but whose content
// is none. It is audio.ErrCorrupt.
var ErrCorrupt = audio.ErrCorrupt

// ErrNotRegular is returned (wrapped) for a path that is a FIFO, device or
// socket rather than a regular file. It is audio.ErrNotRegular.
var ErrNotRegular = audio.ErrNotRegular

// Options tune the analysis.
type Options struct {
	// MinBPM and MaxBPM bound the reported tempo: candidates are folded by
	// factors of two into this range. MaxBPM must be at least 2*MinBPM
	// minus a little so that every tempo has a place in the range.
	MinBPM, MaxBPM float64
}

// DefaultOptions returns the range West Coast Swing lives in: 70–140 BPM.
func DefaultOptions() Options {
	return Options{MinBPM: 70, MaxBPM: 140}
}

// Validate reports whether the options can be used.
func (o Options) Validate() error {
	if !(o.MinBPM > 0) || !(o.MaxBPM > o.MinBPM) {
		return fmt.Errorf("analysis: invalid BPM range %g–%g", o.MinBPM, o.MaxBPM)
	}
	if o.MaxBPM < 1.9*o.MinBPM {
		return fmt.Errorf("analysis: BPM range %g–%g is narrower than an octave; max must be at least 1.9×min", o.MinBPM, o.MaxBPM)
	}
	if o.MaxBPM > 400 || o.MinBPM < 20 {
		return fmt.Errorf("analysis: BPM range %g–%g outside 20–400", o.MinBPM, o.MaxBPM)
	}
	return nil
}

// Tags are the metadata stored in the file itself. BPM and Key are what a
// tagging tool wrote there (0 and "" when absent), not what was measured.
type Tags struct {
	Artist, Title, Album, Genre string
	Year                        int
	BPM                         float64
	Key                         string
}

// Result is the analysis of one file.
type Result struct {
	Path string

	BPM           float64 // beats per minute, one decimal, within the Options range
	BPMConfidence float64 // 0–1

	Key           string  // e.g. "A minor", "F# major"
	Camelot       string  // e.g. "8A", "2B"
	KeyConfidence float64 // 0–1
	TuningCents   float64 // tuning offset from A = 440 Hz, −50 to +50 cents

	Energy       float64 // 0–100, see package doc
	Danceability float64 // 0–100, see package doc
	Brightness   float64 // 0–100, see package doc

	LoudnessLUFS float64 // integrated loudness, ITU-R BS.1770-4
	DurationS    float64 // seconds of audio decoded

	// Warning says what the DJ should know about a result that was still
	// kept, e.g. "file ends early: 49 s of 65 s" for a truncated file
	// analysed as far as it decodes; "" when all went well.
	Warning string

	Tags Tags
}

// decodeMaxRate is the highest rate asked of the decoder: every measure
// is taken from content below 5 kHz, and the MP3 decoder skips the
// synthesis of the discarded band.
const decodeMaxRate = 12000

// chunkSamples is how many samples are decoded and analysed at a time.
const chunkSamples = 8192

// AnalyzeFile decodes and analyses the audio file at path. An error concerns
// this file only; for unsupported formats it wraps ErrUnsupportedFormat and
// the returned Result still holds the Path and any readable Tags. A file
// that ends early (audio.ErrTruncated: a partial download, a copy cut
// short) is analysed as far as it decodes and kept, with a Warning; other
// corrupt audio is an error (with the tags), not a partial analysis.
func AnalyzeFile(ctx context.Context, path string, opts Options) (Result, error) {
	res := Result{Path: path}
	if err := opts.Validate(); err != nil {
		return res, err
	}
	if tags, err := ReadTags(path); err == nil {
		res.Tags = tags
	}
	// Loudness is measured on the decoder's blocks before decimation, at
	// the full rate where the decoder has it and, for MP3, at the reduced
	// rate plus the energy of the subbands not synthesised, so the band
	// above the analysis rate counts (BS.1770's K-weighting lifts it by
	// 4 dB).
	var loud *loudnessMeter
	tap := func(mid, side []float32, high, sideMS float64) { loud.writeHigh(mid, side, high, sideMS) }
	s, err := audio.Open(path, audio.Options{MaxRate: decodeMaxRate, Side: true, Tap: tap, TapSideWeight: sideKWeight})
	if err != nil {
		return res, err // audio's error names the file already
	}
	defer s.Close()
	if r := float64(s.TapRate()); r >= minInputRate && r <= maxInputRate {
		loud = newLoudnessMeterRef(r, max(float64(s.SourceRate()), r), s.Channels())
	} else {
		loud = newLoudnessMeter(float64(s.SampleRate()), s.Channels()) // rejected below
	}
	expected := s.Duration()
	m, err := analyzeStream(ctx, s, opts, loud)
	if errors.Is(err, audio.ErrTruncated) && m.DurationS > 0 {
		m.Warning = truncationWarning(m.DurationS, expected.Seconds())
		err = nil
	}
	if err != nil {
		return res, fmt.Errorf("analysis: %s: %w", filepath.Base(path), err)
	}
	m.Path, m.Tags = res.Path, res.Tags
	return m, nil
}

// analyzeStream reads s to the end in chunks and returns the measures. A
// stream opened with audio.Options.Side gives the side signal too, which
// stereo loudness needs; without it the channels count as equal. loud,
// when not nil, is a meter fed elsewhere (audio.Options.Tap) that gives
// the loudness instead of the analysis-rate signal.
func analyzeStream(ctx context.Context, s audio.Stream, opts Options, loud *loudnessMeter) (Result, error) {
	a, err := newAnalyzer(float64(s.SampleRate()), s.Channels())
	if err != nil {
		return Result{}, err
	}
	if loud != nil {
		a.loud, a.loudFed = loud, true
	}
	buf := make([]float32, chunkSamples)
	side := make([]float32, chunkSamples)
	// An empty ReadMS tells whether the stream has a side signal.
	if _, err := s.ReadMS(buf[:0], side[:0]); errors.Is(err, audio.ErrNoSide) {
		side = nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		var n int
		if side != nil {
			n, err = s.ReadMS(buf, side)
			a.writeMS(buf[:n], side[:n])
		} else {
			n, err = s.Read(buf)
			a.write(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, audio.ErrTruncated) {
			// Everything before the cut decoded: measure it, and say so.
			// The last seconds are not the song's ending.
			a.cut = true
			return a.result(opts), err
		}
		if err != nil {
			return Result{}, err
		}
	}
	return a.result(opts), nil
}

// truncationWarning words a file that ends early for the DJ, with the
// length the headers promised when they tell it.
func truncationWarning(got, expected float64) string {
	if expected > got+0.5 {
		return fmt.Sprintf("file ends early: %.0f s of %.0f s", got, expected)
	}
	return fmt.Sprintf("file ends early, after %.0f s", got)
}
