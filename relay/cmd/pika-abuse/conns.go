package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// flood opens n sockets from the addresses ips (round robin) and sorts the
// outcomes: upgraded, refused with a JSON error (by status), or failed
// otherwise (a hang or a reset: not a clear refusal).
type floodResult struct {
	open     []*ws
	refused  map[int]int
	jsonErrs int // refusals that carried {"error": …} and Retry-After
	failed   int
	slowest  time.Duration
	mu       sync.Mutex
	firstMsg string
}

func (e *env) flood(ctx context.Context, ips []string, n int) *floodResult {
	r := &floodResult{refused: map[int]int{}}
	parallel(n, 32, func(i int) {
		start := time.Now()
		c, a, err := e.dialWS(ctx, ips[i%len(ips)])
		took := time.Since(start)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.slowest = max(r.slowest, took)
		switch {
		case err == nil:
			r.open = append(r.open, c)
		case a != nil:
			r.refused[a.status]++
			if a.apiError() != "" && a.retryAfter != "" {
				r.jsonErrs++
			}
			if r.firstMsg == "" {
				r.firstMsg = a.apiError()
			}
		default:
			r.failed++
		}
	})
	return r
}

func (r *floodResult) closeAll() {
	for _, c := range r.open {
		c.close()
	}
	// The relay frees the slots as it reads the closes.
	time.Sleep(500 * time.Millisecond)
}

func (r *floodResult) refusedTotal() int {
	n := 0
	for _, v := range r.refused {
		n += v
	}
	return n
}

// connFloodAddr: 600 sockets from one address. Defended: at most the
// per-address cap (500) open, the rest refused at once with 429 and a JSON
// error, and another address still gets in.
func connFloodAddr(ctx context.Context, e *env) (bool, string, error) {
	const n, perAddr = 600, 500
	r := e.flood(ctx, []string{e.freshIP()}, n)
	defer r.closeAll()
	other, _, err := e.dialWS(ctx, e.freshIP())
	if err == nil {
		other.close()
	}
	ok := len(r.open) <= perAddr && r.refused[http.StatusTooManyRequests] > 0 && r.jsonErrs == r.refusedTotal() && r.failed == 0 && err == nil
	return ok, fmt.Sprintf("%d sockets from one address: %d open, refused %s (%d with JSON error and Retry-After, e.g. %q), %d failed otherwise, slowest answer %s; another address connects: %v",
		n, len(r.open), statusCounts(r.refused), r.jsonErrs, r.firstMsg, r.failed, r.slowest.Round(time.Millisecond), err == nil), nil
}

// connFloodTotal: sockets from many addresses, each under its own cap,
// beyond the relay's total. Defended: at most the total open, the rest
// refused with 503 and a JSON error.
func connFloodTotal(ctx context.Context, e *env) (bool, string, error) {
	const addrs, each = 11, 100
	ips := make([]string, addrs)
	for i := range ips {
		ips[i] = e.freshIP()
	}
	r := e.flood(ctx, ips, addrs*each)
	defer r.closeAll()
	ok := len(r.open) <= totalConns && r.refused[http.StatusServiceUnavailable] > 0 && r.jsonErrs == r.refusedTotal() && r.failed == 0
	return ok, fmt.Sprintf("%d sockets from %d addresses against a total of %d: %d open, refused %s (%d with JSON error, e.g. %q), %d failed otherwise, slowest answer %s",
		addrs*each, addrs, totalConns, len(r.open), statusCounts(r.refused), r.jsonErrs, r.firstMsg, r.failed, r.slowest.Round(time.Millisecond)), nil
}

// idleSockets: 50 sockets that never subscribe nor register. Defended:
// the relay closes every one within about 10 s, with a close reason.
func idleSockets(ctx context.Context, e *env) (bool, string, error) {
	const n, wait = 50, 15 * time.Second
	ip := e.freshIP()
	var (
		closedWithReason atomic.Int64
		stillOpen        atomic.Int64
		slowest          atomic.Int64
		reason           atomic.Value
	)
	start := time.Now()
	var firstErr atomic.Value
	parallel(n, n, func(int) {
		c, _, err := e.dialWS(ctx, ip)
		if err != nil {
			firstErr.CompareAndSwap(nil, err)
			return
		}
		defer c.close()
		_ = c.c.SetReadDeadline(start.Add(wait))
		for {
			_, _, err := c.c.ReadMessage()
			if err == nil {
				continue
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				closedWithReason.Add(1)
				reason.CompareAndSwap(nil, fmt.Sprintf("%d %s", ce.Code, ce.Text))
				took := int64(time.Since(start))
				for {
					old := slowest.Load()
					if took <= old || slowest.CompareAndSwap(old, took) {
						break
					}
				}
			} else {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					stillOpen.Add(1)
				}
			}
			return
		}
	})
	if err, _ := firstErr.Load().(error); err != nil {
		return false, "", err
	}
	why, _ := reason.Load().(string)
	ok := closedWithReason.Load() == n
	return ok, fmt.Sprintf("%d silent sockets: %d closed by the relay (close %q), the last after %s; %d still open after %s",
		n, closedWithReason.Load(), why, time.Duration(slowest.Load()).Round(100*time.Millisecond), stillOpen.Load(), wait), nil
}

// trickle sends head at once, then slow one byte every 500 ms, on n
// connections, and reports how long the relay let each one hang on (up to
// limit).
func (e *env) trickle(ctx context.Context, n int, head, slow string, limit time.Duration) (cut int, longest time.Duration, err error) {
	addr := strings.TrimPrefix(e.relay.url, "http://")
	ip := e.freshIP()
	var (
		mu    sync.Mutex
		first error
	)
	parallel(n, n, func(int) {
		nc, derr := dialerFrom(ip).DialContext(ctx, "tcp", addr)
		if derr != nil {
			mu.Lock()
			first = derr
			mu.Unlock()
			return
		}
		defer nc.Close()
		start := time.Now()
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			_, _ = io.Copy(io.Discard, bufio.NewReader(nc))
		}()
		_, _ = io.WriteString(nc, head)
		gone := false
		for i := 0; !gone && time.Since(start) < limit; i++ {
			select {
			case <-closed:
				gone = true
			case <-time.After(500 * time.Millisecond):
				if _, werr := nc.Write([]byte{slow[i%len(slow)]}); werr != nil {
					gone = true
				}
			}
		}
		held := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		if gone {
			cut++
		}
		longest = max(longest, held)
	})
	return cut, longest, first
}

// slowHeader: 20 clients trickle a request header a byte at a time.
// Defended: the relay hangs up on each within its header timeout.
func slowHeader(ctx context.Context, e *env) (bool, string, error) {
	const n, limit = 20, 25 * time.Second
	cut, longest, err := e.trickle(ctx, n, "GET /api/sessions HTTP/1.1\r\nHost: relay\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", limit)
	if err != nil {
		return false, "", err
	}
	return cut == n, fmt.Sprintf("%d connections trickling a header at 2 bytes/s: %d cut by the relay, held at most %s (gave up at %s)", n, cut, longest.Round(100*time.Millisecond), limit), nil
}

// slowBody: 20 clients send a header, then trickle the body.
func slowBody(ctx context.Context, e *env) (bool, string, error) {
	const n, limit = 20, 25 * time.Second
	head := "POST /api/auth/login HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
	cut, longest, err := e.trickle(ctx, n, head, `{"email":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, limit)
	if err != nil {
		return false, "", err
	}
	return cut == n, fmt.Sprintf("%d connections trickling a 4 KB body at 2 bytes/s: %d cut by the relay, held at most %s (gave up at %s)", n, cut, longest.Round(100*time.Millisecond), limit), nil
}

// statusCounts prints {429: 100, 200: 3} as "100×429, 3×200".
func statusCounts(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", m[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func codeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%s", m[k], k))
	}
	return strings.Join(parts, ", ")
}
