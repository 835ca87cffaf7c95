package audio

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
)

// Run a target with, e.g.,
//
//	go test ./desktop/audio -run XXX -fuzz '^FuzzMP3$' -fuzztime 5m -fuzzminimizetime 1x
//
// -fuzzminimizetime 1x matters: with the default (60 s per new input) the
// engine spends its time minimising and reports almost no executions.

// fuzzSampleCap bounds how much a fuzz input may decode to: a few bytes of
// FLAC can legitimately describe millions of constant samples, and reading
// them all would only slow the fuzzer down.
const fuzzSampleCap = 1 << 21

// fuzzSource runs one format decoder on data and reports what breaks the
// contract: it must not panic (that crashes the test), must report a sane
// layout, and the read loop must end (every call either returns samples or
// an error), with no NaN samples.
func fuzzSource(data []byte, open func(io.ReadSeeker) (source, header, error)) error {
	src, h, err := open(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	if h.rate <= 0 || h.channels <= 0 {
		return fmt.Errorf("decoder accepted rate %d channels %d", h.rate, h.channels)
	}
	total, empty := 0, 0
	for total < fuzzSampleCap {
		blk, err := src.next()
		total += len(blk)
		// Sources with a side signal must give one sample per mid sample
		// (nil is an MP3 decoder made without Options.Side).
		if ss, ok := src.(sideSource); ok {
			if sd := ss.side(); sd != nil && len(sd) != len(blk) && err == nil {
				return fmt.Errorf("%d side samples for %d samples", len(sd), len(blk))
			}
		}
		if hs, ok := src.(highSource); ok {
			if v, w := hs.high(), hs.sideMS(); !(v >= 0) || !(w >= 0) {
				return fmt.Errorf("high band %g, side %g: not a mean square", v, w)
			}
		}
		if err != nil {
			return nil
		}
		if len(blk) == 0 {
			// A decoder may skip a damaged frame, but not forever.
			if empty++; empty > len(data)+16 {
				return fmt.Errorf("decoder returns empty blocks without end")
			}
		}
		for _, v := range blk {
			if v != v {
				return fmt.Errorf("NaN sample")
			}
		}
	}
	return nil
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
}

func FuzzWAV(f *testing.F) {
	addSeeds(f, "tone.wav")
	f.Fuzz(func(t *testing.T, data []byte) { check(t, fuzzSource(data, newWAV)) })
}

func FuzzAIFF(f *testing.F) {
	addSeeds(f, "tone.aiff")
	f.Fuzz(func(t *testing.T, data []byte) { check(t, fuzzSource(data, newAIFF)) })
}

func FuzzFLAC(f *testing.F) {
	addSeeds(f, "tone.flac")
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, fuzzSource(data, func(r io.ReadSeeker) (source, header, error) { return newFLAC(r) }))
	})
}

func FuzzOgg(f *testing.F) {
	addSeeds(f, "tone.ogg")
	tone, err := os.ReadFile("testdata/tone.ogg")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(oggRepeatHeaders(f, tone)) // headers again on the first audio page
	f.Fuzz(func(t *testing.T, data []byte) { check(t, fuzzSource(data, newOgg)) })
}

func FuzzMP3(f *testing.F) {
	addSeeds(f, "tone.mp3")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The length picks the output rate too: full, or a reduced synthesis.
		opts := Options{MaxRate: []int{0, 22050, 11025, 5512}[len(data)%4], Side: len(data)%8 >= 4}
		if len(data)%16 >= 8 {
			// The loudness tap: high band, and the side measured from the
			// lines rather than synthesised.
			opts.Tap = func(_, _ []float32, _, _ float64) {}
			opts.TapSideWeight = func(float64) float64 { return 1 }
		}
		check(t, fuzzSource(data, func(r io.ReadSeeker) (source, header, error) { return newMP3(r, opts) }))
	})
}

// FuzzDecode runs detection and the full stream (with decimation) on any
// input, as Open does for a file of unknown content.
func FuzzDecode(f *testing.F) {
	addSeeds(f, "tone.wav", "tone.aiff", "tone.flac", "tone.ogg", "tone.mp3")
	f.Add([]byte("ID3\x03\x00\x00\x00\x00\x00\x05hello\xff\xfb\x90\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Odd lengths ask for the side signal too.
		side := len(data)%2 == 1
		s, err := Decode(bytes.NewReader(data), "", Options{MaxRate: 11025, Side: side})
		if err != nil {
			return
		}
		defer s.Close()
		buf, sbuf := make([]float32, 4096), make([]float32, 4096)
		total := 0
		for total < fuzzSampleCap {
			var n int
			if side {
				n, err = s.ReadMS(buf, sbuf)
			} else {
				n, err = s.Read(buf)
			}
			total += n
			if err != nil {
				return
			}
			if n == 0 {
				t.Fatal("Read returned 0 samples and no error")
			}
		}
	})
}
