package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"strconv"
	"testing"
)

// ffmpegMono decodes path with ffmpeg to float32 and averages the channels,
// the same downmix this package does. rate 0 keeps the source rate.
func ffmpegMono(t testing.TB, path string, channels, rate int) []float32 {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		skipUnlessCI(t, "ffmpeg not installed (scripts/test installs it); it is the reference decoder")
	}
	args := []string{"-v", "error", "-i", path, "-f", "f32le"}
	if rate > 0 {
		args = append(args, "-ar", strconv.Itoa(rate))
	}
	args = append(args, "-")
	var out, stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v: %s", path, err, stderr.String())
	}
	b := out.Bytes()
	n := len(b) / 4 / channels
	mono := make([]float32, n)
	for i := range n {
		var s float32
		for c := range channels {
			s += math.Float32frombits(binary.LittleEndian.Uint32(b[4*(i*channels+c):]))
		}
		mono[i] = s / float32(channels)
	}
	return mono
}

// alignedSNR finds the lag (|lag| <= maxLag) at which got best matches ref
// and returns the signal-to-noise ratio in dB of got against ref over the
// overlapping part, excluding edge samples at each end (decoder warm-up and
// end padding differ between decoders).
func alignedSNR(ref, got []float32, maxLag, edge int) (snr float64, lag int) {
	bestErr := math.Inf(1)
	// Coarse search on a window in the middle.
	mid := len(ref) / 2
	w := min(8192, len(ref)/4)
	for l := -maxLag; l <= maxLag; l++ {
		if mid+l-w < 0 || mid+l+w > len(got) || mid-w < 0 || mid+w > len(ref) {
			continue
		}
		var e float64
		for i := mid - w; i < mid+w; i++ {
			d := float64(got[i+l] - ref[i])
			e += d * d
		}
		if e < bestErr {
			bestErr, lag = e, l
		}
	}
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
		return math.Inf(1), lag
	}
	return 10 * math.Log10(sig/noise), lag
}
