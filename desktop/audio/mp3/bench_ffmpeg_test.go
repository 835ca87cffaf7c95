package mp3

import (
	"os/exec"
	"testing"
	"time"
)

// BenchmarkMP3VsFFmpeg compares CPU time with ffmpeg (C, SIMD, one
// thread) decoding the same file to nowhere: "x-ffmpeg-cpu" is ffmpeg's CPU
// time over ours, so 1 means as fast as ffmpeg. The full-rate case does the
// same work as ffmpeg except that ours mixes to mono before the filterbank;
// the quarter-rate case is what the analysis uses.
func BenchmarkMP3VsFFmpeg(b *testing.B) {
	data := benchData(b)
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("ffmpeg not installed")
	}
	if processCPU() == 0 {
		b.Skip("no process CPU time on this platform")
	}
	for _, c := range []struct {
		name   string
		reduce int
	}{{"full", 0}, {"quarter", 2}} {
		b.Run(c.name, func(b *testing.B) {
			var ours, ref time.Duration
			for range b.N {
				b.StopTimer()
				cmd := exec.Command("ffmpeg", "-v", "error", "-threads", "1", "-i", benchFile, "-f", "null", "-")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("ffmpeg: %v: %s", err, out)
				}
				ref += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				b.StartTimer()
				c0 := processCPU()
				decodeOurs(b, data, c.reduce)
				ours += processCPU() - c0
			}
			b.ReportMetric(ref.Seconds()/ours.Seconds(), "x-ffmpeg-cpu")
			b.ReportMetric(ours.Seconds()/float64(b.N)*1000, "cpu-ms/track")
		})
	}
}
