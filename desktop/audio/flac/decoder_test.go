package flac

import (
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func decodeFile(t testing.TB, path string) ([]float32, StreamInfo) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := NewDecoder(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []float32
	for {
		b, err := d.Read()
		out = append(out, b...)
		if errors.Is(err, io.EOF) {
			return out, d.Info()
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// ffmpegMono decodes with ffmpeg to float32 and averages the channels.
func ffmpegMono(t testing.TB, path string, channels int) []float32 {
	t.Helper()
	return testenv.Mono(testenv.FFmpegF32(t, path), channels)
}

func maxDiff(a, b []float32) float64 {
	var m float64
	for i := range min(len(a), len(b)) {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

// TestAgainstFFmpeg decodes FLAC made by the reference encoder at every
// compression level and several layouts; lossless, so the samples must
// equal ffmpeg's to float rounding.
func TestAgainstFFmpeg(t *testing.T) {
	for _, tool := range []string{"sox", "flac", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.SkipUnlessCI(t, "%s not installed (scripts/test installs it)", tool)
		}
	}
	dir := t.TempDir()
	type src struct{ rate, ch, bits int }
	made := map[src]string{}
	wav := func(s src) string {
		if p, ok := made[s]; ok {
			return p
		}
		p := filepath.Join(dir, "src"+strconv.Itoa(len(made))+".wav")
		args := []string{"-n", "-r", strconv.Itoa(s.rate), "-c", strconv.Itoa(s.ch), "-b", strconv.Itoa(s.bits), p,
			"synth", "2", "sine", "110-4000", "pinknoise", "sine", "660", "sine", "1000", "sine", "50", "sine", "3000", "sine", "7000", "sine", "9000"}
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v: %s", err, out)
		}
		made[s] = p
		return p
	}
	tests := []struct {
		name string
		src  src
		args []string
	}{
		{"level0", src{44100, 2, 16}, []string{"-0"}},
		{"level5", src{44100, 2, 16}, []string{"-5"}},
		{"level8", src{44100, 2, 16}, []string{"-8"}},
		{"exhaustive", src{44100, 2, 16}, []string{"-8", "-e", "-p"}},
		{"24bit", src{48000, 2, 24}, []string{"-8"}},
		{"mono", src{22050, 1, 16}, []string{"-5"}},
		{"6ch", src{48000, 6, 16}, []string{"-5"}},
		{"8bit", src{8000, 1, 8}, []string{"-5"}},
		{"blocksize-192", src{44100, 2, 16}, []string{"-5", "-b", "192"}},
		{"blocksize-16384", src{44100, 2, 16}, []string{"--lax", "-5", "-b", "16384"}},
		{"independent", src{44100, 2, 16}, []string{"-5", "--no-mid-side"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".flac")
			args := append(append([]string{"-s", "-f", "-o", out}, tc.args...), wav(tc.src))
			if b, err := exec.Command("flac", args...).CombinedOutput(); err != nil {
				t.Fatalf("flac %v: %v: %s", args, err, b)
			}
			got, info := decodeFile(t, out)
			ref := ffmpegMono(t, out, tc.src.ch)
			if len(got) != len(ref) || int64(len(got)) != info.Samples {
				t.Fatalf("%d samples, ffmpeg %d, STREAMINFO %d", len(got), len(ref), info.Samples)
			}
			if d := maxDiff(got, ref); d > 1e-6 {
				t.Errorf("samples differ from ffmpeg by up to %g", d)
			}
		})
	}
}

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/corpus/dev/*.flac")
	if len(files) == 0 {
		testenv.SkipUnlessCI(t, "corpus not present")
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		testenv.SkipUnlessCI(t, "ffmpeg not installed")
	}
	for _, path := range files {
		got, info := decodeFile(t, path)
		ref := ffmpegMono(t, path, info.Channels)
		if len(got) != len(ref) {
			t.Errorf("%s: %d samples, ffmpeg %d", filepath.Base(path), len(got), len(ref))
		}
		if d := maxDiff(got, ref); d > 1e-6 {
			t.Errorf("%s: differs from ffmpeg by up to %g", filepath.Base(path), d)
		}
	}
}
