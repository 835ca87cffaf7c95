package core

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
)

// A token the relay refuses (or cannot check) is never saved over the one
// that works.
func TestCheckAndSaveTokenKeepsTheWorkingOne(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	good := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	other := relay.RegisterDJ(t, "bo@example.com", "DJ Bo")
	// An address where nothing listens: a relay that cannot be reached.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()

	c, err := Open(ctx, Config{ConfigDir: t.TempDir(), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	setRelay := func(u string) {
		s := c.Settings()
		s.RelayURL = u
		if err := c.SaveSettings(s); err != nil {
			t.Fatal(err)
		}
	}
	setRelay(relay.URL)
	if dj, err := c.CheckAndSaveToken(ctx, good); err != nil || dj.DisplayName != "DJ Ana" {
		t.Fatalf("the good token: %+v, %v", dj, err)
	}
	tests := []struct {
		name, relay, token, saved string
		refused                   bool
	}{
		{"unknown token", relay.URL, "pk_dj_ffffffffffffffffffffffffffffffff", good, true},
		{"not a token at all", relay.URL, "hello", good, false},
		{"relay unreachable", down, other, good, false},
		{"another DJ's real token", relay.URL, other, other, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setRelay(tc.relay)
			_, err := c.CheckAndSaveToken(ctx, tc.token)
			if tc.saved == tc.token && err != nil {
				t.Fatalf("accepted token: %v", err)
			}
			if tc.saved != tc.token && err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrTokenRefused); got != tc.refused {
				t.Errorf("error %v: refused %v, want %v", err, got, tc.refused)
			}
			if saved, _ := c.store.Token(); saved != tc.saved {
				t.Errorf("saved token is the %s one", map[bool]string{true: "expected", false: "wrong"}[saved == tc.saved])
			}
		})
	}
}
