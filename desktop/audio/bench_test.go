package audio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDecode decodes the first corpus file of each format to mono, at
// the source rate and at MaxRate 12000, and at 12000 with the side signal
// (what the analysis asks for), and reports "x-realtime": seconds of audio
// per second of CPU time.
func BenchmarkDecode(b *testing.B) {
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3"} {
		files := corpusFiles(b, ext)
		if len(files) == 0 {
			continue
		}
		data, err := os.ReadFile(files[0])
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name    string
			maxRate int
			side    bool
		}{{"full", 0, false}, {"12k", 12000, false}, {"12k+side", 12000, true}} {
			maxRate := c.maxRate
			b.Run(ext[1:]+"/"+c.name, func(b *testing.B) {
				buf, side := make([]float32, 4096), make([]float32, 4096)
				var audio float64
				var cpu time.Duration
				for range b.N {
					c0 := cpuNow()
					s, err := Decode(bytes.NewReader(data), filepath.Base(files[0]), Options{MaxRate: maxRate, Side: c.side})
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for {
						var k int
						if c.side {
							k, err = s.ReadMS(buf, side)
						} else {
							k, err = s.Read(buf)
						}
						n += k
						if err != nil {
							break
						}
					}
					cpu += cpuNow() - c0
					audio += float64(n) / float64(s.SampleRate())
				}
				b.ReportMetric(audio/cpu.Seconds(), "x-realtime")
			})
		}
	}
}

// cpuNow is the process CPU time where available, else wall time.
func cpuNow() time.Duration {
	if c := processCPU(); c > 0 {
		return c
	}
	return time.Duration(time.Now().UnixNano())
}
