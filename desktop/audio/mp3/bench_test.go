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

// cpuNow is the process CPU time where available, else wall time.
func cpuNow() time.Duration {
	if c := processCPU(); c > 0 {
		return c
	}
	return time.Duration(time.Now().UnixNano())
}

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
// with this decoder at full, half and quarter rate. Every iteration also
// decodes the track with go-mp3, timed separately and interleaved so that
// load on a shared machine hits both alike; "x-go-mp3" is go-mp3's CPU time
// over ours (higher is faster), "x-realtime" audio seconds per CPU second.
// ns/op (wall time) covers our decoder only.
func BenchmarkMP3(b *testing.B) {
	data := benchData(b)
	for _, c := range []struct {
		name   string
		reduce int
	}{{"full", 0}, {"half", 1}, {"quarter", 2}} {
		b.Run(c.name, func(b *testing.B) {
			var ours, ref time.Duration
			var samples int
			for range b.N {
				b.StopTimer()
				t0 := cpuNow()
				decodeGoMP3(b, data)
				ref += cpuNow() - t0
				b.StartTimer()
				t1 := cpuNow()
				samples = decodeOurs(b, data, c.reduce)
				ours += cpuNow() - t1
			}
			audio := float64(samples<<c.reduce) / 44100 * float64(b.N)
			b.ReportMetric(audio/ours.Seconds(), "x-realtime")
			b.ReportMetric(ref.Seconds()/ours.Seconds(), "x-go-mp3")
		})
	}
}
