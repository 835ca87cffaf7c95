package main

import (
	"fmt"
	"io"
	"time"
)

// relayStat is one relay's share of a run over several relays
// (-dancer-urls): its dancers, what they received and its process.
type relayStat struct {
	url       string
	pid       int
	note      string // why the process was not read
	dancers   int
	rssBefore int64
	rssAfter  int64
	cpu0, cpu time.Duration
	fanout    latencies
	likeAcks  uint64
}

// readRelays reads each relay's memory, before the dancers connect or
// (after) once they are connected.
func (rep *report) readRelays(after bool) {
	for i := range rep.relays {
		rs := &rep.relays[i]
		if rs.pid <= 0 {
			continue
		}
		rss, err := readRSS("/proc", rs.pid)
		if err != nil {
			rs.note, rs.pid = err.Error(), 0
			continue
		}
		if after {
			rs.rssAfter = rss
		} else {
			rs.rssBefore = rss
		}
	}
}

// readRelayCPU reads each relay's CPU time at the start of the playing
// phase or (after) at its end.
func (rep *report) readRelayCPU(after bool) {
	for i := range rep.relays {
		rs := &rep.relays[i]
		if rs.pid <= 0 {
			continue
		}
		cpu, err := readCPU("/proc", rs.pid)
		if err != nil {
			continue
		}
		if after {
			rs.cpu = cpu - rs.cpu0
		} else {
			rs.cpu0 = cpu
		}
	}
}

// measuredPIDs are the relay processes whose CPU and writes a reconnect
// round reads: every relay's with -dancer-urls, else the one relay's.
func (rep *report) measuredPIDs() []int {
	if len(rep.relays) == 0 {
		if rep.relayPID > 0 {
			return []int{rep.relayPID}
		}
		return nil
	}
	var pids []int
	for _, rs := range rep.relays {
		if rs.pid > 0 {
			pids = append(pids, rs.pid)
		}
	}
	return pids
}

// collectRelays splits the play phase's deliveries and likes by relay.
func (rep *report) collectRelays(dancers []*dancer) {
	if len(rep.relays) == 0 {
		return
	}
	samples := make([][]int32, len(rep.relays))
	for _, d := range dancers {
		rs := &rep.relays[d.relay%len(rep.relays)]
		rs.dancers++
		rs.likeAcks += d.likeAcks.Load()
		for seq := 0; seq < rep.plays && seq < len(d.latency); seq++ {
			if v := d.latency[seq]; v >= 0 {
				samples[d.relay%len(rep.relays)] = append(samples[d.relay%len(rep.relays)], v)
			}
		}
	}
	var others []int32
	for i := range rep.relays {
		if rep.relays[i].url != rep.wsURL {
			others = append(others, samples[i]...)
		}
		rep.relays[i].fanout = summarise(samples[i])
	}
	rep.otherRelays = summarise(others)
}

// printRelays prints each relay's share, and the fan-out to the dancers
// on the relays without the DJ, whose broadcasts cross NATS.
func (rep *report) printRelays(w io.Writer) {
	if len(rep.relays) == 0 {
		return
	}
	secs := rep.likePhase.Seconds()
	fmt.Fprintf(w, "across %d relays (dancers spread in turn; the DJ on %s):\n", len(rep.relays), rep.wsURL)
	if rep.otherRelays.N > 0 {
		fmt.Fprintf(w, "  fan-out to dancers on the other relays (through NATS): p50 %s  p99 %s  max %s (%d deliveries)\n",
			ms(rep.otherRelays.P50), ms(rep.otherRelays.P99), ms(rep.otherRelays.Max), rep.otherRelays.N)
	}
	for i, rs := range rep.relays {
		dj := ""
		if rs.url == rep.wsURL {
			dj = ", the DJ's"
		}
		fmt.Fprintf(w, "  relay %d (%s%s): %d dancers, fan-out p50 %s p99 %s max %s, %d likes acknowledged (%.1f/s)",
			i+1, rs.url, dj, rs.dancers, ms(rs.fanout.P50), ms(rs.fanout.P99), ms(rs.fanout.Max), rs.likeAcks, float64(rs.likeAcks)/secs)
		switch {
		case rs.rssBefore > 0 && rs.rssAfter > 0 && rs.dancers > 0:
			fmt.Fprintf(w, ", memory %.1f KB per connection (pid %d, %.1f → %.1f MB)",
				float64(rs.rssAfter-rs.rssBefore)/float64(rs.dancers)/1024, rs.pid, mb(rs.rssBefore), mb(rs.rssAfter))
		case rs.note != "":
			fmt.Fprintf(w, ", memory not measured: %s", rs.note)
		}
		if rs.cpu > 0 {
			fmt.Fprintf(w, ", CPU %.0f%%", 100*rs.cpu.Seconds()/secs)
		}
		fmt.Fprintln(w)
	}
}

// printRelayMemory is the "relay memory" line of a run over several
// relays: their growth over all the dancers they hold.
func (rep *report) printRelayMemory(w io.Writer) {
	var grown int64
	measured, relays := 0, 0
	for _, rs := range rep.relays {
		if rs.rssBefore > 0 && rs.rssAfter > 0 {
			grown += rs.rssAfter - rs.rssBefore
			measured += rs.dancers
			relays++
		}
	}
	if measured == 0 {
		fmt.Fprintln(w, "relay memory: not measured (pass -relay-pids)")
		return
	}
	fmt.Fprintf(w, "relay memory (%d relays, VmRSS): %.1f KB per connection over their %d dancers\n",
		relays, float64(grown)/float64(measured)/1024, measured)
}

// relaysCPU is the relays' CPU time while playing: all of them with
// -dancer-urls (and -relay-pids), else the one relay's.
func (rep *report) relaysCPU() time.Duration {
	if len(rep.relays) == 0 {
		return rep.relayCPU
	}
	var sum time.Duration
	for _, rs := range rep.relays {
		sum += rs.cpu
	}
	return sum
}
