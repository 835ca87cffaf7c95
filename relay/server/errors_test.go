package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/internal/metrics"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// TestAuthenticateSentinel: an unknown token is errUnknownToken (no HTTP
// error for the WebSocket path to pick apart); a known one resolves, and
// after the store closes the failure is not mistaken for a bad token.
func TestAuthenticateSentinel(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "file:" + filepath.Join(t.TempDir(), "pika.db")})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{}, st, live.NewManager(live.Config{Store: st, Broker: hub.NewLocal()}), metrics.New())
	raw := auth.NewToken()
	dj, _, err := st.CreateDJ(ctx, "dj@pika.invalid", "not-a-real-hash", "DJ", "test", auth.HashToken(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := s.authenticate(ctx, raw)
	if err != nil || got.ID != dj.ID {
		t.Fatalf("known token: %v, %v", got.ID, err)
	}
	_, _, err = s.authenticate(ctx, auth.NewToken())
	var he *echo.HTTPError
	if !errors.Is(err, errUnknownToken) || errors.As(err, &he) {
		t.Fatalf("unknown token: %v (%T)", err, err)
	}
	st.Close()
	if _, _, err = s.authenticate(ctx, raw); err == nil || errors.Is(err, errUnknownToken) {
		t.Fatalf("closed store: %v, want a failure that is not errUnknownToken", err)
	}
}

func TestStatusFor(t *testing.T) {
	tests := []struct {
		code protocol.ErrorCode
		want int
	}{
		{protocol.CodeBadRequest, http.StatusBadRequest},
		{protocol.CodeUnauthorized, http.StatusUnauthorized},
		{protocol.CodeForbidden, http.StatusForbidden},
		{protocol.CodeNotFound, http.StatusNotFound},
		{protocol.CodeRateLimited, http.StatusTooManyRequests},
		{protocol.CodeTooLarge, http.StatusRequestEntityTooLarge},
		{protocol.CodeSessionEnded, http.StatusGone},
		{protocol.CodeInternalError, http.StatusInternalServerError},
		{"something_new", http.StatusInternalServerError},
	}
	for _, tc := range tests {
		if got := statusFor(tc.code); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.code, got, tc.want)
		}
	}
}

// TestPanicAnswers500: a panicking handler gets the error table's 500, and
// the panic is logged once, with its stack, through slog.
func TestPanicAnswers500(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URL: "file:" + filepath.Join(t.TempDir(), "pika.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	s := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, st, live.NewManager(live.Config{Store: st, Broker: hub.NewLocal()}), metrics.New())
	s.echo.GET("/api/test-panic", func(echo.Context) error { panic("boom") })
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/api/test-panic")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body protocol.APIError
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusInternalServerError || body.Error != "internal error" {
		t.Fatalf("status %d, body %+v, %v", res.StatusCode, body, err)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing on the 500: %v", res.Header)
	}
	var panics int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct {
			Msg, Panic, Stack string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "handler panic" {
			panics++
			if rec.Panic != "boom" || !strings.Contains(rec.Stack, "TestPanicAnswers500") {
				t.Errorf("panic logged as %q with stack %.200q", rec.Panic, rec.Stack)
			}
		}
	}
	if panics != 1 {
		t.Fatalf("%d panic lines in %s", panics, logs.String())
	}
}
