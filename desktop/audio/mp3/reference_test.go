package mp3

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// decodeAll decodes a whole file with this package.
func decodeAll(t testing.TB, path string, opts Options) ([]float32, *Decoder) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := NewDecoder(f, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []float32
	for {
		b, err := d.Read()
		out = append(out, b...)
		if errors.Is(err, io.EOF) {
			return out, d
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// ffmpegMono is ffmpeg's decode of path, channels averaged (the same mix as
// this package), optionally resampled.
func ffmpegMono(t testing.TB, path string, rate int) []float32 {
	t.Helper()
	args := []string{"-af", "pan=mono|c0=0.5*c0+0.5*c1"}
	if ch := probeChannels(t, path); ch == 1 {
		args = nil
	}
	if rate > 0 {
		args = append(args, "-ar", strconv.Itoa(rate))
	}
	return testenv.FFmpegF32(t, path, args...)
}

func probeChannels(t testing.TB, path string) int {
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	n, _ := strconv.Atoi(string(bytes.Trim(out, " ,\n")))
	return n
}

// snr compares got with ref at lag (got[i+lag] vs ref[i]) over the
// overlap, skipping edge samples at both ends, in dB.
func snr(ref, got []float32, lag, edge int) float64 {
	var sig, noise float64
	for i := edge; i < len(ref)-edge; i++ {
		j := i + lag
		if j < 0 || j >= len(got) {
			continue
		}
		sig += float64(ref[i]) * float64(ref[i])
		d := float64(got[j] - ref[i])
		noise += d * d
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}

// bestLag searches |lag| <= maxLag for the best match on a middle window.
func bestLag(ref, got []float32, maxLag int) int {
	mid := len(ref) / 2
	w := min(4096, len(ref)/4)
	best, lag := math.Inf(1), 0
	for l := -maxLag; l <= maxLag; l++ {
		if mid-w+l < 0 || mid+w+l > len(got) {
			continue
		}
		var e float64
		for i := mid - w; i < mid+w; i++ {
			d := float64(got[i+l] - ref[i])
			e += d * d
		}
		if e < best {
			best, lag = e, l
		}
	}
	return lag
}
