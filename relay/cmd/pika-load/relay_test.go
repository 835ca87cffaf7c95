package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
)

// The load tool against a real relay on 127.0.0.1: every dancer connects,
// every play reaches every dancer, every like is acknowledged and counted.
func TestLoadAgainstRelay(t *testing.T) {
	r := relaytest.Start(t)
	tests := []struct {
		name string
		cfg  config
	}{
		{"new DJ account", config{Dancers: 30, LikesPerSec: 40, Duration: 3 * time.Second, PlayEvery: time.Second}},
		{"protected session", config{Dancers: 10, LikesPerSec: 10, Duration: 2 * time.Second, PlayEvery: time.Second, PIN: "4321"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.URL = r.URL
			cfg.ConnectRate = 200
			cfg.Timeout = 2 * time.Minute
			cfg.EndSession = true
			cfg.PerPlay = true
			cfg.RelayPID = -1 // other relays may run on this machine
			ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
			defer cancel()
			rep, err := execute(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatalf("execute: %v", err)
			}
			if rep.connected != cfg.Dancers || len(rep.connectErrs) > 0 {
				t.Errorf("connected %d of %d, errors %v", rep.connected, cfg.Dancers, rep.connectErrs)
			}
			if rep.plays < 1 || rep.deliveries != rep.plays*cfg.Dancers || rep.missed != 0 {
				t.Errorf("%d plays: %d deliveries, %d missed; want every play at every dancer", rep.plays, rep.deliveries, rep.missed)
			}
			if rep.fanout.Max <= 0 || rep.fanout.P50 > rep.fanout.P99 || rep.fanout.P99 > rep.fanout.Max {
				t.Errorf("latency summary %+v", rep.fanout)
			}
			if rep.playAck.N != rep.plays {
				t.Errorf("%d NOW_PLAYING ACKs for %d plays", rep.playAck.N, rep.plays)
			}
			sent := rep.likes.sent.Load()
			if sent == 0 || rep.likeAcks != uint64(sent) || rep.likesCounted != int(sent) {
				t.Errorf("likes: %d sent, %d acknowledged, %d counted by the relay", sent, rep.likeAcks, rep.likesCounted)
			}
			if rep.dropped != 0 || len(rep.errors) > 0 {
				t.Errorf("dropped %d, errors %v", rep.dropped, rep.errors)
			}
			var out bytes.Buffer
			rep.print(&out)
			if rep.timerLag.N == 0 {
				t.Error("no contention samples while playing")
			}
			if len(rep.perPlay) != rep.plays {
				t.Errorf("%d per-play lines for %d plays", len(rep.perPlay), rep.plays)
			}
			for _, want := range []string{"NOW_PLAYING fan-out", "p99", "accepted/s", "connections: ", "play 0: ACK ", "machine contention"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}
