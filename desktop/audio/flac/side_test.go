package flac

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// TestSideAgainstFFmpeg checks Side on stereo FLAC under each channel
// decorrelation the encoder picks (independent, left/side, side/right,
// mid/side: the mixes below are made so that each wins somewhere): lossless,
// so (L-R)/2 must equal ffmpeg's to float rounding, and the mid must still
// equal ffmpeg's average.
func TestSideAgainstFFmpeg(t *testing.T) {
	testenv.NeedTools(t, "sox", "flac", "ffmpeg")
	dir := t.TempDir()
	// Seeded noise (sox's synth noise is unseeded, and some draws left a
	// channel coding unused): pink-ish left, brown-ish right.
	noise := filepath.Join(dir, "noise.wav")
	writeNoiseWAV(t, noise, 44100)
	seen := map[int]bool{}
	for _, mix := range []struct{ name, remix string }{
		{"wide", "1 2"},
		{"near-mono", "1v0.5,2v0.02 1v0.5"},
		{"left-quiet", "2v0.02 1v0.5,2v0.05"},
		{"right-quiet", "1v0.5,2v0.05 2v0.02"},
		{"left-only", "1v0.5 0"},
		{"sum-difference", "1v0.5,2v0.2 1v0.5,2v-0.2"}, // mid/side
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
			ref := testenv.FFmpegF32(t, path)
			n := len(ref) / 2
			if n != len(side) {
				t.Fatalf("%d samples, ffmpeg %d", len(side), n)
			}
			var maxErr float64
			for i := range n {
				l, r := float64(ref[2*i]), float64(ref[2*i+1])
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

// writeNoiseWAV writes one second of seeded 16-bit stereo noise.
func writeNoiseWAV(t *testing.T, path string, rate int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 13))
	le := binary.LittleEndian
	b := append([]byte("RIFF"), le.AppendUint32(nil, uint32(36+rate*4))...)
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*4))
	b = le.AppendUint16(b, 4)
	b = le.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(rate*4))
	var p0, p1, brown float64
	for range rate {
		w := rng.NormFloat64()
		p0 = 0.99765*p0 + 0.0990460*w
		p1 = 0.96300*p1 + 0.2965164*w
		l := 0.05 * (p0 + p1 + 0.1848*w)
		brown = 0.998*brown + 0.03*rng.NormFloat64()
		r := brown + 0.02*rng.NormFloat64()
		for _, v := range []float64{l, r} {
			b = le.AppendUint16(b, uint16(int16(math.Round(32767*math.Max(-1, math.Min(1, v))))))
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
