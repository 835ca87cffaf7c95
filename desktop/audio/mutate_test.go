package audio

import (
	"encoding/binary"
	"io"
	"math/rand"
	"os"
	"runtime"
	"testing"
	"time"
)

// mutate applies a few random fuzzing-style edits to a copy of b.
func mutate(rng *rand.Rand, b []byte) []byte {
	d := append([]byte(nil), b...)
	for k := 0; k < 1+rng.Intn(5); k++ {
		if len(d) < 8 {
			d = append(d, byte(rng.Intn(256)))
			continue
		}
		switch rng.Intn(6) {
		case 0:
			d[rng.Intn(len(d))] = byte(rng.Intn(256))
		case 1:
			i := rng.Intn(len(d) - 4)
			binary.BigEndian.PutUint32(d[i:], []uint32{0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, uint32(rng.Int63())}[rng.Intn(5)])
		case 2:
			i := rng.Intn(len(d))
			j := i + rng.Intn(len(d)-i)
			d = append(d[:i], d[j:]...)
		case 3:
			i := rng.Intn(len(d))
			n := rng.Intn(64)
			ins := make([]byte, n)
			rng.Read(ins)
			d = append(d[:i], append(ins, d[i:]...)...)
		case 4:
			i := rng.Intn(len(d))
			j := i + rng.Intn(len(d)-i)
			d = append(d, d[i:j]...)
		case 5:
			d = d[:rng.Intn(len(d))]
		}
	}
	return d
}

// TestMutatedInputs is a deterministic companion of the fuzz targets: it
// runs every decoder on a few thousand mutations of its seed file (byte
// flips, hostile 32-bit values, cuts, insertions, duplications) and fails on
// a panic or on an input that does not finish within 30 s (a hang).
func TestMutatedInputs(t *testing.T) {
	tests := []struct {
		file string
		open func(io.ReadSeeker) (source, header, error)
	}{
		{"tone.wav", newWAV},
		{"tone.aiff", newAIFF},
		{"tone.flac", func(r io.ReadSeeker) (source, header, error) { return newFLAC(r) }},
		{"tone.ogg", newOgg},
		{"tone.mp3", func(r io.ReadSeeker) (source, header, error) { return newMP3(r, Options{}) }},
		{"tone.mp3", func(r io.ReadSeeker) (source, header, error) { return newMP3(r, Options{MaxRate: 8000}) }},
		{"tone.mp3", func(r io.ReadSeeker) (source, header, error) { return newMP3(r, Options{MaxRate: 11025, Side: true}) }},
	}
	n := 1500
	if testing.Short() {
		n = 200
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			for i := range n {
				d := mutate(rng, b)
				done := make(chan error, 1)
				go func() { done <- fuzzSource(d, tc.open) }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("mutation %d: %v", i, err)
					}
				case <-time.After(30 * time.Second): // liveness only: inputs are a few KB
					buf := make([]byte, 1<<16)
					t.Fatalf("mutation %d did not finish in 30 s\n%s", i, buf[:runtime.Stack(buf, true)])
				}
			}
		})
	}
}
