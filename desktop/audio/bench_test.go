package audio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDecode decodes the first corpus file of each format to mono, at
// the source rate and at MaxRate 12000 (what the analysis asks for), and
// reports "x-realtime": seconds of audio per second of CPU time.
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
		for _, maxRate := range []int{0, 12000} {
			name := ext[1:] + "/full"
			if maxRate > 0 {
				name = ext[1:] + "/12k"
			}
			b.Run(name, func(b *testing.B) {
				buf := make([]float32, 4096)
				var audio float64
				var cpu time.Duration
				for range b.N {
					c0 := cpuNow()
					s, err := Decode(bytes.NewReader(data), filepath.Base(files[0]), Options{MaxRate: maxRate})
					if err != nil {
						b.Fatal(err)
					}
					n := 0
					for {
						k, err := s.Read(buf)
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
