// Package relaytest starts a real Pika! relay in-process for tests: it
// listens on 127.0.0.1 with a temporary libSQL database file, exactly as
// the pika-relay command runs, only with a cheap bcrypt cost.
//
//	r := relaytest.Start(t)
//	token := r.RegisterDJ(t, "dj@example.com", "DJ Ana")
//	ws, _, err := websocket.DefaultDialer.Dial(r.WSURL, nil)
//	…
//	r.Restart(t) // same address, same database: restart survival
//
// The relay is stopped when the test ends. Its JSON logs are kept and can
// be read with Logs.
package relaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/shared/protocol"
)

// Password is the password RegisterDJ gives every DJ it creates.
const Password = "relaytest-password"

// Relay is a running relay.
type Relay struct {
	// URL is the base HTTP URL, "http://127.0.0.1:PORT" (no trailing /).
	URL string
	// WSURL is the WebSocket endpoint, "ws://127.0.0.1:PORT/ws".
	WSURL string
	// DBPath is the database file; it survives Stop and Restart.
	DBPath string

	opts options
	addr string
	mu   sync.Mutex
	app  *app.App
	logs *syncBuffer
	ids  map[string]string // session and Join's page name → the id the relay issued
}

type options struct {
	publicURL        string
	allowedOrigins   []string
	authRate         rate.Limit
	authBurst        int
	trustProxy       bool
	resumeWindow     time.Duration
	activityInterval time.Duration
	metricsToken     string
	logTo            io.Writer
	configure        []func(*app.Config)
	pinLimits        pinguard.Limits
	idsPerAddress    int
	idRefill         time.Duration
}

// Option changes how Start runs the relay.
type Option func(*options)

// WithConfig changes the relay's configuration before it starts, for the
// settings no other option covers (limits, intervals).
func WithConfig(f func(*app.Config)) Option {
	return func(o *options) { o.configure = append(o.configure, f) }
}

// WithPublicURL sets the relay's public URL (join and recap links, CSP).
// By default it is the relay's own http://127.0.0.1:PORT.
func WithPublicURL(u string) Option { return func(o *options) { o.publicURL = u } }

// WithAllowedOrigins adds browser origins allowed on /ws and for CORS.
func WithAllowedOrigins(origins ...string) Option {
	return func(o *options) { o.allowedOrigins = append(o.allowedOrigins, origins...) }
}

// WithAuthRateLimit replaces the production limit on login and register
// attempts per IP (one per 6 s, burst 10).
func WithAuthRateLimit(perSecond float64, burst int) Option {
	return func(o *options) { o.authRate, o.authBurst = rate.Limit(perSecond), burst }
}

// WithTrustProxy makes the relay trust X-Forwarded-For and -Proto.
func WithTrustProxy() Option { return func(o *options) { o.trustProxy = true } }

// WithResumeWindow shortens how long a session waits for its DJ to come
// back before it ends by itself (production: 5 minutes).
func WithResumeWindow(d time.Duration) Option { return func(o *options) { o.resumeWindow = d } }

// WithActivityInterval shortens how often a connected DJ's session records
// that it is active (production: once a minute).
func WithActivityInterval(d time.Duration) Option {
	return func(o *options) { o.activityInterval = d }
}

// WithPINLimits replaces the production limits on wrong PINs.
func WithPINLimits(l pinguard.Limits) Option { return func(o *options) { o.pinLimits = l } }

// WithClientIDLimit replaces how many new client ids one address is
// issued per session at once (production: 300, one more every 10 s).
func WithClientIDLimit(n int, refill time.Duration) Option {
	return func(o *options) { o.idsPerAddress, o.idRefill = n, refill }
}

// WithMetricsToken protects /metrics with a Bearer token.
func WithMetricsToken(token string) Option { return func(o *options) { o.metricsToken = token } }

// WithLogOutput also copies the relay's JSON log lines to w (for example
// os.Stderr while debugging). They are always kept for Logs.
func WithLogOutput(w io.Writer) Option { return func(o *options) { o.logTo = w } }

// Start starts a relay on 127.0.0.1 with a fresh database in t.TempDir()
// and stops it when the test ends.
func Start(t testing.TB, opts ...Option) *Relay {
	t.Helper()
	r := &Relay{DBPath: filepath.Join(t.TempDir(), "relay.db"), addr: "127.0.0.1:0", logs: &syncBuffer{}}
	for _, o := range opts {
		o(&r.opts)
	}
	if err := r.start(); err != nil {
		t.Fatalf("relaytest: start relay: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

func (r *Relay) start() error {
	var out io.Writer = r.logs
	if r.opts.logTo != nil {
		out = io.MultiWriter(r.logs, r.opts.logTo)
	}
	log := slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := app.Config{
		Addr:             r.addr,
		DatabaseURL:      "file:" + r.DBPath,
		PublicURL:        r.opts.publicURL,
		AllowedOrigins:   r.opts.allowedOrigins,
		TrustProxy:       r.opts.trustProxy,
		BcryptCost:       bcrypt.MinCost,
		AuthRate:         r.opts.authRate,
		AuthBurst:        r.opts.authBurst,
		ResumeWindow:     r.opts.resumeWindow,
		ActivityInterval: r.opts.activityInterval,
		MetricsToken:     r.opts.metricsToken,
		PINLimits:        r.opts.pinLimits,
		IDsPerAddress:    r.opts.idsPerAddress,
		IDRefill:         r.opts.idRefill,
		Logger:           log,
	}
	for _, f := range r.opts.configure {
		f(&cfg)
	}
	var (
		a   *app.App
		err error
	)
	// On restart the old port may take a moment to be free again.
	for attempt := 0; attempt < 50; attempt++ {
		a, err = app.Start(context.Background(), cfg)
		if err == nil || r.addr == "127.0.0.1:0" || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.app = a
	r.addr = a.Addr().String()
	r.URL = "http://" + r.addr
	r.WSURL = "ws://" + r.addr + "/ws"
	r.mu.Unlock()
	return nil
}

// Stop shuts the relay down gracefully (close frames to every client,
// pending writes flushed, database closed). Stopping twice is harmless.
func (r *Relay) Stop() {
	r.mu.Lock()
	a := r.app
	r.app = nil
	r.mu.Unlock()
	if a == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.Shutdown(ctx)
}

// Restart stops the relay and starts it again on the same address with the
// same database file, as a deploy or a crash-and-restart would.
func (r *Relay) Restart(t testing.TB) {
	t.Helper()
	r.Stop()
	if err := r.start(); err != nil {
		t.Fatalf("relaytest: restart relay: %v", err)
	}
}

// Logs returns every JSON log line the relay has written so far.
func (r *Relay) Logs() string { return r.logs.String() }

// RegisterDJ creates a DJ account through POST /api/auth/register with
// Password, signs in (POST /api/auth/login, as the register page does) and
// returns the raw token (pk_dj_…).
func (r *Relay) RegisterDJ(t testing.TB, email, displayName string) string {
	t.Helper()
	r.mustJSON(t, http.MethodPost, "/api/auth/register", "", protocol.RegisterRequest{Email: email, Password: Password, DisplayName: displayName}, http.StatusAccepted, nil)
	var resp protocol.AuthResponse
	r.mustJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: email, Password: Password}, http.StatusOK, &resp)
	return resp.Token
}

// DoJSON sends a JSON request (body may be nil) with an optional Bearer
// token and decodes a JSON answer into out (which may be nil). It returns
// the status code; transport errors fail the test.
func (r *Relay) DoJSON(t testing.TB, method, path, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("relaytest: encode %s %s body: %v", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.URL+path, rd)
	if err != nil {
		t.Fatalf("relaytest: %s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("relaytest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("relaytest: %s %s: read body: %v", method, path, err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil && resp.StatusCode < 300 {
			t.Fatalf("relaytest: %s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func (r *Relay) mustJSON(t testing.TB, method, path, token string, body any, want int, out any) {
	t.Helper()
	var raw json.RawMessage
	if got := r.DoJSON(t, method, path, token, body, &raw); got != want {
		t.Fatalf("relaytest: %s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("relaytest: %s %s: decode: %v", method, path, err)
		}
	}
}

// String describes the relay in test output.
func (r *Relay) String() string { return fmt.Sprintf("relay at %s (db %s)", r.URL, r.DBPath) }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
