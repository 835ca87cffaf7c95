package testenv

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"testing"
)

// NeedTools skips unless every command is on PATH (fails under CI, where
// scripts/install-deps test installs them).
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			SkipUnlessCI(t, "%s not installed (scripts/install-deps test installs it)", tool)
		}
	}
}

// FFmpegF32 is ffmpeg's decode of path as interleaved float32 samples, the
// reference the decoders are checked against. args go between the input
// and the output (a filter, a rate).
func FFmpegF32(t testing.TB, path string, args ...string) []float32 {
	t.Helper()
	NeedTools(t, "ffmpeg")
	all := append([]string{"-v", "error", "-i", path}, args...)
	all = append(all, "-f", "f32le", "-")
	var out, stderr bytes.Buffer
	cmd := exec.Command("ffmpeg", all...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v: %s", path, err, stderr.String())
	}
	b := out.Bytes()
	s := make([]float32, len(b)/4)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return s
}

// Mono averages interleaved samples of the given channel count.
func Mono(interleaved []float32, channels int) []float32 {
	n := len(interleaved) / channels
	mono := make([]float32, n)
	for i := range n {
		var s float64
		for c := range channels {
			s += float64(interleaved[i*channels+c])
		}
		mono[i] = float32(s / float64(channels))
	}
	return mono
}
