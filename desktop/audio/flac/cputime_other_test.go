//go:build !unix

package flac

import "time"

// processCPU is not available here; benchmarks then skip CPU-time ratios.
func processCPU() time.Duration { return 0 }
