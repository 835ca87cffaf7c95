package main

// A venue's Wi-Fi drops: every phone loses its socket at the same moment
// and every page reconnects within the same few seconds. -reconnect
// measures that stampede, each way a page can come back, in one run.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// way is how dancers come back after a drop.
type way string

const (
	// wayCatchUp: SUBSCRIBE naming the last broadcast seen (epoch and
	// seq); the relay answers CAUGHT_UP and replays what was missed.
	wayCatchUp way = "catchup"
	// wayFull: what pages did before catch-up (session.js before
	// b6a6698): SUBSCRIBE without a place, answered by a whole
	// SESSION_STATE, and at the same time GET /api/sessions/:id/state.
	wayFull way = "full"
)

func (w way) label() string {
	if w == wayCatchUp {
		return "catch-up"
	}
	return "full refetch"
}

// reconnectRep is what one round measured.
type reconnectRep struct {
	way         way
	dancers     int // dropped
	back        int // had the session again
	viaCaughtUp int
	viaState    int
	replayed    int // broadcasts replayed after CAUGHT_UP, over all dancers
	awayPlays   int
	gotAway     int // dancers that received every play made while they were away
	caughtShort int // answered CAUGHT_UP yet missing one of those plays: a catch-up that lost a broadcast
	byRelay     []relayAnswers
	retries     int
	failed      map[string]int
	done        latencies // each dancer: its first dial → the session again
	rest        latencies // full: its first dial → GET /state answered
	restErrs    map[string]int
	stateBytes  int64         // SESSION_STATE frames, over all dancers
	total       time.Duration // the window opening → the last dancer done
	relayCPU    time.Duration
	relayWrote  int64 // wchar of the relays' /proc/PID/io
	relayNote   string
	wireIn      int64 // bytes the dancers' new connections read
	toolCPU     time.Duration
	timerLag    latencies // the machine's contention meanwhile (see timerLag)
}

// relayAnswers counts one relay's answers in a round (-dancer-urls).
type relayAnswers struct{ caughtUp, state, short int }

// comeBack is one dancer's reconnect.
type comeBack struct {
	d        *dancer
	ans      answer
	done     time.Duration
	rest     time.Duration // the first GET /state answered; -1: none
	restErrs []error       // GET /state that failed
	retries  int
	err      error
	finished time.Time
	gotAway  bool // every play made while away came as a NOW_PLAYING
}

// backoffDelay is the pages' reconnect delay (ws.js backoffDelay):
// 0.5 s doubling per attempt up to 30 s, ±25 % jitter.
func backoffDelay(attempt int) time.Duration {
	base := min(30*time.Second, 500*time.Millisecond<<min(attempt, 16))
	d := time.Duration(float64(base) * (0.75 + rand.Float64()*0.5))
	return min(max(d, 500*time.Millisecond), 30*time.Second)
}

// dropAll resets every dancer's socket at once, as the Wi-Fi going down
// does from the phones' side, and waits for their read loops to end.
func dropAll(dancers []*dancer) {
	for _, d := range dancers {
		abortConn(d.conn.NetConn())
	}
	for _, d := range dancers {
		<-d.done
	}
}

// reconnectRounds runs the -reconnect rounds on dancers that were just
// dropped, and returns the dancers connected at the end.
func (r *run) reconnectRounds(ctx context.Context, theDJ *dj, dancers []*dancer, baseURL string, sourceIPs []net.IP, rep *report, log *slog.Logger) ([]*dancer, error) {
	cfg := r.cfg
	// A phone's earlier HTTP connection died with the Wi-Fi: each GET
	// /state opens a new one.
	rest := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		DialContext:       countingDial(sourceDial(sourceIPs), &r.wireIn),
		DisableKeepAlives: true,
	}}
	defer rest.CloseIdleConnections()
	next := rep.plays // the first free play slot
	for i, w := range cfg.Reconnect {
		if i > 0 {
			// The session goes on between two drops: a play, likes.
			if err := r.nowPlaying(theDJ, next); err != nil {
				return dancers, err
			}
			next++
			var st likeStats
			wctx, cancel := context.WithTimeout(ctx, cfg.Warm)
			r.likeLoop(wctx, theDJ, dancers, &st)
			cancel()
			waitAnswers(ctx, dancers, st.sent.Load(), 15*time.Second)
			dropAll(dancers)
		}
		rr := &reconnectRep{way: w, dancers: len(dancers), awayPlays: cfg.AwayPlays, failed: map[string]int{}, restErrs: map[string]int{}}
		rep.rounds = append(rep.rounds, rr)
		log.Info("dancers dropped", "round", i+1, "way", w, "dancers", len(dancers))

		// While they are away the DJ plays on.
		awayFrom := next
		gap := cfg.Away / time.Duration(cfg.AwayPlays+1)
		for range cfg.AwayPlays {
			if err := sleepCtx(ctx, gap); err != nil {
				return nil, err
			}
			if err := r.nowPlaying(theDJ, next); err != nil {
				return nil, err
			}
			next++
		}
		if err := sleepCtx(ctx, gap); err != nil {
			return nil, err
		}
		theDJ.waitPlayAcks(ctx, awayFrom, next, 15*time.Second)

		dancers = r.reconnectAll(ctx, theDJ.sessionID, dancers, w, rest, awayFrom, next, rr, rep)
		log.Info("dancers back", "round", i+1, "way", w, "back", rr.back, "of", rr.dancers, "in", rr.total.Round(time.Millisecond))
		if ctx.Err() != nil {
			return dancers, fmt.Errorf("stopped while reconnecting: %w", ctx.Err())
		}
		if len(dancers) == 0 {
			return nil, errors.New("no dancer could reconnect")
		}
	}
	return dancers, nil
}

// reconnectAll brings every dropped dancer back, each at a random moment
// of the window, and measures the relays meanwhile.
func (r *run) reconnectAll(ctx context.Context, sessionID string, dropped []*dancer, w way, rest *http.Client, awayFrom, awayTo int, rr *reconnectRep, rep *report) []*dancer {
	pids := rep.measuredPIDs()
	cpu0, wrote0, note := readRelaysUsage(pids)
	wire0 := r.wireIn.Load()
	tool0 := processCPU()
	lagCtx, stopLag := context.WithCancel(ctx)
	lags := make(chan []int32, 1)
	go func() { lags <- timerLag(lagCtx, 10*time.Millisecond) }()
	start := time.Now()
	results := make([]comeBack, len(dropped))
	var wg sync.WaitGroup
	for k, old := range dropped {
		at := time.Duration(rand.Int64N(int64(r.cfg.ReconnectWindow) + 1))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sleepCtx(ctx, time.Until(start.Add(at))); err != nil {
				results[k].err = err
				return
			}
			results[k] = r.comeBack(ctx, sessionID, old, w, rest, awayFrom, awayTo)
		}()
	}
	wg.Wait()
	cpu1, wrote1, note1 := readRelaysUsage(pids)
	rr.wireIn = r.wireIn.Load() - wire0
	rr.toolCPU = processCPU() - tool0
	stopLag()
	rr.timerLag = summarise(<-lags)
	switch {
	case note != "" || note1 != "":
		rr.relayNote = note + note1
	case len(pids) == 0:
		rr.relayNote = "no relay process to read (-relay-pid or -relay-pids)"
	default:
		rr.relayCPU, rr.relayWrote = cpu1-cpu0, wrote1-wrote0
	}

	if len(r.wsURLs) > 1 {
		rr.byRelay = make([]relayAnswers, len(r.wsURLs))
	}
	var back []*dancer
	var done, restDone []int32
	var last time.Time
	for _, cb := range results {
		rr.retries += cb.retries
		if cb.err != nil {
			for _, err := range cb.restErrs {
				rr.restErrs[errClass(err)]++
			}
			rr.failed[errClass(cb.err)]++
			continue
		}
		back = append(back, cb.d)
		rr.back++
		done = append(done, int32(min(cb.done.Microseconds(), 1<<31-1)))
		if cb.finished.After(last) {
			last = cb.finished
		}
		if cb.ans.caughtUp {
			rr.viaCaughtUp++
			rr.replayed += cb.ans.missed
		} else {
			rr.viaState++
			rr.stateBytes += int64(cb.ans.stateSize)
		}
		short := !cb.gotAway && cb.ans.caughtUp && awayTo > awayFrom
		if cb.gotAway {
			rr.gotAway++
		} else if short {
			rr.caughtShort++
		}
		if rr.byRelay != nil {
			ra := &rr.byRelay[cb.d.relay%len(rr.byRelay)]
			switch {
			case short:
				ra.short++
				ra.caughtUp++
			case cb.ans.caughtUp:
				ra.caughtUp++
			default:
				ra.state++
			}
		}
		for _, err := range cb.restErrs {
			rr.restErrs[errClass(err)]++
		}
		if cb.rest >= 0 {
			restDone = append(restDone, int32(min(cb.rest.Microseconds(), 1<<31-1)))
		}
	}
	if !last.IsZero() {
		rr.total = last.Sub(start)
	}
	rr.done, rr.rest = summarise(done), summarise(restDone)
	return back
}

// comeBack reconnects one dancer to its relay, as its page would: again
// after every failure with the pages' backoff, until -give-up has passed
// since its first dial. With the full refetch, every socket that sends its
// SUBSCRIBE also fetches the state over HTTP, as the page did on each
// reconnect.
func (r *run) comeBack(ctx context.Context, sessionID string, old *dancer, w way, rest *http.Client, awayFrom, awayTo int) comeBack {
	d := &dancer{relay: old.relay, clientID: old.clientID, epoch: old.epoch, seq: old.seq, latency: make([]int32, len(old.latency)), fr: old.fr}
	for i := range d.latency {
		d.latency[i] = -1
	}
	d.liked.Store(-1)
	cb := comeBack{d: d, rest: -1}
	begin := time.Now()
	giveUp := begin.Add(r.cfg.GiveUp)
	var (
		restWG sync.WaitGroup
		restMu sync.Mutex
	)
	afterSend := func() {
		if w != wayFull {
			return
		}
		restWG.Add(1)
		go func() {
			defer restWG.Done()
			err := r.fetchState(ctx, rest, r.baseURLs[d.relay%len(r.baseURLs)], sessionID, d.clientID)
			restMu.Lock()
			defer restMu.Unlock()
			if err != nil {
				cb.restErrs = append(cb.restErrs, err)
			} else if cb.rest < 0 {
				cb.rest = time.Since(begin)
			}
		}()
	}
	for attempt := 0; ; attempt++ {
		// As the page: a handshake that hangs is given up after 10 s
		// (ws.js CONNECT_TIMEOUT_MS); an open socket waits for its
		// answer as long as it stays open.
		cb.ans, cb.err = r.subscribe(ctx, d, sessionID, w == wayCatchUp, afterSend, 10*time.Second, giveUp)
		if cb.err == nil || ctx.Err() != nil {
			break
		}
		wait := backoffDelay(attempt)
		if time.Now().Add(wait).After(giveUp) {
			break
		}
		cb.retries++
		if sleepCtx(ctx, wait) != nil {
			break
		}
	}
	cb.done = time.Since(begin)
	if cb.err == nil {
		// Read before any later NOW_PLAYING could touch these slots: the
		// read loop only writes the slot of a play it receives.
		cb.gotAway = true
		for seq := awayFrom; seq < awayTo; seq++ {
			cb.gotAway = cb.gotAway && d.latency[seq] >= 0
		}
	}
	restWG.Wait()
	cb.finished = time.Now()
	return cb
}

// fetchState is the page's GET /api/sessions/:id/state?clientId=… of a
// reconnect (with its PIN header), read to the end.
func (r *run) fetchState(ctx context.Context, c *http.Client, baseURL, sessionID, clientID string) error {
	u := baseURL + "/api/sessions/" + url.PathEscape(sessionID) + "/state?clientId=" + url.QueryEscape(clientID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("GET /state: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if r.cfg.PIN != "" {
		req.Header.Set("X-Session-Pin", r.cfg.PIN)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET /state: %w", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<20)); err != nil {
		return fmt.Errorf("GET /state: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /state: HTTP %d", resp.StatusCode)
	}
	return nil
}

// readRelaysUsage adds up the processes' CPU time and bytes written.
func readRelaysUsage(pids []int) (cpu time.Duration, wrote int64, note string) {
	for _, pid := range pids {
		c, err := readCPU("/proc", pid)
		if err != nil {
			return 0, 0, err.Error()
		}
		w, err := readWritten("/proc", pid)
		if err != nil {
			return 0, 0, err.Error()
		}
		cpu += c
		wrote += w
	}
	return cpu, wrote, ""
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// printRounds prints the reconnect rounds, and the full refetch against
// catch-up when both were measured.
func (rep *report) printRounds(w io.Writer) {
	if len(rep.rounds) == 0 {
		return
	}
	c := rep.cfg
	plays := "plays"
	if c.AwayPlays == 1 {
		plays = "play"
	}
	fmt.Fprintf(w, "mass reconnect: every dancer's socket reset at once (no close frame), %d %s while they were away (%s), all back at random moments within %s, failures retried with the pages' backoff for up to %s:\n",
		c.AwayPlays, plays, c.Away, c.ReconnectWindow, c.GiveUp)
	sums := map[way]*reconnectRep{}
	for _, rr := range rep.rounds {
		fmt.Fprintf(w, "reconnect %s: %d of %d back, the last %.2f s after the window opened; each from its dial: p50 %s  p99 %s  max %s; ",
			rr.way.label(), rr.back, rr.dancers, rr.total.Seconds(), ms(rr.done.P50), ms(rr.done.P99), ms(rr.done.Max))
		if rr.relayNote != "" {
			fmt.Fprintf(w, "relay not measured (%s); ", rr.relayNote)
		} else {
			fmt.Fprintf(w, "relay CPU %.2f s, relay wrote %.2f MB; ", rr.relayCPU.Seconds(), mb(rr.relayWrote))
		}
		fmt.Fprintf(w, "dancers received %.2f MB\n", mb(rr.wireIn))
		fmt.Fprintf(w, "  answers: %d CAUGHT_UP", rr.viaCaughtUp)
		if rr.viaCaughtUp > 0 {
			fmt.Fprintf(w, " (%.1f broadcasts replayed each)", float64(rr.replayed)/float64(rr.viaCaughtUp))
		}
		fmt.Fprintf(w, ", %d SESSION_STATE", rr.viaState)
		if rr.viaState > 0 {
			fmt.Fprintf(w, " (%.1f KB each)", float64(rr.stateBytes)/float64(rr.viaState)/1024)
		}
		fmt.Fprintf(w, "; %d of %d had every play made while away as a NOW_PLAYING", rr.gotAway, rr.back)
		if rr.caughtShort > 0 {
			fmt.Fprintf(w, " (warning: %d were CAUGHT_UP without them: broadcasts lost)", rr.caughtShort)
		}
		if rr.way == wayFull {
			fmt.Fprintf(w, " (a SESSION_STATE holds the last one only)")
			fmt.Fprintf(w, "; GET /state answered for %d (the first answer from its dial): p50 %s  p99 %s  max %s", rr.rest.N, ms(rr.rest.P50), ms(rr.rest.P99), ms(rr.rest.Max))
		}
		fmt.Fprintf(w, "; %d retries\n", rr.retries)
		fmt.Fprintf(w, "  meanwhile: load tool CPU %.2f s; a 10 ms timer in the load tool ran late by p50 %s, p99 %s, max %s\n",
			rr.toolCPU.Seconds(), ms(rr.timerLag.P50), ms(rr.timerLag.P99), ms(rr.timerLag.Max))
		if rr.byRelay != nil {
			fmt.Fprint(w, "  by relay:")
			for i, ra := range rr.byRelay {
				fmt.Fprintf(w, " %d: %d CAUGHT_UP (%d without the plays made while away), %d SESSION_STATE;", i+1, ra.caughtUp, ra.short, ra.state)
			}
			fmt.Fprintln(w)
		}
		printCounts(w, "  reconnect failed", rr.failed)
		printCounts(w, "  GET /state failed", rr.restErrs)
		if s := sums[rr.way]; s == nil || rr.back > s.back {
			sums[rr.way] = rr
		}
	}
	cu, full := sums[wayCatchUp], sums[wayFull]
	if cu != nil && full != nil && cu.relayCPU > 0 && cu.relayWrote > 0 && cu.wireIn > 0 {
		fmt.Fprintf(w, "reconnect full refetch against catch-up: relay CPU ×%.1f, relay wrote ×%.1f, dancers received ×%.1f, last back ×%.1f\n",
			full.relayCPU.Seconds()/cu.relayCPU.Seconds(), float64(full.relayWrote)/float64(cu.relayWrote),
			float64(full.wireIn)/float64(cu.wireIn), full.total.Seconds()/max(cu.total.Seconds(), 1e-9))
	}
}
