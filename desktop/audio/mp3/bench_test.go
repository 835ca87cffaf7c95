package mp3

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	gomp3 "github.com/hajimehoshi/go-mp3"
)

const benchFile = "../../../../shared/corpus/dev/00-rnb-104-Amin.mp3"

func benchData(b *testing.B) []byte {
	data, err := os.ReadFile(benchFile)
	if err != nil {
		b.Skipf("corpus file not available: %v", err)
	}
	return data
}

// decodeOurs decodes data completely and returns the output sample count.
func decodeOurs(b *testing.B, data []byte, reduce int) int {
	d, err := NewDecoder(bytes.NewReader(data), Options{Reduce: reduce})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		s, err := d.Read()
		n += len(s)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// decodeGoMP3 decodes data with github.com/hajimehoshi/go-mp3 (16-bit
// stereo output), the pure-Go decoder this package replaces.
func decodeGoMP3(b *testing.B, data []byte) {
	d, err := gomp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, d); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMP3 decodes a 52 s corpus track (44.1 kHz stereo, 128 kbit/s)
// with go-mp3 and with this decoder at full, half and quarter rate in the
// same run, and reports each of ours as a speed ratio against go-mp3
// ("x-go-mp3", higher is faster) and as a multiple of real time.
func BenchmarkMP3(b *testing.B) {
	data := benchData(b)
	var ref time.Duration
	b.Run("go-mp3", func(b *testing.B) {
		start := time.Now()
		for range b.N {
			decodeGoMP3(b, data)
		}
		ref = time.Since(start) / time.Duration(b.N)
	})
	for _, c := range []struct {
		name   string
		reduce int
	}{{"full", 0}, {"half", 1}, {"quarter", 2}} {
		b.Run(c.name, func(b *testing.B) {
			start := time.Now()
			var samples int
			for range b.N {
				samples = decodeOurs(b, data, c.reduce)
			}
			per := time.Since(start) / time.Duration(b.N)
			audio := float64(samples<<c.reduce) / 44100
			b.ReportMetric(audio/per.Seconds(), "x-realtime")
			if ref > 0 {
				b.ReportMetric(ref.Seconds()/per.Seconds(), "x-go-mp3")
			}
		})
	}
}
