package main

import (
	"slices"
	"time"
)

// latencies summarises fan-out delays given in microseconds.
type latencies struct {
	N             int
	P50, P99, Max time.Duration
}

// summarise sorts samples in place and reads nearest-rank percentiles.
func summarise(samples []int32) latencies {
	if len(samples) == 0 {
		return latencies{}
	}
	slices.Sort(samples)
	at := func(p float64) time.Duration {
		// Nearest rank: the smallest sample with at least p of all at or below it.
		rank := int(p*float64(len(samples))+0.999999) - 1
		rank = min(max(rank, 0), len(samples)-1)
		return time.Duration(samples[rank]) * time.Microsecond
	}
	return latencies{
		N:   len(samples),
		P50: at(0.50),
		P99: at(0.99),
		Max: time.Duration(samples[len(samples)-1]) * time.Microsecond,
	}
}

// pacer spreads events evenly over time at a fixed rate. due tells how
// many events are owed at now; after a stall it owes at most burst, so a
// late load tool does not flood the relay to catch up.
type pacer struct {
	rate  float64 // events per second
	burst int
	start time.Time
	owed  int64 // events accounted for so far (sent or skipped)
}

func newPacer(rate float64, burst int, start time.Time) *pacer {
	return &pacer{rate: rate, burst: max(burst, 1), start: start}
}

// due returns the events to send now and those skipped because the caller
// fell behind by more than a burst.
func (p *pacer) due(now time.Time) (send, skipped int) {
	want := int64(p.rate * now.Sub(p.start).Seconds())
	n := want - p.owed
	if n <= 0 {
		return 0, 0
	}
	p.owed = want
	if n > int64(p.burst) {
		return p.burst, int(n) - p.burst
	}
	return int(n), 0
}
