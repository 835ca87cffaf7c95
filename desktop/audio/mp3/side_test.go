package mp3

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// decodeMS decodes a whole file with Options.Side and returns mid and side.
func decodeMS(t testing.TB, path string, opts Options) (mid, side []float32) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts.Side = true
	d, err := NewDecoder(f, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for {
		m, s, err := d.ReadMS()
		if len(m) != len(s) {
			t.Fatalf("%s: %d mid samples but %d side samples", path, len(m), len(s))
		}
		mid = append(mid, m...)
		side = append(side, s...)
		if errors.Is(err, io.EOF) {
			return mid, side
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// ffmpegSide is ffmpeg's decode of a stereo file mixed to (L-R)/2.
func ffmpegSide(t testing.TB, path string) []float32 {
	t.Helper()
	return testenv.FFmpegF32(t, path, "-af", "pan=mono|c0=0.5*c0-0.5*c1")
}

// TestSideAgainstFFmpeg checks Options.Side at full rate: the side output
// must match ffmpeg's (L-R)/2 to the full-rate threshold on M/S joint
// stereo (side channel decoded directly), plain L/R stereo (whose channels
// switch block types independently, so the two-transform path runs) and
// intensity stereo, and the mid output must be the same with or without
// Side, sample for sample. Mono files give a silent side.
func TestSideAgainstFFmpeg(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	wav44 := filepath.Join(dir, "src44.wav")
	writeTestWAV(t, wav44, 44100, 3)
	wav22 := filepath.Join(dir, "src22.wav")
	writeTestWAV(t, wav22, 22050, 3)
	// Dual mono: the left channel copied to the right, so the side is zero.
	dual := filepath.Join(dir, "dual.wav")
	b, err := os.ReadFile(wav44)
	if err != nil {
		t.Fatal(err)
	}
	for p := 44; p+4 <= len(b); p += 4 {
		b[p+2], b[p+3] = b[p], b[p+1]
	}
	if err := os.WriteFile(dual, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		wav       string
		args      []string
		intensity bool
		minShare  float64 // share of 576-sample blocks that must match (see TestIntensityStereoAgainstFFmpeg)
	}{
		{"mpeg1-joint-ms", wav44, []string{"-b", "128", "-m", "j"}, false, 1},
		{"mpeg1-forced-ms", wav44, []string{"-b", "128", "-m", "f"}, false, 1},
		{"mpeg1-stereo-lr", wav44, []string{"-b", "192", "-m", "s"}, false, 1},
		{"mpeg1-vbr", wav44, []string{"-V", "2"}, false, 1},
		{"mpeg2-joint", wav22, []string{"-b", "64", "-m", "j"}, false, 1},
		{"mpeg1-intensity", wav44, []string{"-b", "128", "-m", "j"}, true, 1},
		{"mono", wav44, []string{"-b", "96", "-m", "m"}, false, 1},
		{"dual-mono-ms", dual, []string{"-b", "128", "-m", "f"}, false, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := lameEncode(t, dir, c.name, c.wav, c.args...)
			if c.intensity {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if setIntensity(t, data) == 0 {
					t.Fatal("no joint-stereo frames")
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			plain, _ := decodeAll(t, path, Options{})
			mid, side := decodeMS(t, path, Options{})
			if len(mid) != len(plain) {
				t.Fatalf("%d samples with Side, %d without", len(mid), len(plain))
			}
			for i := range mid {
				if mid[i] != plain[i] {
					t.Fatalf("mid sample %d is %g with Side, %g without", i, mid[i], plain[i])
				}
			}
			if probeChannels(t, path) == 1 || c.wav == dual {
				for i, v := range side {
					if v != 0 {
						t.Fatalf("mono or dual mono stream: side sample %d is %g, want 0", i, v)
					}
				}
				return
			}
			ref := ffmpegSide(t, path)
			if len(side) != len(ref) {
				t.Fatalf("%d side samples, ffmpeg %d", len(side), len(ref))
			}
			if p := power(ref); p < 1e-3 {
				t.Fatalf("test signal too narrow: side power %g", p)
			}
			good, blocks := 0, len(ref)/576
			for k := range blocks {
				if snr(ref[k*576:(k+1)*576], side[k*576:(k+1)*576], 0, 0) >= minFullRateSNR {
					good++
				}
			}
			t.Logf("side SNR %.1f dB against ffmpeg; %d of %d blocks match to %d dB", snr(ref, side, 0, 0), good, blocks, minFullRateSNR)
			if share := float64(good) / float64(blocks); share < c.minShare {
				t.Errorf("only %.0f%% of side blocks match, want %.0f%%", 100*share, 100*c.minShare)
			}
		})
	}
}

func power(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(max(len(x), 1))
}

// TestSideReduced checks the side output at reduced rates the way
// TestReducedRate checks the mid output (lame's gapless skip is odd, so
// this is the phase synthesis). The test signal's side carries its whole
// sweep, which crosses the new Nyquist band where the subband filters
// alias, so the SNR sits lower than for the mid (measured 35.8, 30.9 and
// 28.4 dB); the plain synthesis at the wrong phase gives 7.6, 14.2 and
// 21.9 dB.
func TestSideReduced(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	wav := filepath.Join(dir, "src.wav")
	writeTestWAV(t, wav, 44100, 3)
	minSNR := map[int]float64{1: 32, 2: 27, 3: 25}
	for _, enc := range []struct{ name, mode string }{{"joint", "j"}, {"stereo", "s"}} {
		path := lameEncode(t, dir, enc.name, wav, "-b", "160", "-m", enc.mode)
		full := ffmpegSide(t, path)
		for r := 1; r <= 3; r++ {
			t.Run(enc.name+"-reduce"+strconv.Itoa(r), func(t *testing.T) {
				plain, _ := decodeAll(t, path, Options{Reduce: r})
				mid, side := decodeMS(t, path, Options{Reduce: r})
				if len(mid) != len(plain) || len(side) != len(plain) {
					t.Fatalf("%d mid and %d side samples with Side, %d without", len(mid), len(side), len(plain))
				}
				for i := range mid {
					if mid[i] != plain[i] {
						t.Fatalf("mid sample %d is %g with Side, %g without", i, mid[i], plain[i])
					}
				}
				const fc = 0.4
				lp := lowpass(full, fc/float64(int(1)<<r))
				ref := make([]float32, min(len(lp)>>r, len(side)))
				for i := range ref {
					ref[i] = lp[i<<r]
				}
				s := snr(ref, lowpass(side[:len(ref)], fc), 0, 300)
				t.Logf("side SNR %.1f dB", s)
				if s < minSNR[r] {
					t.Errorf("side SNR %.1f dB < %.0f dB", s, minSNR[r])
				}
			})
		}
	}
}
