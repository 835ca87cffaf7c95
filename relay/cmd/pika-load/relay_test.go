package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/relay/relaytest/natstest"
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

// A mass reconnect against a real relay, each way in one run: with
// catch-up every dancer gets CAUGHT_UP and the plays made while it was
// away; with the full refetch a SESSION_STATE and the REST state.
func TestReconnectAgainstRelay(t *testing.T) {
	r := relaytest.Start(t)
	tests := []struct {
		name  string
		ways  []way
		pin   string
		prior int
	}{
		{"catch-up then full refetch", []way{wayCatchUp, wayFull}, "", 0},
		{"full refetch then catch-up, protected, some hours in", []way{wayFull, wayCatchUp}, "2468", 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config{
				URL: r.URL, Dancers: 20, LikesPerSec: 20, Duration: 2 * time.Second, PlayEvery: time.Second,
				ConnectRate: 200, Timeout: 2 * time.Minute, EndSession: true, PIN: tt.pin, PriorPlays: tt.prior,
				// The relay runs in this process: its CPU and writes are
				// read from it (the tool's own count too; only bytes
				// received are compared below).
				RelayPID:  os.Getpid(),
				Reconnect: tt.ways, ReconnectWindow: 500 * time.Millisecond, Away: 300 * time.Millisecond, AwayPlays: 2, Warm: time.Second, GiveUp: time.Minute,
			}
			ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
			defer cancel()
			rep, err := execute(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatalf("execute: %v", err)
			}
			if rep.connected != cfg.Dancers || rep.deliveries != rep.plays*cfg.Dancers {
				t.Errorf("playing phase: %d connected, %d deliveries of %d plays", rep.connected, rep.deliveries, rep.plays)
			}
			if len(rep.rounds) != len(tt.ways) {
				t.Fatalf("%d rounds, want %d", len(rep.rounds), len(tt.ways))
			}
			bytesBy := map[way]int64{}
			for _, rr := range rep.rounds {
				if rr.back != cfg.Dancers || len(rr.failed) > 0 || rr.done.N != cfg.Dancers {
					t.Errorf("%s: %d of %d back, failures %v", rr.way, rr.back, rr.dancers, rr.failed)
				}
				switch rr.way {
				case wayCatchUp:
					if rr.viaCaughtUp != cfg.Dancers || rr.replayed < cfg.AwayPlays*cfg.Dancers || rr.gotAway != cfg.Dancers || rr.caughtShort != 0 {
						t.Errorf("catch-up: %d CAUGHT_UP, %d replayed, %d had the away plays; want every dancer caught up with at least %d each",
							rr.viaCaughtUp, rr.replayed, rr.gotAway, cfg.AwayPlays)
					}
					if rr.rest.N != 0 {
						t.Errorf("catch-up fetched the REST state %d times", rr.rest.N)
					}
				case wayFull:
					if rr.viaState != cfg.Dancers || rr.viaCaughtUp != 0 || rr.stateBytes == 0 {
						t.Errorf("full refetch: %d SESSION_STATE (%d bytes), %d CAUGHT_UP", rr.viaState, rr.stateBytes, rr.viaCaughtUp)
					}
					if rr.rest.N != cfg.Dancers || len(rr.restErrs) > 0 {
						t.Errorf("full refetch: GET /state answered %d times, errors %v", rr.rest.N, rr.restErrs)
					}
				}
				if rr.relayNote != "" || rr.relayWrote <= 0 || rr.wireIn <= 0 {
					t.Errorf("%s: relay wrote %d, dancers received %d (%s)", rr.way, rr.relayWrote, rr.wireIn, rr.relayNote)
				}
				bytesBy[rr.way] = rr.wireIn
			}
			// What catch-up is for: a whole state and a REST read per
			// dancer weigh more than the few broadcasts it missed.
			if bytesBy[wayFull] <= bytesBy[wayCatchUp] {
				t.Errorf("dancers received %d bytes with the full refetch, %d with catch-up", bytesBy[wayFull], bytesBy[wayCatchUp])
			}
			var out bytes.Buffer
			rep.print(&out)
			t.Log(out.String())
			for _, want := range []string{"reconnect catch-up: ", "reconnect full refetch: ", "against catch-up", "GET /state answered"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("report lacks %q:\n%s", want, out.String())
				}
			}
			if len(rep.errors) > 0 {
				t.Errorf("errors %v", rep.errors)
			}
		})
	}
}

// Dancers spread over three relays on one NATS and one database file
// (relaytest.StartPeer: no Turso server runs here): every play the DJ
// sends to relay 1 reaches every dancer on every relay, and every like,
// through whichever relay, is acknowledged.
func TestLoadAcrossRelays(t *testing.T) {
	n := natstest.Start(t)
	r1 := relaytest.Start(t, relaytest.WithNATS(n.ClientURL()))
	r2, r3 := r1.StartPeer(t), r1.StartPeer(t)
	cfg := config{
		URL: r1.URL, DancerURLs: []string{r1.URL, r2.URL, r3.URL}, Dancers: 30, LikesPerSec: 30,
		Duration: 3 * time.Second, PlayEvery: time.Second, ConnectRate: 200, Timeout: 2 * time.Minute,
		EndSession: true, RelayPID: -1,
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	rep, err := execute(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log(out.String())
	if rep.connected != cfg.Dancers || rep.deliveries != rep.plays*cfg.Dancers || rep.missed != 0 {
		t.Errorf("%d connected, %d deliveries of %d plays, %d missed", rep.connected, rep.deliveries, rep.plays, rep.missed)
	}
	if len(rep.relays) != 3 {
		t.Fatalf("%d relays in the report", len(rep.relays))
	}
	var acked uint64
	for i, rs := range rep.relays {
		if rs.dancers != cfg.Dancers/3 || rs.fanout.N != rep.plays*rs.dancers {
			t.Errorf("relay %d: %d dancers, %d deliveries of %d plays", i+1, rs.dancers, rs.fanout.N, rep.plays)
		}
		acked += rs.likeAcks
	}
	if sent := rep.likes.sent.Load(); sent == 0 || acked != uint64(sent) || rep.likeAcks != acked {
		t.Errorf("likes: %d sent, %d acknowledged by relay, %d in all", sent, acked, rep.likeAcks)
	}
	if rep.otherRelays.N != rep.plays*cfg.Dancers*2/3 {
		t.Errorf("%d deliveries through NATS, want %d", rep.otherRelays.N, rep.plays*cfg.Dancers*2/3)
	}
	for _, want := range []string{"across 3 relays", "through NATS", "relay 3 ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if rep.dropped != 0 || len(rep.errors) > 0 {
		t.Errorf("dropped %d, errors %v", rep.dropped, rep.errors)
	}
}

// A mass reconnect over three relays: every dancer comes back to its own
// relay and each relay's answers add up to its dancers. (Whether those
// answers are CAUGHT_UP is the relays' business: see README, several
// relays.)
func TestReconnectAcrossRelays(t *testing.T) {
	n := natstest.Start(t)
	r1 := relaytest.Start(t, relaytest.WithNATS(n.ClientURL()))
	r2, r3 := r1.StartPeer(t), r1.StartPeer(t)
	cfg := config{
		URL: r1.URL, DancerURLs: []string{r1.URL, r2.URL, r3.URL}, Dancers: 15, LikesPerSec: 15,
		Duration: 2 * time.Second, PlayEvery: time.Second, ConnectRate: 200, Timeout: 2 * time.Minute,
		EndSession: true, RelayPID: -1, RelayPIDs: []int{os.Getpid(), os.Getpid(), os.Getpid()},
		Reconnect: []way{wayCatchUp, wayFull}, ReconnectWindow: 300 * time.Millisecond, Away: 300 * time.Millisecond,
		AwayPlays: 1, Warm: time.Second, GiveUp: time.Minute,
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	rep, err := execute(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log(out.String())
	for _, rr := range rep.rounds {
		if rr.back != cfg.Dancers || len(rr.byRelay) != 3 {
			t.Fatalf("%s: %d of %d back, %d relays counted", rr.way, rr.back, cfg.Dancers, len(rr.byRelay))
		}
		caught, state := 0, 0
		for i, ra := range rr.byRelay {
			if ra.caughtUp+ra.state != cfg.Dancers/3 || ra.short > ra.caughtUp {
				t.Errorf("%s, relay %d: %+v for %d dancers", rr.way, i+1, ra, cfg.Dancers/3)
			}
			caught += ra.caughtUp
			state += ra.state
		}
		if caught != rr.viaCaughtUp || state != rr.viaState {
			t.Errorf("%s: by relay %d CAUGHT_UP and %d SESSION_STATE, in all %d and %d", rr.way, caught, state, rr.viaCaughtUp, rr.viaState)
		}
		if rr.way == wayFull && (rr.viaState != cfg.Dancers || rr.rest.N != cfg.Dancers) {
			t.Errorf("full refetch: %d SESSION_STATE, %d GET /state answered", rr.viaState, rr.rest.N)
		}
	}
	if !strings.Contains(out.String(), "by relay: 1: ") {
		t.Error("report lacks the answers by relay")
	}
}
