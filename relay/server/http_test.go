package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestHealthzPagesAndHeaders(t *testing.T) {
	r := relaytest.Start(t)
	tests := []struct {
		path   string
		status int
		csp    bool
	}{
		{"/healthz", 200, true},
		{"/", 200, true},
		{"/live", 200, true},
		{"/live/0123456789abcdef", 200, true},
		{"/recap/0123456789abcdef", 200, true},
		{"/dj/login", 200, true},
		{"/no-such-page", 404, true},
		{"/api/sessions", 200, false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, _ := get(t, r.URL+tc.path, nil)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			h := resp.Header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
				t.Fatalf("missing security headers: %v", h)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Fatal("HSTS over plain HTTP")
			}
			csp := h.Get("Content-Security-Policy")
			if tc.csp != (csp != "") {
				t.Fatalf("CSP %q", csp)
			}
			if csp != "" && (strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") ||
				!strings.Contains(csp, "style-src 'self'") || !strings.Contains(csp, "ws://"+strings.TrimPrefix(r.URL, "http://"))) {
				t.Fatalf("CSP %q", csp)
			}
		})
	}
	head, err := http.Head(r.URL + "/healthz")
	if err != nil || head.StatusCode != http.StatusOK {
		t.Fatalf("HEAD /healthz: %v %v", head, err)
	}
	head.Body.Close()
}

// TestHSTSOnlyFromTrustedProxy: X-Forwarded-Proto turns HSTS on only when
// the relay trusts its proxy; anyone can send the header.
func TestHSTSOnlyFromTrustedProxy(t *testing.T) {
	tests := []struct {
		name  string
		opts  []relaytest.Option
		proto string
		hsts  bool
	}{
		{"untrusted https header", nil, "https", false},
		{"trusted proxy https", []relaytest.Option{relaytest.WithTrustProxy()}, "https", true},
		{"trusted proxy http", []relaytest.Option{relaytest.WithTrustProxy()}, "http", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := relaytest.Start(t, tc.opts...)
			resp, _ := get(t, r.URL+"/", map[string]string{"X-Forwarded-Proto": tc.proto})
			if got := strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age="); got != tc.hsts {
				t.Fatalf("HSTS %q, want it %v", resp.Header.Get("Strict-Transport-Security"), tc.hsts)
			}
		})
	}
}

func TestHSTSWithHTTPSPublicURL(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithPublicURL("https://pika.example"))
	resp, _ := get(t, r.URL+"/", nil)
	if resp.Header.Get("Strict-Transport-Security") == "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "wss://pika.example") {
		t.Fatalf("headers %v", resp.Header)
	}
	token := r.RegisterDJ(t, "ana@example.com", "Ana")
	_, reg := r.StartSession(t, token, "Set", "")
	if reg.JoinURL != "https://pika.example/live/"+reg.SessionID || reg.RecapURL != "https://pika.example/recap/"+reg.SessionID {
		t.Fatalf("links %+v", reg)
	}
}

func TestAllowedOrigins(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithAllowedOrigins("https://club.example"))
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://localhost:3000", true},
		{"http://127.0.0.1:9999", true},
		{"https://club.example", true},
		{"https://evil.example", false},
		{"null", false},
	}
	for _, tc := range tests {
		t.Run("ws "+tc.origin, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(r.WSURL, h)
			if ws != nil {
				ws.Close()
			}
			if tc.ok != (err == nil) {
				t.Fatalf("dial err %v, want ok=%v", err, tc.ok)
			}
			if !tc.ok && (resp == nil || resp.StatusCode != http.StatusForbidden) {
				t.Fatalf("refused with %v, want 403", resp)
			}
		})
		if tc.origin == "" {
			continue
		}
		t.Run("cors "+tc.origin, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, r.URL+"/api/auth/login", nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			allow := resp.Header.Get("Access-Control-Allow-Origin")
			if tc.ok && (resp.StatusCode != http.StatusNoContent || allow != tc.origin) {
				t.Fatalf("preflight %d allow %q", resp.StatusCode, allow)
			}
			if !tc.ok && (resp.StatusCode != http.StatusForbidden || allow != "") {
				t.Fatalf("preflight from a foreign origin: %d allow %q", resp.StatusCode, allow)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "")
	a, _ := r.Join(t, l.reg.SessionID, "client-metrics", "")
	a.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: l.play.PlayID})
	a.Request(t, protocol.TypeLike, protocol.Like{PlayID: "ffffffffffffffff"})
	l.dj.Expect(t, protocol.TypeLikeCount)
	resp, body := get(t, r.URL+"/metrics", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	for _, want := range []string{
		"pika_dancers_connected 1",
		"pika_djs_connected 1",
		"pika_sessions_live 1",
		`pika_ws_messages_in_total{type="LIKE"} 2`,
		`pika_ws_messages_out_total{type="NOW_PLAYING"}`,
		`pika_ws_errors_total{code="not_found"} 1`,
		"pika_fanout_latency_seconds_bucket",
		`pika_db_operation_seconds_count{op="commit"}`,
		`pika_db_operation_seconds_count{op="like"}`,
		"process_resident_memory_bytes",
		`pika_http_requests_total{code="2xx",route="/api/auth/register"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMetricsToken(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithMetricsToken("s3cret-metrics"))
	for _, tc := range []struct {
		auth string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer nope", http.StatusUnauthorized},
		{"Bearer s3cret-metrics", http.StatusOK},
	} {
		h := map[string]string{}
		if tc.auth != "" {
			h["Authorization"] = tc.auth
		}
		if resp, _ := get(t, r.URL+"/metrics", h); resp.StatusCode != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
}

// TestSessionsLiveAfterRestart: a session waiting for its DJ after a
// restart is live, though no room for it is in memory yet.
func TestSessionsLiveAfterRestart(t *testing.T) {
	r := relaytest.Start(t)
	startLive(t, r, "")
	r.Restart(t)
	resp, body := get(t, r.URL+"/metrics", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "\npika_sessions_live 1\n") {
		t.Fatalf("/metrics after a restart with one live session:\n%s", grepLines(body, "pika_sessions_live"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
