package server_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// refusal checks that a refused upgrade or request answered status with
// the JSON error want and a Retry-After.
func refusal(t *testing.T, resp *http.Response, status int, want string) {
	t.Helper()
	if resp == nil {
		t.Fatalf("no HTTP answer, want %d", status)
	}
	defer resp.Body.Close()
	var body protocol.APIError
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("refusal body is not JSON: %v", err)
	}
	if resp.StatusCode != status || !strings.Contains(body.Error, want) {
		t.Fatalf("got %d %q, want %d with %q", resp.StatusCode, body.Error, status, want)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q, want whole seconds", resp.Header.Get("Retry-After"))
	}
}

// dialOK opens a socket from ip that must be admitted.
func dialOK(t *testing.T, r *relaytest.Relay, ip string, header http.Header) *relaytest.Client {
	t.Helper()
	c, resp, err := r.DialFrom(ip, header)
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		t.Fatalf("dial from %s: %v (status %d)", ip, err, code)
	}
	t.Cleanup(c.Close)
	return c
}

// eventually retries f until it is true or 10 s pass.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWebSocketCapPerAddress(t *testing.T) {
	const perAddr = 5
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Limits.ConnsPerAddr, c.Limits.Conns = perAddr, 100 }))
	var first []*relaytest.Client
	for range perAddr {
		first = append(first, dialOK(t, r, "127.0.0.2", nil))
	}
	_, resp, err := r.DialFrom("127.0.0.2", nil)
	if err == nil {
		t.Fatal("a socket over the per-address cap was upgraded")
	}
	refusal(t, resp, http.StatusTooManyRequests, "too many connections from your address")
	// Another address is not affected.
	dialOK(t, r, "127.0.0.3", nil)
	// A socket that closes gives its slot back.
	first[0].Close()
	eventually(t, "slot freed after close", func() bool {
		c, resp, err := r.DialFrom("127.0.0.2", nil)
		if err != nil {
			resp.Body.Close()
			return false
		}
		c.Close()
		return true
	})
}

func TestWebSocketCapTotal(t *testing.T) {
	const total = 4
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Limits.ConnsPerAddr, c.Limits.Conns = 100, total }))
	for i := range total {
		dialOK(t, r, fmt.Sprintf("127.0.0.%d", 10+i), nil)
	}
	_, resp, err := r.DialFrom("127.0.0.20", nil)
	if err == nil {
		t.Fatal("a socket over the total cap was upgraded")
	}
	refusal(t, resp, http.StatusServiceUnavailable, "connection limit")
	// REST keeps answering at the cap.
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions", "", nil, nil); code != http.StatusOK {
		t.Fatalf("/api/sessions at the cap: %d", code)
	}
}

// IPv6 clients (here through a trusted proxy's X-Forwarded-For) count per
// /64: one host cannot multiply its budget by changing its low bits.
func TestWebSocketCapIPv6Per64(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithTrustProxy(), relaytest.WithConfig(func(c *app.Config) { c.Limits.ConnsPerAddr = 2 }))
	from := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }
	dialOK(t, r, "127.0.0.1", from("2001:db8:1:2::1"))
	dialOK(t, r, "127.0.0.1", from("2001:db8:1:2:ffff::9"))
	_, resp, err := r.DialFrom("127.0.0.1", from("2001:db8:1:2::3"))
	if err == nil {
		t.Fatal("a third socket from the same /64 was upgraded")
	}
	refusal(t, resp, http.StatusTooManyRequests, "too many connections")
	dialOK(t, r, "127.0.0.1", from("2001:db8:1:3::1"))
}

func TestHelloTimeout(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Limits.HelloTimeout = 400 * time.Millisecond }))
	l := startLive(t, r, "")
	tests := []struct {
		name   string
		send   func(t *testing.T, c *relaytest.Client)
		closed bool
	}{
		{"silent socket", func(*testing.T, *relaytest.Client) {}, true},
		{"only frames that are not a hello", func(t *testing.T, c *relaytest.Client) {
			c.Request(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
		}, true},
		{"failed subscribe", func(t *testing.T, c *relaytest.Client) {
			c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: "0000000000000000", ClientID: "client-hello-1"})
		}, true},
		{"subscribed dancer", func(t *testing.T, c *relaytest.Client) {
			c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, ClientID: "client-hello-2"})
		}, false},
		{"registered DJ", func(t *testing.T, c *relaytest.Client) {
			c.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: l.token, Name: "Test night", ResumeSessionID: l.reg.SessionID})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := r.Dial(t, nil)
			tt.send(t, c)
			if tt.closed {
				var ce *websocket.CloseError
				if err := c.WaitClosed(t); !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "SUBSCRIBE or REGISTER_SESSION") {
					t.Fatalf("closed with %v, want 1008 naming SUBSCRIBE or REGISTER_SESSION", err)
				}
				return
			}
			time.Sleep(1200 * time.Millisecond) // three hello timeouts
			// Still open: an unknown frame is still answered.
			if f := c.Request(t, "NOPE", protocol.Empty{}); f.Err() == nil {
				t.Fatalf("unknown frame answered with %s", f.Type)
			}
		})
	}
}

func TestAnonymousReadsLimitedPerAddress(t *testing.T) {
	const burst = 6
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.Limits.ReadBurst, c.Limits.ReadRate = burst, 0.5 }))
	l := startLive(t, r, "")
	id := l.reg.SessionID
	paths := []string{"/api/sessions", "/api/sessions/" + id + "/state", "/api/sessions/" + id + "/recap", "/api/sessions/" + id + "/plays"}
	get := func(ip, path string) *http.Response {
		t.Helper()
		resp, err := relaytest.HTTPClientFrom(ip).Get(r.URL + path)
		if err != nil {
			t.Fatalf("GET %s from %s: %v", path, ip, err)
		}
		return resp
	}
	// The routes share one budget per address.
	for i := range burst {
		resp := get("127.0.0.2", paths[i%len(paths)])
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("read %d (%s): %d", i, paths[i%len(paths)], resp.StatusCode)
		}
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			refusal(t, get("127.0.0.2", p), http.StatusTooManyRequests, "too many requests from your address")
		})
	}
	resp := get("127.0.0.3", paths[1])
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	// Pages and health are not limited.
	for _, p := range []string{"/healthz", "/live/" + id} {
		resp := get("127.0.0.2", p)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s over the read limit: %d", p, resp.StatusCode)
		}
	}
}

// Slowloris: a client that trickles its header or body cannot hold a
// connection open; the relay closes it once its timeout passes. A
// WebSocket, upgraded from the same server, is not cut by those timeouts.
func TestHTTPTimeoutsCutTricklers(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) {
		c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout = 500*time.Millisecond, time.Second, time.Second, time.Second
	}))
	addr := strings.TrimPrefix(r.URL, "http://")
	tests := []struct {
		name    string
		head    string // sent at once
		trickle string // then one byte every 50 ms
	}{
		{"header", "", "GET /api/sessions HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 400) + "\r\n\r\n"},
		{"body", "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n", `{"email":"` + strings.Repeat("a", 390)},
		{"idle keep-alive", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			closed := make(chan struct{})
			go func() {
				defer close(closed)
				rd := bufio.NewReader(nc)
				for {
					if _, err := rd.ReadByte(); err != nil {
						return
					}
				}
			}()
			if _, err := io.WriteString(nc, tt.head); err != nil {
				t.Fatal(err)
			}
			// Trickling all of it would take 20 s; the relay must hang up
			// long before.
			for i := 0; i < len(tt.trickle); i++ {
				select {
				case <-closed:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if _, err := nc.Write([]byte{tt.trickle[i]}); err != nil {
					return
				}
			}
			select {
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Fatal("the relay kept the connection open")
			}
		})
	}

	t.Run("websocket outlives them", func(t *testing.T) {
		l := startLive(t, r, "")
		dancer, _ := r.Join(t, l.reg.SessionID, "client-timeouts-1", "")
		time.Sleep(2500 * time.Millisecond) // past every timeout above
		dancer.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
		l.dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Etta James", Title: "At Last"}})
		dancer.Expect(t, protocol.TypeNowPlaying)
	})
}

func TestLiveSessionsPerDJBounded(t *testing.T) {
	const max = 2
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.MaxLiveSessions = max }))
	token := r.RegisterDJ(t, "dj-cap@example.com", "DJ Cap")
	other := r.RegisterDJ(t, "dj-other@example.com", "DJ Other")
	var djs []*relaytest.Client
	var regs []protocol.SessionRegistered
	for i := range max {
		c, reg := r.StartSession(t, token, fmt.Sprintf("Night %d", i), "")
		djs, regs = append(djs, c), append(regs, reg)
	}
	extra := r.Dial(t, nil)
	f := extra.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "One too many"})
	expectError(t, f, protocol.CodeLimitReached)
	if !strings.Contains(f.Err().Message, "2 live sessions") {
		t.Fatalf("message %q does not say the limit", f.Err().Message)
	}
	// At the cap, resuming one's own session still works, and other DJs
	// are not affected.
	djs[0].Close()
	extra.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "Night 0", ResumeSessionID: regs[0].SessionID})
	r.StartSession(t, other, "Elsewhere", "")
	// Ending one frees a place.
	djs[1].MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	r.StartSession(t, token, "Later", "")
}

func TestRegisterSessionRateBounded(t *testing.T) {
	const burst = 3
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) {
		c.Limits.RegisterBurst, c.Limits.RegisterRate, c.MaxLiveSessions = burst, 0.01, 100
	}))
	token := r.RegisterDJ(t, "dj-flood@example.com", "DJ Flood")
	c := r.Dial(t, nil)
	for i := range burst {
		c.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: fmt.Sprintf("Night %d", i)})
		c.Expect(t, protocol.TypeListenerCount)
	}
	f := c.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: "Flood"})
	expectError(t, f, protocol.CodeRateLimited)
	// Per account: another DJ registers at once.
	r.StartSession(t, r.RegisterDJ(t, "dj-calm@example.com", "DJ Calm"), "Calm night", "")
}
