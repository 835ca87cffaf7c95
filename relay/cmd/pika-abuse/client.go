package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/shared/protocol"
)

// env is what the attacks share: the relay and a supply of fresh client
// addresses, so one attack's limits never spill into the next.
type env struct {
	relay   *relay
	bin     string
	verbose bool
	next    atomic.Int64
	djs     atomic.Int64
}

// freshIP returns a loopback address no attack has used yet (127.0.1.1,
// 127.0.1.2, …).
func (e *env) freshIP() string {
	n := e.next.Add(1)
	return fmt.Sprintf("127.0.%d.%d", 1+n/250, 1+n%250)
}

func dialerFrom(ip string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
}

// httpFrom is an HTTP client whose requests leave from ip.
func httpFrom(ip string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: dialerFrom(ip).DialContext, MaxIdleConnsPerHost: 64}}
}

// answer is an HTTP answer: status, body and the Retry-After header.
type answer struct {
	status     int
	body       []byte
	retryAfter string
	took       time.Duration
}

func (a answer) apiError() string {
	var e protocol.APIError
	_ = json.Unmarshal(a.body, &e)
	return e.Error
}

// do sends one request from client c; body (if not nil) is sent as JSON.
func (e *env) do(ctx context.Context, c *http.Client, method, path string, header http.Header, body any) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.relay.url+path, rd)
	if err != nil {
		return answer{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	return answer{status: resp.StatusCode, body: data, retryAfter: resp.Header.Get("Retry-After"), took: time.Since(start)}, nil
}

// ws is one WebSocket client.
type ws struct {
	c   *websocket.Conn
	seq int
	mu  sync.Mutex
}

// dialWS opens a socket from ip. A refused upgrade returns its HTTP answer.
func (e *env) dialWS(ctx context.Context, ip string) (*ws, *answer, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, NetDialContext: dialerFrom(ip).DialContext}
	c, resp, err := d.DialContext(ctx, e.relay.ws, nil)
	if err != nil {
		if resp != nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return nil, &answer{status: resp.StatusCode, body: data, retryAfter: resp.Header.Get("Retry-After")}, err
		}
		return nil, nil, err
	}
	return &ws{c: c}, nil, nil
}

func (w *ws) close() { w.c.Close() }

// request sends one frame and returns the relay's answer to it (the frame
// with its id), skipping broadcasts; it waits at most 5 s.
func (w *ws) request(typ protocol.Type, payload any) (protocol.Envelope, any, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	id := fmt.Sprintf("a%d", w.seq)
	if err := w.c.WriteMessage(websocket.TextMessage, protocol.Encode(typ, id, payload)); err != nil {
		return protocol.Envelope{}, nil, fmt.Errorf("send %s: %w", typ, err)
	}
	_ = w.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, data, err := w.c.ReadMessage()
		if err != nil {
			return protocol.Envelope{}, nil, fmt.Errorf("answer to %s: %w", typ, err)
		}
		env, p, err := protocol.DecodeServer(data)
		if err != nil {
			return protocol.Envelope{}, nil, fmt.Errorf("undecodable frame %q: %w", data, err)
		}
		if env.ID == id {
			return env, p, nil
		}
	}
}

// paced is request that waits and tries again while the connection's own
// frame rate limit answers rate_limited "too many messages", so an attack
// measures the relay's other limits rather than that one.
func (w *ws) paced(typ protocol.Type, payload any) (protocol.Envelope, any, error) {
	for range 50 {
		env, p, err := w.request(typ, payload)
		if err != nil {
			return env, p, err
		}
		if pe, ok := p.(*protocol.Error); ok && pe.Code == protocol.CodeRateLimited && pe.Message == "too many messages; slow down" {
			time.Sleep(120 * time.Millisecond)
			continue
		}
		return env, p, nil
	}
	return protocol.Envelope{}, nil, errors.New("the connection stayed rate limited")
}

// errOf is the ERROR of an answer, or nil.
func errOf(p any) *protocol.Error {
	pe, _ := p.(*protocol.Error)
	return pe
}

// dj is a registered DJ account.
type dj struct {
	email, token string
}

const djPassword = "abuse-password-123"

// newDJ registers an account from a fresh address (registration is rate
// limited per address).
func (e *env) newDJ(ctx context.Context) (dj, error) {
	n := e.djs.Add(1)
	d := dj{email: fmt.Sprintf("abuse-dj-%d@pika.invalid", n)}
	a, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodPost, "/api/auth/register", nil,
		protocol.RegisterRequest{Email: d.email, Password: djPassword, DisplayName: fmt.Sprintf("Abuse DJ %d", n)})
	if err != nil {
		return d, err
	}
	// Registration answers alike for new and known emails (no token):
	// the account then logs in, as on the web.
	if a.status != http.StatusAccepted && a.status != http.StatusCreated {
		return d, fmt.Errorf("register DJ: %d %s", a.status, a.body)
	}
	a, err = e.do(ctx, httpFrom(e.freshIP()), http.MethodPost, "/api/auth/login", nil,
		protocol.LoginRequest{Email: d.email, Password: djPassword})
	if err != nil {
		return d, err
	}
	var ar protocol.AuthResponse
	if a.status != http.StatusOK || json.Unmarshal(a.body, &ar) != nil || ar.Token == "" {
		return d, fmt.Errorf("log the new DJ in: %d %s", a.status, a.body)
	}
	d.token = ar.Token
	return d, nil
}

// live is a DJ's running session with one play.
type live struct {
	dj     dj
	conn   *ws
	id     string
	playID string
}

// startLive registers a session (PIN may be "") and plays one track.
func (e *env) startLive(ctx context.Context, d dj, name, pin string, track protocol.Track) (*live, error) {
	c, _, err := e.dialWS(ctx, e.freshIP())
	if err != nil {
		return nil, fmt.Errorf("DJ socket: %w", err)
	}
	_, p, err := c.request(protocol.TypeRegisterSession, protocol.RegisterSession{Token: d.token, Name: name, PIN: pin})
	if err != nil {
		c.close()
		return nil, err
	}
	reg, ok := p.(*protocol.SessionRegistered)
	if !ok {
		c.close()
		return nil, fmt.Errorf("REGISTER_SESSION answered %v", p)
	}
	l := &live{dj: d, conn: c, id: reg.SessionID}
	if _, p, err = c.request(protocol.TypeNowPlaying, protocol.NowPlaying{Track: track}); err != nil || errOf(p) != nil {
		c.close()
		return nil, fmt.Errorf("NOW_PLAYING: %v %v", err, errOf(p))
	}
	// The play id comes from the relay's state.
	a, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodGet, "/api/sessions/"+l.id+"/state", pinHeader(pin), nil)
	if err != nil {
		c.close()
		return nil, err
	}
	var st protocol.SessionState
	if err := json.Unmarshal(a.body, &st); err != nil || st.NowPlaying == nil {
		c.close()
		return nil, fmt.Errorf("state after NOW_PLAYING: %d %s", a.status, a.body)
	}
	l.playID = st.NowPlaying.PlayID
	return l, nil
}

func pinHeader(pin string) http.Header {
	if pin == "" {
		return nil
	}
	return http.Header{"X-Session-Pin": {pin}}
}

// parallel runs f(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
