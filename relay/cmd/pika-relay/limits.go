package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/shared/protocol"
)

// limitFlags declares the connection and request limits (relay/README.md,
// "Connection and request limits"), each with its PIKA_… fallback, and
// returns a function that puts what was parsed into cfg.
func limitFlags(fs *flag.FlagSet, getenv func(string) string) func(cfg *app.Config) error {
	var bad []string
	intVar := func(name, env string, def int, usage string) *int {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				bad = append(bad, fmt.Sprintf("%s=%q is not a whole number", env, v))
			} else {
				def = n
			}
		}
		return fs.Int(name, def, usage+" ("+env+")")
	}
	durVar := func(name, env string, def time.Duration, usage string) *time.Duration {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				bad = append(bad, fmt.Sprintf("%s=%q is not a duration such as 10s", env, v))
			} else {
				def = d
			}
		}
		return fs.Duration(name, def, usage+" ("+env+")")
	}
	var (
		perAddr   = intVar("max-conns-per-addr", "PIKA_MAX_CONNS_PER_ADDR", 500, "WebSockets open at once per client address (IPv6: per /64)")
		total     = intVar("max-conns", "PIKA_MAX_CONNS", 20000, "WebSockets open at once in total")
		hello     = durVar("hello-timeout", "PIKA_HELLO_TIMEOUT", 10*time.Second, "a WebSocket that neither subscribes nor registers within this is closed")
		readRate  = intVar("read-rate", "PIKA_READ_RATE", 50, "anonymous REST reads per second per address, after the burst")
		readBurst = intVar("read-burst", "PIKA_READ_BURST", 300, "anonymous REST reads per address at once")
		regEvery  = durVar("register-interval", "PIKA_REGISTER_INTERVAL", 3*time.Second, "one REGISTER_SESSION per DJ account per this, after the burst")
		regBurst  = intVar("register-burst", "PIKA_REGISTER_BURST", 20, "REGISTER_SESSION per DJ account at once")
		maxLive   = intVar("max-live-sessions", "PIKA_MAX_LIVE_SESSIONS", 3, "sessions one DJ account may have live at once")
		history   = intVar("history", "PIKA_HISTORY_LIMIT", 50, "newest plays in SESSION_STATE and /state; older ones through /plays")
		rhTimeout = durVar("read-header-timeout", "PIKA_READ_HEADER_TIMEOUT", 10*time.Second, "time to read a request's header")
		rTimeout  = durVar("read-timeout", "PIKA_READ_TIMEOUT", 20*time.Second, "time to read a whole request, body included")
		wTimeout  = durVar("write-timeout", "PIKA_WRITE_TIMEOUT", 30*time.Second, "time to write an answer")
		iTimeout  = durVar("idle-timeout", "PIKA_IDLE_TIMEOUT", 120*time.Second, "how long an idle keep-alive connection stays open")
		reqCool   = durVar("request-cooldown", "PIKA_REQUEST_COOLDOWN", protocol.DefaultRequestCooldown, "how long a dancer waits after a request before the next")
		reqAddr   = intVar("requests-per-address", "PIKA_REQUESTS_PER_ADDRESS", 60, "dancers' requests one address may send at once")
		reqRefill = durVar("request-refill", "PIKA_REQUEST_REFILL", 5*time.Second, "one more request per address every this long")
		search    = intVar("search-rate", "PIKA_SEARCH_RATE", 30, "catalogue searches per second per address, after a burst of ten times as many")
		catMax    = intVar("request-catalogue-max", "PIKA_REQUEST_CATALOGUE_MAX", protocol.MaxCatalogueTracks, "tracks in a session's request catalogue (at most the default)")
	)
	return func(cfg *app.Config) error {
		if len(bad) > 0 {
			return fmt.Errorf("bad setting: %s", bad[0])
		}
		for name, v := range map[string]int{"-max-conns-per-addr": *perAddr, "-max-conns": *total, "-read-rate": *readRate,
			"-read-burst": *readBurst, "-register-burst": *regBurst, "-max-live-sessions": *maxLive, "-history": *history,
			"-requests-per-address": *reqAddr, "-search-rate": *search, "-request-catalogue-max": *catMax} {
			if v < 1 {
				return fmt.Errorf("%s must be at least 1", name)
			}
		}
		for name, d := range map[string]time.Duration{"-hello-timeout": *hello, "-register-interval": *regEvery, "-read-header-timeout": *rhTimeout,
			"-read-timeout": *rTimeout, "-write-timeout": *wTimeout, "-idle-timeout": *iTimeout,
			"-request-cooldown": *reqCool, "-request-refill": *reqRefill} {
			if d <= 0 {
				return fmt.Errorf("%s must be a positive duration such as 10s", name)
			}
		}
		cfg.Limits.ConnsPerAddr, cfg.Limits.Conns, cfg.Limits.HelloTimeout = *perAddr, *total, *hello
		cfg.Limits.ReadRate, cfg.Limits.ReadBurst = rate.Limit(*readRate), *readBurst
		cfg.Limits.RegisterRate, cfg.Limits.RegisterBurst = rate.Every(*regEvery), *regBurst
		cfg.MaxLiveSessions, cfg.HistoryLimit = *maxLive, *history
		cfg.ReadHeaderTimeout, cfg.ReadTimeout, cfg.WriteTimeout, cfg.IdleTimeout = *rhTimeout, *rTimeout, *wTimeout, *iTimeout
		if *catMax > protocol.MaxCatalogueTracks {
			return fmt.Errorf("-request-catalogue-max must be at most %d", protocol.MaxCatalogueTracks)
		}
		cfg.Requests = live.RequestLimits{Cooldown: *reqCool, PerAddress: *reqAddr, Refill: *reqRefill, SearchRate: *search, MaxCatalogue: *catMax}
		return nil
	}
}
