package server

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
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
