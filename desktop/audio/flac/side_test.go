package flac

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSideAgainstFFmpeg checks Side on stereo FLAC under each channel
// decorrelation the encoder picks (independent, left/side, side/right,
// mid/side: the mixes below are made so that each wins somewhere): lossless,
// so (L-R)/2 must equal ffmpeg's to float rounding, and the mid must still
// equal ffmpeg's average.
func TestSideAgainstFFmpeg(t *testing.T) {
	for _, tool := range []string{"sox", "flac", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/test installs it)", tool)
		}
	}
	dir := t.TempDir()
	noise := filepath.Join(dir, "noise.wav")
	if out, err := exec.Command("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", noise, "synth", "1", "pinknoise", "brownnoise", "vol", "0.5").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	seen := map[int]bool{}
	for _, mix := range []struct{ name, remix string }{
		{"wide", "1 2"},
		{"near-mono", "1v0.5,2v0.02 1v0.5"},
		{"left-quiet", "2v0.02 1v0.5,2v0.05"},
		{"right-quiet", "1v0.5,2v0.05 2v0.02"},
		{"left-only", "1v0.5 0"},
	} {
		t.Run(mix.name, func(t *testing.T) {
			wav := filepath.Join(dir, mix.name+".wav")
			args := append([]string{noise, wav, "remix"}, splitFields(mix.remix)...)
			if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
				t.Fatalf("sox %v: %v: %s", args, err, out)
			}
			path := filepath.Join(dir, mix.name+".flac")
			if out, err := exec.Command("flac", "-s", "-f", "-8", "-b", "1024", "-o", path, wav).CombinedOutput(); err != nil {
				t.Fatalf("flac: %v: %s", err, out)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := NewDecoder(f)
			if err != nil {
				t.Fatal(err)
			}
			var mid, side []float32
			for {
				b, err := d.Read()
				s := d.Side()
				if len(s) != len(b) {
					t.Fatalf("%d side samples for %d samples", len(s), len(b))
				}
				if len(b) > 0 {
					seen[d.last.chCode] = true
				}
				mid, side = append(mid, b...), append(side, s...)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			var out, stderr bytes.Buffer
			cmd := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-")
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("ffmpeg: %v: %s", err, stderr.String())
			}
			raw := out.Bytes()
			n := len(raw) / 8
			if n != len(side) {
				t.Fatalf("%d samples, ffmpeg %d", len(side), n)
			}
			var maxErr float64
			for i := range n {
				l := float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i:])))
				r := float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i+4:])))
				maxErr = max(maxErr, math.Abs(float64(side[i])-(l-r)/2), math.Abs(float64(mid[i])-(l+r)/2))
			}
			if maxErr > 1e-6 {
				t.Errorf("mid/side differ from ffmpeg by up to %g", maxErr)
			}
		})
	}
	for code, name := range map[int]string{1: "independent", 8: "left/side", 9: "side/right", 10: "mid/side"} {
		if !seen[code] {
			t.Errorf("no frame coded %s (channel code %d): the mixes no longer cover it", name, code)
		}
	}
}

func splitFields(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}
