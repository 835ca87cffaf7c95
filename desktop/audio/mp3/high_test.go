package mp3

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// decodeHigh decodes path with Options.High, measuring the high band on
// one granule in share, and returns the mid and side samples, the
// high-band energy summed over the source samples and the share of
// granules in short blocks.
func decodeHigh(t *testing.T, path string, reduce int, share uint32) (mid, side []float32, high, short float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := NewDecoder(f, Options{Reduce: reduce, Side: true, High: true})
	if err != nil {
		t.Fatal(err)
	}
	d.share = share
	var granules, shorts int
	for {
		m, s, err := d.ReadMS()
		mid = append(mid, m...)
		side = append(side, s...)
		high += d.HighMeanSquare() * float64(len(m)<<reduce)
		for _, g := range d.si.gr {
			granules++
			if g[0].winSwitch && g[0].blockType == 2 {
				shorts++
			}
		}
		if errors.Is(err, io.EOF) {
			return mid, side, high, float64(shorts) / float64(granules)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHighMeanSquare: the energy synthesised at the reduced rate plus
// HighMeanSquare's must equal the energy of the full-rate decode within
// 0.05 dB when every granule is measured, for stereo, joint stereo and
// mono encodings, long and short blocks, at each reduction. Sampled on one
// granule in highShare, as the analysis decodes, the sum must stay within
// 0.15 dB on steady noise; bursts that switch on and off every few
// granules are the worst case for the sample (0.3 dB).
func TestHighMeanSquare(t *testing.T) {
	testenv.NeedTools(t, "lame", "sox")
	dir := t.TempDir()
	wav := filepath.Join(dir, "noise.wav")
	// White noise, independent in the two channels: most of its energy
	// lies above every reduced band. -R makes it the same noise every run.
	if out, err := exec.Command("sox", "-R", "-n", "-r", "44100", "-c", "2", "-b", "16", wav,
		"synth", "20", "whitenoise", "gain", "-12").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	// And the same noise in both channels, which joint stereo codes as M/S.
	same := filepath.Join(dir, "same.wav")
	if out, err := exec.Command("sox", wav, same, "remix", "1", "1").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	// Bursts of pink noise after silence: every attack makes lame switch
	// to short blocks (its --allshort is a developer switch it ignores),
	// and most of the energy lies below the band, as in music, so lines
	// counted below the band's edge would show.
	cell, bursts := filepath.Join(dir, "cell.wav"), filepath.Join(dir, "bursts.wav")
	for _, args := range [][]string{
		{"-R", "-n", "-r", "44100", "-c", "2", "-b", "16", cell, "synth", "0.02", "pinknoise", "gain", "-6", "pad", "0", "0.06"},
		{cell, bursts, "repeat", "249"},
	} {
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v\n%s", err, out)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		ch   float64 // channels: L²+R² = 2(M²+S²); mono is M² alone
		src  string
		// minShort is the least share of granules in short blocks.
		minShort float64
		sampled  float64 // dB allowed when one granule in highShare is measured
	}{
		{"joint MS", []string{"-m", "j", "-b", "128"}, 2, same, 0, 0.15},
		{"stereo", []string{"-m", "s", "-b", "192"}, 2, "", 0, 0.15},
		{"joint", []string{"-m", "j", "-b", "128"}, 2, "", 0, 0.15},
		{"mono", []string{"-m", "m", "-b", "96"}, 1, "", 0, 0.15},
		{"short blocks", []string{"-m", "s", "-b", "192"}, 2, bursts, 0.3, 0.3},
		{"short blocks, joint", []string{"-m", "j", "-b", "128"}, 2, bursts, 0.3, 0.3},
		{"MPEG-2 22.05 kHz", []string{"-m", "j", "-b", "64", "--resample", "22.05"}, 2, "", 0, 0.15},
	} {
		src := wav
		if tc.src != "" {
			src = tc.src
		}
		p := lameEncode(t, dir, strings.ReplaceAll(tc.name, " ", "_"), src, tc.args...)
		m0, s0, _, short := decodeHigh(t, p, 0, highShare)
		if short < tc.minShort {
			t.Errorf("%s: %.0f %% of the granules in short blocks, want at least %.0f %%", tc.name, 100*short, 100*tc.minShort)
		}
		full := tc.ch * (power(m0) + power(s0)) * float64(len(m0))
		for _, reduce := range []int{1, 2, 3} {
			for _, share := range []uint32{1, highShare} {
				tol := 0.05
				if share != 1 {
					tol = tc.sampled
				}
				m, s, high, _ := decodeHigh(t, p, reduce, share)
				low := tc.ch * (power(m) + power(s)) * float64(len(m)<<reduce)
				got := low + high
				db := 10 * math.Log10(got/full)
				t.Logf("%s reduce %d, 1 granule in %d: low %.3g + high %.3g = %.3g vs full %.3g (%+.3f dB, high share %.0f %%, short blocks %.0f %%)",
					tc.name, reduce, share, low, high, got, full, db, 100*high/full, 100*short)
				if math.Abs(db) > tol {
					t.Errorf("%s reduce %d, 1 granule in %d measured: reduced + high energy is %+.3f dB from the full decode (tolerance %.2f)",
						tc.name, reduce, share, db, tol)
				}
			}
		}
	}
}

// BenchmarkHigh is the cost of Options.High on the analysis' decode (a
// quarter-rate decode with the side signal): "x-cost" is the CPU time with
// High over without, the two interleaved so that load on a shared machine
// hits both alike.
func BenchmarkHigh(b *testing.B) {
	data := benchData(b)
	decode := func(opts Options) {
		d, err := NewDecoder(bytes.NewReader(data), opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, _, err := d.ReadMS()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	var with, without time.Duration
	for range b.N {
		t0 := cpuNow()
		decode(Options{Reduce: 2, Side: true})
		t1 := cpuNow()
		decode(Options{Reduce: 2, Side: true, High: true})
		without += t1 - t0
		with += cpuNow() - t1
	}
	b.ReportMetric(with.Seconds()/without.Seconds(), "x-cost")
}

// TestSideMeanSquare: with Options.SideWeight (here 1 at every
// frequency) the side's energy summed from the lines below the band must
// equal the energy of the side the reduced synthesis makes (Options.Side)
// within 0.05 dB, for stereo and joint stereo, long and short blocks, at
// each reduction; mono has none.
func TestSideMeanSquare(t *testing.T) {
	testenv.NeedTools(t, "lame", "sox")
	dir := t.TempDir()
	// Independent noise in the two channels (two mono files side by side:
	// sox's synth with -c 2 repeats one generator), low-passed under the
	// lowest band (2.76 kHz at the eighth rate) so that the synthesis'
	// band edge, where subbands alias, does not enter the comparison.
	l, r, noise := filepath.Join(dir, "l.wav"), filepath.Join(dir, "r.wav"), filepath.Join(dir, "noise.wav")
	cell, bursts := filepath.Join(dir, "cell.wav"), filepath.Join(dir, "bursts.wav")
	for _, args := range [][]string{
		{"-R", "-n", "-r", "44100", "-c", "1", "-b", "16", l, "synth", "20", "pinknoise", "gain", "-12"},
		{"-R", "-n", "-r", "44100", "-c", "1", "-b", "16", r, "synth", "20", "brownnoise", "gain", "-12"},
		{"-M", l, r, noise, "sinc", "-2000"},
		// Bursts after silence make lame switch to short blocks.
		{noise, cell, "trim", "0", "0.02", "pad", "0", "0.06"},
		{cell, bursts, "repeat", "249"},
	} {
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %v: %v\n%s", args, err, out)
		}
	}
	flat := func(float64) float64 { return 1 }
	for _, tc := range []struct {
		name string
		args []string
		src  string
	}{
		{"stereo", []string{"-m", "s", "-b", "192"}, noise},
		{"joint", []string{"-m", "j", "-b", "128"}, noise},
		{"short blocks", []string{"-m", "s", "-b", "192"}, bursts},
		{"short blocks, joint", []string{"-m", "j", "-b", "128"}, bursts},
		{"mono", []string{"-m", "m", "-b", "96"}, noise},
	} {
		p := lameEncode(t, dir, strings.ReplaceAll(tc.name, " ", "_"), tc.src, tc.args...)
		for _, reduce := range []int{1, 2, 3} {
			_, s, _, short := decodeHigh(t, p, reduce, highShare)
			if strings.HasPrefix(tc.name, "short") && short < 0.3 {
				t.Fatalf("%s: %.0f %% of the granules in short blocks, want at least 30 %%", tc.name, 100*short)
			}
			want := power(s) * float64(len(s)<<reduce)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			d, err := NewDecoder(f, Options{Reduce: reduce, High: true, SideWeight: flat})
			if err != nil {
				t.Fatal(err)
			}
			var got float64
			for {
				m, side, err := d.ReadMS()
				if side != nil {
					t.Fatal("a side signal with SideWeight")
				}
				got += d.SideMeanSquare() * float64(len(m)<<reduce)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			f.Close()
			if tc.name == "mono" {
				if got != 0 {
					t.Errorf("mono reduce %d: side energy %g", reduce, got)
				}
				continue
			}
			db := 10 * math.Log10(got/want)
			t.Logf("%s reduce %d: side from the lines %.4g, synthesised %.4g (%+.3f dB)", tc.name, reduce, got, want, db)
			if math.Abs(db) > 0.1 {
				t.Errorf("%s reduce %d: side energy from the lines is %+.3f dB from the synthesised side's", tc.name, reduce, db)
			}
		}
	}
}
