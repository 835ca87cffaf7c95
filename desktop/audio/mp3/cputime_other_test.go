//go:build !unix

package mp3

import "time"

// processCPU is not available here; benchmarks then skip CPU-time ratios.
func processCPU() time.Duration { return 0 }
