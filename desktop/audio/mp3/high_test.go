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

// decodeHigh decodes path with Options.High and returns the mid and side
// samples and the high-band energy summed over the source samples.
func decodeHigh(t *testing.T, path string, reduce int) (mid, side []float32, high float64) {
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
	for {
		m, s, err := d.ReadMS()
		mid = append(mid, m...)
		side = append(side, s...)
		high += d.HighMeanSquare() * float64(len(m)<<reduce)
		if errors.Is(err, io.EOF) {
			return mid, side, high
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHighMeanSquare: for noise whose energy lies mostly above the reduced
// band, the energy synthesised at the reduced rate plus HighMeanSquare's
// must equal the energy of the full-rate decode within 0.15 dB (the high
// band is sampled on one granule in highShare: measured every granule the
// sum was within 0.04 dB), for
// stereo, joint stereo and mono encodings at each reduction.
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
	for _, tc := range []struct {
		name string
		args []string
		ch   float64 // channels: L²+R² = 2(M²+S²); mono is M² alone
		src  string
	}{
		{"joint MS", []string{"-m", "j", "-b", "128"}, 2, same},
		{"stereo", []string{"-m", "s", "-b", "192"}, 2, ""},
		{"joint", []string{"-m", "j", "-b", "128"}, 2, ""},
		{"mono", []string{"-m", "m", "-b", "96"}, 1, ""},
		{"short blocks", []string{"-m", "s", "-b", "192", "--allshort"}, 2, ""},
		{"MPEG-2 22.05 kHz", []string{"-m", "j", "-b", "64", "--resample", "22.05"}, 2, ""},
	} {
		src := wav
		if tc.src != "" {
			src = tc.src
		}
		p := lameEncode(t, dir, strings.ReplaceAll(tc.name, " ", "_"), src, tc.args...)
		m0, s0, _ := decodeHigh(t, p, 0)
		full := tc.ch * (power(m0) + power(s0)) * float64(len(m0))
		for _, reduce := range []int{1, 2, 3} {
			m, s, high := decodeHigh(t, p, reduce)
			low := tc.ch * (power(m) + power(s)) * float64(len(m)<<reduce)
			got := low + high
			db := 10 * math.Log10(got/full)
			t.Logf("%s reduce %d: low %.3g + high %.3g = %.3g vs full %.3g (%+.3f dB, high share %.0f %%)",
				tc.name, reduce, low, high, got, full, db, 100*high/full)
			if math.Abs(db) > 0.15 {
				t.Errorf("%s reduce %d: reduced + high energy is %+.3f dB from the full decode", tc.name, reduce, db)
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
