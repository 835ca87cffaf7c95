package audio

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// With Side and TapSideWeight the side is for the tap alone: ReadMS has
// none, the mid is unchanged, and the tap gets the same side samples as
// with Side alone, except from a reduced MP3 decode, which gives no side
// samples but their weighted energy (sideMS).
func TestTapSideOnly(t *testing.T) {
	type tapped struct {
		side   []float32
		sideMS float64
		blocks int
	}
	open := func(t *testing.T, path string, weight func(float64) float64) (mid []float32, tp *tapped, msErr error) {
		t.Helper()
		tp = &tapped{}
		s, err := Open(path, Options{MaxRate: 11025, Side: true, TapSideWeight: weight,
			Tap: func(m, side []float32, _, sideMS float64) {
				tp.side = append(tp.side, side...)
				tp.sideMS += sideMS
				tp.blocks++
			}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, msErr = s.ReadMS(make([]float32, 0), make([]float32, 0))
		mid, err = ReadAll(s)
		if err != nil {
			t.Fatal(err)
		}
		return mid, tp, msErr
	}
	flat := func(float64) float64 { return 1 }
	// tone.mp3 (24 kHz) is decoded at full rate; a 44.1 kHz stereo MP3
	// with different tones left and right is decoded at a quarter of it.
	testenv.NeedTools(t, "lame", "sox")
	dir := t.TempDir()
	wav, mp3 := filepath.Join(dir, "lr.wav"), filepath.Join(dir, "lr.mp3")
	for _, args := range [][]string{
		{"sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth", "1", "sine", "440", "sine", "660", "gain", "-6"},
		{"lame", "--quiet", "-m", "s", wav, mp3},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	for _, tc := range []struct {
		file    string
		reduced bool // a reduced MP3 decode: the side is measured, not decoded
	}{
		{"tone.wav", false}, {"tone.flac", false}, {"tone.ogg", false}, {"tone.aiff", false}, {"tone.mp3", false}, {mp3, true},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			p := tc.file
			if !filepath.IsAbs(p) {
				p = filepath.Join("testdata", p)
			}
			mid0, tap0, err0 := open(t, p, nil)
			mid1, tap1, err1 := open(t, p, flat)
			if err0 != nil {
				t.Errorf("Side alone: ReadMS: %v", err0)
			}
			if !errors.Is(err1, ErrNoSide) {
				t.Errorf("Side with TapSideWeight: ReadMS gives %v, want ErrNoSide", err1)
			}
			if len(mid0) != len(mid1) {
				t.Fatalf("mid: %d samples with TapSideWeight, %d without", len(mid1), len(mid0))
			}
			if tap1.blocks == 0 {
				t.Fatal("the tap saw no block")
			}
			if tc.reduced {
				if tap1.side != nil {
					t.Errorf("reduced MP3: the tap got %d side samples, want none (measured)", len(tap1.side))
				}
				if tap1.sideMS <= 0 {
					t.Errorf("reduced MP3: no side energy measured (%g)", tap1.sideMS)
				}
				return
			}
			if tap1.sideMS != 0 {
				t.Errorf("sideMS %g from a decoder that gives side samples", tap1.sideMS)
			}
			if len(tap1.side) != len(tap0.side) || len(tap1.side) == 0 {
				t.Fatalf("the tap got %d side samples, %d with Side alone", len(tap1.side), len(tap0.side))
			}
			for i, v := range tap0.side {
				if tap1.side[i] != v {
					t.Fatalf("side sample %d is %g, %g with Side alone", i, tap1.side[i], v)
				}
			}
		})
	}
}
