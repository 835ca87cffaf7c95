// Command pika-load puts a Pika! relay under the load of one live dance
// event: one DJ playing tracks and N dancers' phones connected at once,
// liking the current track. It measures how long a NOW_PLAYING takes to
// reach every dancer (the DJ's send time against each dancer's receipt, on
// the same clock), how many likes the relay accepts per second, and, when
// the relay runs on this machine, its memory per connection.
//
//	pika-load -url http://127.0.0.1:8080 -dancers 5000 -likes-per-sec 500 -duration 60s
//
// With -reconnect catchup,full it then measures a mass reconnect, as when
// a venue's Wi-Fi drops: every dancer's socket is reset at once, the DJ
// plays on (-away-plays), and every dancer comes back at a random moment
// of -reconnect-window, once naming the last broadcast it saw (CAUGHT_UP
// and the missed broadcasts) and once as pages did before catch-up (a
// whole SESSION_STATE and GET /api/sessions/:id/state), reporting for
// each the time until caught up, the relay's CPU and bytes written
// (/proc/PID/stat and io) and the bytes the dancers received.
// -dancer-urls spreads the dancers over several relays on one NATS (the
// DJ stays on -url) and reports each relay's fan-out, likes and memory.
//
// Every count and duration is bounded: it connects at most -dancers
// sockets at -connect-rate, plays for -duration, then ends its session,
// closes every socket and exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// config holds the flags.
type config struct {
	URL         string
	Token       string
	Dancers     int
	LikesPerSec float64
	Duration    time.Duration
	PlayEvery   time.Duration
	ConnectRate float64
	RelayPID    int
	Origin      string
	PIN         string
	Settle      time.Duration
	SourceIPs   int
	Timeout     time.Duration
	EndSession  bool
	PerPlay     bool
	// Several relays: dancers spread over DancerURLs (the DJ stays on
	// URL), with their relays' processes in RelayPIDs.
	DancerURLs []string
	RelayPIDs  []int
	// Mass reconnect (reconnect.go): the ways the dancers come back
	// after each drop, in order.
	Reconnect       []way
	ReconnectWindow time.Duration
	Away            time.Duration
	AwayPlays       int
	Warm            time.Duration
	GiveUp          time.Duration
	PriorPlays      int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pika-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "relay base URL (http, https, ws or wss); the socket is at /ws")
	fs.StringVar(&c.Token, "token", "", "DJ token to use (env PIKA_LOAD_TOKEN); default: register a throw-away DJ account")
	fs.IntVar(&c.Dancers, "dancers", 5000, "dancers to connect")
	fs.Float64Var(&c.LikesPerSec, "likes-per-sec", 500, "likes per second sent by all dancers together")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long the DJ plays tracks once every dancer is connected")
	fs.DurationVar(&c.PlayEvery, "play-every", 5*time.Second, "time between two NOW_PLAYING")
	fs.Float64Var(&c.ConnectRate, "connect-rate", 250, "new dancer connections per second")
	fs.IntVar(&c.RelayPID, "relay-pid", 0, "relay process to read memory from (default: the one pika-relay process, for a loopback URL; -1: none)")
	fs.StringVar(&c.Origin, "origin", "", "Origin header to send (for a relay with PIKA_ALLOWED_ORIGINS)")
	fs.StringVar(&c.PIN, "pin", "", "protect the session with this PIN (dancers send it)")
	fs.DurationVar(&c.Settle, "settle", 3*time.Second, "wait after connecting before reading the relay's memory")
	fs.IntVar(&c.SourceIPs, "source-ips", 0, "spread dancers over this many loopback source addresses 127.0.0.2… (0: one)")
	fs.DurationVar(&c.Timeout, "timeout", 0, "hard limit for the whole run (default: connect time + duration + 2m)")
	fs.BoolVar(&c.EndSession, "end-session", true, "end the session when done")
	fs.BoolVar(&c.PerPlay, "per-play", false, "also print each play's ACK and delivery spread")
	dancerURLs := fs.String("dancer-urls", "", "comma-separated relay URLs to spread the dancers over, in turn (several relays on one NATS; the DJ stays on -url); default: -url")
	relayPIDs := fs.String("relay-pids", "", "comma-separated processes of the -dancer-urls relays, in the same order, to read their memory and CPU from")
	reconnect := fs.String("reconnect", "", "after playing, drop every dancer's socket at once and have them all come back, once per way listed (comma-separated, at most 10): catchup (SUBSCRIBE naming the last broadcast seen) or full (SUBSCRIBE without, plus GET /api/sessions/:id/state, as pages did before catch-up)")
	fs.DurationVar(&c.ReconnectWindow, "reconnect-window", 2*time.Second, "dancers come back at random moments within this window after the drop")
	fs.DurationVar(&c.Away, "away", 3*time.Second, "how long the dancers stay away before the window opens; the DJ plays -away-plays tracks meanwhile")
	fs.IntVar(&c.AwayPlays, "away-plays", 2, "NOW_PLAYING sent while the dancers are away: something to catch up")
	fs.IntVar(&c.PriorPlays, "prior-plays", 0, "tracks the DJ plays before the dancers connect, as in a session some hours in: the history every SESSION_STATE and GET /state carries (the relay sends the newest 50)")
	fs.DurationVar(&c.GiveUp, "give-up", time.Minute, "a dancer still not back this long after its first reconnect attempt counts as lost (pages retry for ever, 0.5 s doubling up to 30 s)")
	fs.DurationVar(&c.Warm, "warm", 3*time.Second, "before each drop after the first: a play and likes for this long")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.DancerURLs, err = splitList(*dancerURLs); err != nil {
		return c, fmt.Errorf("-dancer-urls: %w", err)
	}
	pids, err := splitList(*relayPIDs)
	if err != nil {
		return c, fmt.Errorf("-relay-pids: %w", err)
	}
	for _, p := range pids {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return c, fmt.Errorf("-relay-pids: %q is not a process id", p)
		}
		c.RelayPIDs = append(c.RelayPIDs, n)
	}
	ways, err := splitList(*reconnect)
	if err != nil {
		return c, fmt.Errorf("-reconnect: %w", err)
	}
	for _, w := range ways {
		switch way(w) {
		case wayCatchUp, wayFull:
			c.Reconnect = append(c.Reconnect, way(w))
		default:
			return c, fmt.Errorf("-reconnect: %q is neither catchup nor full", w)
		}
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.Token == "" {
		c.Token = os.Getenv("PIKA_LOAD_TOKEN")
	}
	switch {
	case c.Dancers < 1 || c.Dancers > 100_000:
		return c, errors.New("-dancers must be between 1 and 100000")
	case c.LikesPerSec < 0 || c.LikesPerSec > 100_000:
		return c, errors.New("-likes-per-sec must be between 0 and 100000")
	case c.Duration < time.Second || c.Duration > time.Hour:
		return c, errors.New("-duration must be between 1s and 1h")
	case c.PlayEvery < 500*time.Millisecond || c.PlayEvery > c.Duration:
		return c, errors.New("-play-every must be between 500ms and -duration")
	case c.ConnectRate < 1 || c.ConnectRate > 10_000:
		return c, errors.New("-connect-rate must be between 1 and 10000 per second")
	case c.Settle < 0 || c.Settle > time.Minute:
		return c, errors.New("-settle must be between 0 and 1m")
	case c.SourceIPs < 0 || c.SourceIPs > 250:
		return c, errors.New("-source-ips must be between 0 and 250")
	case c.RelayPID < -1:
		return c, errors.New("-relay-pid must be a process id, 0 to find it or -1 for none")
	case c.Timeout < 0:
		return c, errors.New("-timeout must not be negative")
	case len(c.DancerURLs) > 16:
		return c, errors.New("-dancer-urls takes at most 16 relays")
	case len(c.RelayPIDs) > 0 && len(c.RelayPIDs) != max(len(c.DancerURLs), 1):
		return c, errors.New("-relay-pids needs one process per -dancer-urls relay")
	case len(c.Reconnect) > 10:
		return c, errors.New("-reconnect takes at most 10 rounds")
	case c.ReconnectWindow < 0 || c.ReconnectWindow > time.Minute:
		return c, errors.New("-reconnect-window must be between 0 and 1m")
	case c.Away < 0 || c.Away > time.Minute:
		return c, errors.New("-away must be between 0 and 1m")
	case c.AwayPlays < 0 || c.AwayPlays > 20:
		return c, errors.New("-away-plays must be between 0 and 20 (the relay keeps the last 48 broadcasts for catching up)")
	case c.PriorPlays < 0 || c.PriorPlays > 500:
		return c, errors.New("-prior-plays must be between 0 and 500")
	case c.GiveUp < time.Second || c.GiveUp > 10*time.Minute:
		return c, errors.New("-give-up must be between 1s and 10m")
	case c.Warm < 0 || c.Warm > time.Minute:
		return c, errors.New("-warm must be between 0 and 1m")
	}
	if c.Timeout == 0 {
		connect := time.Duration(float64(c.Dancers)/c.ConnectRate*float64(time.Second)) + 30*time.Second
		c.Timeout = connect + c.Duration + 2*time.Minute
		// Each round: warm, away, the window, stragglers' retries and the
		// counters settling.
		c.Timeout += time.Duration(len(c.Reconnect)) * (c.Warm + c.Away + c.ReconnectWindow + c.GiveUp + 30*time.Second)
	}
	return c, nil
}

// splitList splits a comma-separated flag value; empty items are refused.
func splitList(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, errors.New("empty item in the list")
		}
		out = append(out, item)
	}
	return out, nil
}

// endpoints derives the socket URL and the REST base URL from -url.
func endpoints(raw string) (wsURL, baseURL, host string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("parse -url: %w", err)
	}
	ws, rest := *u, *u
	switch u.Scheme {
	case "http", "ws":
		ws.Scheme, rest.Scheme = "ws", "http"
	case "https", "wss":
		ws.Scheme, rest.Scheme = "wss", "https"
	default:
		return "", "", "", fmt.Errorf("-url must be http, https, ws or wss, not %q", u.Scheme)
	}
	if u.Host == "" {
		return "", "", "", errors.New("-url has no host")
	}
	path := strings.TrimSuffix(u.Path, "/")
	path = strings.TrimSuffix(path, "/ws")
	ws.Path, rest.Path = path+"/ws", path
	ws.RawQuery, rest.RawQuery = "", ""
	return ws.String(), rest.String(), u.Hostname(), nil
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pika-load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rep, err := execute(ctx, cfg, log)
	if rep != nil {
		rep.print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pika-load:", err)
		os.Exit(1)
	}
}

// playLine is one play's figures.
type playLine struct {
	seq    int
	ack    time.Duration // -1: no ACK
	first  time.Duration
	fanout latencies
}

// report is what a run measured.
type report struct {
	cfg          config
	wsURL        string
	fileLimit    uint64
	relayPID     int
	memNote      string
	rssBefore    int64
	rssAfter     int64
	connected    int
	connectTime  time.Duration
	connectErrs  map[string]int
	plays        int
	fanout       latencies
	playAck      latencies
	timerLag     latencies
	perPlay      []playLine
	deliveries   int
	missed       int
	likePhase    time.Duration
	likes        likeStats
	likeAcks     uint64
	likesCounted int
	likeCountMsg int
	framesIn     uint64
	dropped      int
	dropReasons  map[string]int
	errors       map[string]int
	relayCPU     time.Duration
	dbCommit     time.Duration // mean over the playing phase, from /metrics
	dbCommits    int
	relayFanout  time.Duration
	relayWrites  int
	toolCPU      time.Duration
	loadAvg      string
	relays       []relayStat     // with -dancer-urls: each relay's share
	otherRelays  latencies       // fan-out to dancers not on the DJ's relay
	rounds       []*reconnectRep // with -reconnect
}

// execute runs the whole load test; the report holds whatever was
// measured before an error.
func execute(ctx context.Context, cfg config, log *slog.Logger) (*report, error) {
	wsURL, baseURL, host, err := endpoints(cfg.URL)
	if err != nil {
		return nil, err
	}
	rep := &report{cfg: cfg, wsURL: wsURL, connectErrs: map[string]int{}, dropReasons: map[string]int{}}
	sockets := uint64(cfg.Dancers) + 256
	if len(cfg.Reconnect) > 0 {
		sockets += uint64(cfg.Dancers) // a full refetch's HTTP connection beside each socket
	}
	rep.fileLimit, err = raiseFileLimit(sockets)
	if err != nil {
		return rep, err
	}
	wsURLs, baseURLs := []string{wsURL}, []string{baseURL}
	if len(cfg.DancerURLs) > 0 {
		wsURLs, baseURLs = nil, nil
		for i, u := range cfg.DancerURLs {
			ws, b, h, err := endpoints(u)
			if err != nil {
				return rep, fmt.Errorf("-dancer-urls: %w", err)
			}
			if cfg.SourceIPs > 0 && !isLoopback(h) {
				return rep, errors.New("-source-ips needs loopback relay URLs")
			}
			wsURLs, baseURLs = append(wsURLs, ws), append(baseURLs, b)
			rep.relays = append(rep.relays, relayStat{url: ws})
			if i < len(cfg.RelayPIDs) {
				rep.relays[i].pid = cfg.RelayPIDs[i]
			}
		}
	}

	var sourceIPs []net.IP
	if cfg.SourceIPs > 0 {
		if !isLoopback(host) {
			return rep, errors.New("-source-ips needs a loopback relay URL")
		}
		for i := range cfg.SourceIPs {
			sourceIPs = append(sourceIPs, net.IPv4(127, 0, 0, byte(2+i)))
		}
	}

	rep.relayPID = cfg.RelayPID
	if rep.relayPID < 0 {
		rep.relayPID = 0
		rep.memNote = "not asked for (-relay-pid -1)"
	} else if rep.relayPID == 0 {
		if isLoopback(host) {
			if rep.relayPID, err = findRelayPID("/proc"); err != nil {
				rep.memNote = err.Error()
			}
		} else {
			rep.memNote = "relay is not on this machine"
		}
	}

	plays := int(cfg.Duration/cfg.PlayEvery) + 2
	// Slots for the plays of the reconnect rounds come after these.
	slots := plays + len(cfg.Reconnect)*(1+cfg.AwayPlays)
	r := &run{
		cfg:      cfg,
		wsURL:    wsURL,
		wsURLs:   wsURLs,
		baseURLs: baseURLs,
		djDialer: newDialer(sourceIPs, nil),
		base:     time.Now(),
		sendAt:   make([]atomic.Int64, slots),
		errors:   map[string]int{},
	}
	r.dialer = newDialer(sourceIPs, &r.wireIn)
	defer func() { rep.errors = r.errors }()

	token := cfg.Token
	if token == "" {
		log.Info("registering a throw-away DJ account", "url", baseURL)
		if token, err = registerDJ(ctx, baseURL); err != nil {
			return rep, err
		}
	}
	theDJ, err := r.connectDJ(ctx, token)
	if err != nil {
		return rep, err
	}
	defer theDJ.close()
	log.Info("session registered", "session", theDJ.sessionID)
	if cfg.PriorPlays > 0 {
		log.Info("playing the session's earlier tracks", "plays", cfg.PriorPlays)
		if err := theDJ.playEarlier(ctx, cfg.PriorPlays); err != nil {
			return rep, err
		}
	}

	if rep.relayPID > 0 {
		if rep.rssBefore, err = readRSS("/proc", rep.relayPID); err != nil {
			rep.memNote = err.Error()
			rep.relayPID = 0
		}
	}

	rep.readRelays(false)

	// Connect the dancers at a bounded rate with a pool of dialers.
	dancers, err := r.connectAll(ctx, theDJ.sessionID, slots, rep, log)
	defer func() {
		r.stopping.Store(true)
		closeAll(dancers)
	}()
	if err != nil {
		return rep, err
	}

	if cfg.Settle > 0 {
		select {
		case <-time.After(cfg.Settle):
		case <-ctx.Done():
			return rep, ctx.Err()
		}
	}
	if rep.relayPID > 0 {
		if rep.rssAfter, err = readRSS("/proc", rep.relayPID); err != nil {
			rep.memNote = err.Error()
		}
	}
	rep.readRelays(true)

	// Play tracks while the dancers like them.
	var cpu0 time.Duration
	if rep.relayPID > 0 {
		cpu0, _ = readCPU("/proc", rep.relayPID)
	}
	rep.readRelayCPU(false)
	tool0 := processCPU()
	m0, m0err := scrapeMetrics(ctx, baseURL)
	log.Info("playing", "duration", cfg.Duration, "every", cfg.PlayEvery, "likesPerSec", cfg.LikesPerSec)
	phaseStart := time.Now()
	pctx, pcancel := context.WithTimeout(ctx, cfg.Duration)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.likeLoop(pctx, theDJ, dancers, &rep.likes)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		rep.timerLag = summarise(timerLag(pctx, 10*time.Millisecond))
	}()
	seq := 0
	playErr := r.nowPlaying(theDJ, seq)
	tick := time.NewTicker(cfg.PlayEvery)
playing:
	for playErr == nil {
		select {
		case <-pctx.Done():
			break playing
		case <-tick.C:
			if seq+1 >= plays || time.Since(phaseStart)+cfg.PlayEvery/2 > cfg.Duration {
				continue
			}
			seq++
			playErr = r.nowPlaying(theDJ, seq)
		}
	}
	tick.Stop()
	pcancel()
	wg.Wait()
	rep.likePhase = time.Since(phaseStart)
	rep.plays = seq + 1
	if playErr != nil {
		return rep, playErr
	}
	if ctx.Err() != nil {
		return rep, fmt.Errorf("stopped before the end: %w", ctx.Err())
	}
	// Let the last ACKs (or refusals) arrive, then a moment more for the
	// last broadcasts.
	waitAnswers(ctx, dancers, rep.likes.sent.Load(), 15*time.Second)
	time.Sleep(time.Second)
	if rep.relayPID > 0 {
		if cpu1, err := readCPU("/proc", rep.relayPID); err == nil {
			rep.relayCPU = cpu1 - cpu0
		}
	}
	rep.readRelayCPU(true)
	rep.toolCPU = processCPU() - tool0
	if m0err == nil {
		if m1, err := scrapeMetrics(ctx, baseURL); err == nil {
			rep.dbCommit, rep.dbCommits = meanSince(m0, m1, "pika_db_operation_seconds", `{op="commit"}`)
			rep.relayFanout, rep.relayWrites = meanSince(m0, m1, "pika_fanout_latency_seconds", "")
		}
	}
	rep.loadAvg = loadAverage()

	// Stop the counters before reading them.
	r.stopping.Store(true)
	if len(cfg.Reconnect) > 0 {
		// The first drop ends the playing phase: its figures are read
		// once every read loop has ended, then the rounds begin.
		dropAll(dancers)
		rep.collect(r, dancers, theDJ)
		dancers, err = r.reconnectRounds(ctx, theDJ, dancers, baseURL, sourceIPs, rep, log)
		if err != nil {
			return rep, err
		}
		if cfg.EndSession {
			theDJ.endSession()
		}
		closeAll(dancers)
		dancers = nil
		return rep, nil
	}
	if cfg.EndSession {
		theDJ.endSession()
	}
	closeAll(dancers)
	rep.collect(r, dancers, theDJ)
	dancers = nil
	return rep, nil
}

// timerLag measures how late a ticker fires until ctx ends, in µs: on a
// machine shared with other work, every goroutine here and in the relay
// waits about as long for a CPU, and that wait is part of any latency
// measured.
func timerLag(ctx context.Context, every time.Duration) []int32 {
	t := time.NewTicker(every)
	defer t.Stop()
	var lags []int32
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return lags
		case <-t.C:
			// A ticker drops ticks it cannot deliver: the gap since this
			// goroutine last ran, less the period, is how late it runs.
			now := time.Now()
			lag := now.Sub(last) - every
			if lag < 0 {
				lag = 0
			}
			lags = append(lags, int32(min(lag.Microseconds(), 1<<31-1)))
			last = now
		}
	}
}

// waitAnswers waits until the dancers have had an ACK or an ERROR for
// every like sent, at most limit.
func waitAnswers(ctx context.Context, dancers []*dancer, sent int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var answered uint64
		for _, d := range dancers {
			answered += d.likeAcks.Load() + d.errorFrames.Load()
		}
		if answered >= uint64(sent) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// connectAll connects cfg.Dancers dancers at cfg.ConnectRate per second.
// It returns the dancers that connected; it fails only if none did.
func (r *run) connectAll(ctx context.Context, sessionID string, plays int, rep *report, log *slog.Logger) ([]*dancer, error) {
	cfg := r.cfg
	log.Info("connecting dancers", "dancers", cfg.Dancers, "perSecond", cfg.ConnectRate)
	start := time.Now()
	jobs := make(chan int) // dancer number: dancer n goes to relay n%len(wsURLs)
	var (
		mu      sync.Mutex
		dancers = make([]*dancer, 0, cfg.Dancers)
		wg      sync.WaitGroup
	)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				d, err := r.connectDancer(ctx, sessionID, n%len(r.wsURLs), plays)
				mu.Lock()
				if err != nil {
					rep.connectErrs[errClass(err)]++
				} else {
					dancers = append(dancers, d)
				}
				mu.Unlock()
			}
		}()
	}
	p := newPacer(cfg.ConnectRate, int(cfg.ConnectRate)+1, start)
	t := time.NewTicker(10 * time.Millisecond)
	progress := time.NewTicker(5 * time.Second)
	issued := 0
feed:
	for issued < cfg.Dancers {
		select {
		case <-ctx.Done():
			break feed
		case <-progress.C:
			mu.Lock()
			log.Info("connecting", "connected", len(dancers), "failed", sumCounts(rep.connectErrs), "of", cfg.Dancers)
			mu.Unlock()
		case now := <-t.C:
			send, skipped := p.due(now)
			for range min(send+skipped, cfg.Dancers-issued) {
				select {
				case jobs <- issued:
					issued++
				case <-ctx.Done():
					break feed
				}
			}
		}
	}
	t.Stop()
	progress.Stop()
	close(jobs)
	wg.Wait()
	rep.connected = len(dancers)
	rep.connectTime = time.Since(start)
	log.Info("dancers connected", "connected", len(dancers), "failed", sumCounts(rep.connectErrs), "in", rep.connectTime.Round(time.Millisecond))
	if ctx.Err() != nil {
		return dancers, fmt.Errorf("stopped while connecting: %w", ctx.Err())
	}
	if len(dancers) == 0 {
		return dancers, errors.New("no dancer could connect")
	}
	return dancers, nil
}

// errClass shortens an error to a class worth counting: dial errors carry
// port numbers that would make every one distinct.
func errClass(err error) string {
	s := err.Error()
	for _, cut := range []string{"127.0.0.", "[::1]"} {
		if i := strings.Index(s, cut); i >= 0 {
			if j := strings.Index(s[i:], ": "); j >= 0 {
				s = s[:i] + "…" + s[i+j:]
			}
		}
	}
	return s
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// collect adds up what every dancer counted. It runs after every read loop
// has ended.
func (rep *report) collect(r *run, dancers []*dancer, d *dj) {
	var samples []int32
	acks := d.playAckLatencies()
	bySeq := make([][]int32, rep.plays)
	for _, dn := range dancers {
		for seq := 0; seq < rep.plays && seq < len(dn.latency); seq++ {
			if v := dn.latency[seq]; v >= 0 {
				bySeq[seq] = append(bySeq[seq], v)
			}
		}
	}
	var ackSamples []int32
	for seq := range bySeq {
		pl := playLine{seq: seq, ack: -1, fanout: summarise(bySeq[seq])}
		if len(bySeq[seq]) > 0 {
			pl.first = time.Duration(bySeq[seq][0]) * time.Microsecond // sorted by summarise
		}
		if seq < len(acks) && acks[seq] >= 0 {
			pl.ack = time.Duration(acks[seq]) * time.Microsecond
			ackSamples = append(ackSamples, acks[seq])
		}
		rep.perPlay = append(rep.perPlay, pl)
	}
	rep.playAck = summarise(ackSamples)
	for _, dn := range dancers {
		rep.framesIn += dn.frames
		rep.likeAcks += dn.likeAcks.Load()
		for seq := 0; seq < rep.plays && seq < len(dn.latency); seq++ {
			if v := dn.latency[seq]; v >= 0 {
				samples = append(samples, v)
			} else {
				rep.missed++
			}
		}
		if dn.lost {
			rep.dropped++
		}
	}
	rep.deliveries = len(samples)
	rep.fanout = summarise(samples)
	rep.likesCounted, rep.likeCountMsg = d.countedLikes()
	rep.collectRelays(dancers)

}

func (rep *report) print(w io.Writer) {
	c := rep.cfg
	fmt.Fprintf(w, "pika-load against %s\n", rep.wsURL)
	fmt.Fprintf(w, "  machine: %d CPUs (GOMAXPROCS %d), load average %s, open-file limit %d; the load tool shares the machine with the relay\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), rep.loadAvg, rep.fileLimit)
	fmt.Fprintf(w, "connections: %d of %d dancers connected in %s (+1 DJ)\n", rep.connected, c.Dancers, rep.connectTime.Round(time.Millisecond))
	printCounts(w, "  connect error", rep.connectErrs)
	switch {
	case len(rep.relays) > 0:
		rep.printRelayMemory(w)
	case rep.rssBefore > 0 && rep.rssAfter > 0 && rep.connected > 0:
		perConn := float64(rep.rssAfter-rep.rssBefore) / float64(rep.connected) / 1024
		fmt.Fprintf(w, "relay memory (pid %d, VmRSS): %.1f MB before, %.1f MB with %d connected: %.1f KB per connection\n",
			rep.relayPID, mb(rep.rssBefore), mb(rep.rssAfter), rep.connected, perConn)
	case rep.memNote != "":
		fmt.Fprintf(w, "relay memory: not measured: %s\n", rep.memNote)
	}
	if rep.plays == 0 {
		return
	}
	fmt.Fprintf(w, "NOW_PLAYING fan-out: %d plays, %d deliveries, %d missed: p50 %s  p99 %s  max %s\n",
		rep.plays, rep.deliveries, rep.missed, ms(rep.fanout.P50), ms(rep.fanout.P99), ms(rep.fanout.Max))
	if rep.playAck.N > 0 {
		fmt.Fprintf(w, "  NOW_PLAYING ACK to the DJ (stored and handed to the fan-out): p50 %s  max %s over %d plays\n",
			ms(rep.playAck.P50), ms(rep.playAck.Max), rep.playAck.N)
	}
	if c.PerPlay {
		for _, pl := range rep.perPlay {
			ack := "none"
			if pl.ack >= 0 {
				ack = ms(pl.ack)
			}
			fmt.Fprintf(w, "  play %d: ACK %s; dancers first %s, p50 %s, last %s (%d)\n",
				pl.seq, ack, ms(pl.first), ms(pl.fanout.P50), ms(pl.fanout.Max), pl.fanout.N)
		}
	}
	secs := rep.likePhase.Seconds()
	sent := rep.likes.sent.Load()
	fmt.Fprintf(w, "likes: %d sent in %.1fs (%.0f/s asked), %d acknowledged: %.1f accepted/s; relay's like counts add up to %d (%d LIKE_COUNT frames to the DJ)\n",
		sent, secs, c.LikesPerSec, rep.likeAcks, float64(rep.likeAcks)/secs, rep.likesCounted, rep.likeCountMsg)
	if n := rep.likes.writeErrors.Load() + rep.likes.queueFull.Load() + rep.likes.behind.Load() + rep.likes.allLiked.Load() + rep.likes.noPlay.Load(); n > 0 {
		fmt.Fprintf(w, "  likes not sent: %d write errors, %d writers busy, %d tool behind, %d everyone had liked, %d before the first play\n",
			rep.likes.writeErrors.Load(), rep.likes.queueFull.Load(), rep.likes.behind.Load(), rep.likes.allLiked.Load(), rep.likes.noPlay.Load())
	}
	fmt.Fprintf(w, "frames received by dancers: %d (%.0f/s)\n", rep.framesIn, float64(rep.framesIn)/secs)
	if cpu := rep.relaysCPU(); cpu > 0 {
		fmt.Fprintf(w, "CPU while playing: relay %.0f%%, load tool %.0f%% (100%% = one core)\n",
			100*cpu.Seconds()/secs, 100*rep.toolCPU.Seconds()/secs)
	}
	if rep.dbCommits > 0 || rep.relayWrites > 0 {
		fmt.Fprintf(w, "relay's own view (/metrics, while playing): %d database commits, mean %s; %d broadcast writes, mean %s from broadcast to socket\n",
			rep.dbCommits, ms(rep.dbCommit), rep.relayWrites, ms(rep.relayFanout))
	}
	if rep.timerLag.N > 0 {
		fmt.Fprintf(w, "machine contention: a 10 ms timer in the load tool ran late by p50 %s, p99 %s, max %s\n",
			ms(rep.timerLag.P50), ms(rep.timerLag.P99), ms(rep.timerLag.Max))
		if rep.timerLag.P99 > 20*time.Millisecond {
			fmt.Fprintln(w, "  warning: this machine was busy with other work; the latencies above include that wait")
		}
	}
	rep.printRelays(w)
	fmt.Fprintf(w, "dancers dropped by the relay: %d\n", rep.dropped)
	rep.printRounds(w)
	printCounts(w, "error", rep.errors)
}

func printCounts(w io.Writer, label string, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s: %s ×%d\n", label, k, m[k])
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
