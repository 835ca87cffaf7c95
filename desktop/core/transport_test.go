package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A plain http:// relay on the internet gets the token only once the DJ
// confirms; loopback needs no confirmation.
func TestPlainHTTPNeedsConfirmation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	const remote = "http://pika-relay.invalid:8080"
	c, err := Open(ctx, Config{ConfigDir: t.TempDir(), NoKeyring: true, RelayURL: remote, Token: "pk_dj_deadbeefdeadbeefdeadbeefdeadbeef", SpotWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var plain *PlainHTTPError
	if _, err := c.CheckToken(ctx); !errors.As(err, &plain) || plain.Host != "pika-relay.invalid:8080" || !strings.Contains(err.Error(), "https://") {
		t.Fatalf("CheckToken over plain http: %v, want a PlainHTTPError naming the host", err)
	}
	if err := c.GoLive(ctx, "manual", "Friday", ""); !errors.As(err, &plain) {
		t.Fatalf("GoLive over plain http: %v, want a PlainHTTPError", err)
	}
	c.AllowPlainHTTP(remote)
	// Confirmed: the token goes out (here to a name that does not resolve).
	if _, err := c.CheckToken(ctx); err == nil || errors.As(err, &plain) {
		t.Fatalf("CheckToken after confirming: %v, want a network error", err)
	}

	local, err := Open(ctx, Config{ConfigDir: t.TempDir(), NoKeyring: true, RelayURL: "http://127.0.0.1:1", Token: "pk_dj_deadbeefdeadbeefdeadbeefdeadbeef"})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if _, err := local.CheckToken(ctx); err == nil || errors.As(err, &plain) {
		t.Fatalf("CheckToken on loopback: %v, want a connection error, not a warning", err)
	}
}
