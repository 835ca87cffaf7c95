package flac

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	mewkiz "github.com/mewkiz/flac"
)

const benchFile = "../../../../shared/corpus/dev/01-blues-92-Emaj.flac"

func cpuNow() time.Duration {
	if c := processCPU(); c > 0 {
		return c
	}
	return time.Duration(time.Now().UnixNano())
}

// BenchmarkFLAC decodes a 49 s corpus track (44.1 kHz stereo 16-bit) with
// this decoder and, interleaved in the same run, with github.com/mewkiz/flac
// (which the package replaced); "x-mewkiz" is mewkiz's CPU time over ours,
// "x-realtime" audio seconds per CPU second.
func BenchmarkFLAC(b *testing.B) {
	data, err := os.ReadFile(benchFile)
	if err != nil {
		b.Skipf("corpus file not available: %v", err)
	}
	var ours, ref time.Duration
	var samples int
	for range b.N {
		b.StopTimer()
		t0 := cpuNow()
		s, err := mewkiz.New(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.ParseNext(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		ref += cpuNow() - t0
		b.StartTimer()
		t1 := cpuNow()
		d, err := NewDecoder(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		samples = 0
		for {
			out, err := d.Read()
			samples += len(out)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		ours += cpuNow() - t1
	}
	b.ReportMetric(float64(samples)/44100*float64(b.N)/ours.Seconds(), "x-realtime")
	b.ReportMetric(ref.Seconds()/ours.Seconds(), "x-mewkiz")
}
