package audio

import (
	"math"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// ffmpegMono decodes path with ffmpeg to float32 and averages the channels,
// the same downmix this package does. rate 0 keeps the source rate.
func ffmpegMono(t testing.TB, path string, channels, rate int) []float32 {
	t.Helper()
	var args []string
	if rate > 0 {
		args = []string{"-ar", strconv.Itoa(rate)}
	}
	return testenv.Mono(testenv.FFmpegF32(t, path, args...), channels)
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
