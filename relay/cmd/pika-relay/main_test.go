package main

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/shared/protocol"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, o options)
		wantErr bool
	}{
		{"defaults", nil, nil, func(t *testing.T, o options) {
			if o.app.Addr != "127.0.0.1:8080" || o.app.DatabaseURL != "file:pika.db" || o.app.PublicURL != "" || o.app.TrustProxy || o.drain != 15*time.Second || o.app.NATSURL != "" {
				t.Fatalf("%+v", o)
			}
		}, false},
		{"environment", nil, map[string]string{
			"PIKA_ADDR": "0.0.0.0:9000", "PIKA_DATABASE_URL": "libsql://db.turso.io", "PIKA_DATABASE_AUTH_TOKEN": "tok",
			"PIKA_PUBLIC_URL": "https://pika.example", "PIKA_ALLOWED_ORIGINS": "https://a.example, https://b.example",
			"PIKA_TRUST_PROXY": "true", "PIKA_LOG_LEVEL": "debug", "PIKA_METRICS_TOKEN": "m", "PIKA_DRAIN_TIMEOUT": "3s",
		}, func(t *testing.T, o options) {
			a := o.app
			if a.Addr != "0.0.0.0:9000" || a.DatabaseURL != "libsql://db.turso.io" || a.DatabaseAuthToken != "tok" ||
				a.PublicURL != "https://pika.example" || len(a.AllowedOrigins) != 2 || a.AllowedOrigins[1] != "https://b.example" ||
				!a.TrustProxy || a.MetricsToken != "m" || o.drain != 3*time.Second || o.level.String() != "DEBUG" {
				t.Fatalf("%+v", o)
			}
		}, false},
		{"flags win over environment", []string{"-addr", "127.0.0.1:1", "-db", "file:x.db", "-trust-proxy=false"},
			map[string]string{"PIKA_ADDR": "0.0.0.0:9000", "PIKA_TRUST_PROXY": "1"}, func(t *testing.T, o options) {
				if o.app.Addr != "127.0.0.1:1" || o.app.DatabaseURL != "file:x.db" || o.app.TrustProxy {
					t.Fatalf("%+v", o)
				}
			}, false},
		{"accounts, tokens and logs", []string{"-login-account-failures", "5", "-token-check-interval", "3s"}, map[string]string{
			"PIKA_LOGIN_ACCOUNT_FAILURES": "99", "PIKA_LOGIN_ACCOUNT_MAX_WAIT": "2m", "PIKA_LOGIN_ADDRESS_FAILURES": "30",
			"PIKA_LOGIN_ADDRESS_MAX_WAIT": "1h", "PIKA_LOG_REPEAT_WINDOW": "30s",
		}, func(t *testing.T, o options) {
			l := o.app.Login
			if l.AccountFree != 5 || l.AccountMaxDelay != 2*time.Minute || l.AddressFree != 30 || l.AddressMaxDelay != time.Hour ||
				o.app.TokenCheckInterval != 3*time.Second || o.logRepeat != 30*time.Second {
				t.Fatalf("%+v %v", l, o.app.TokenCheckInterval)
			}
		}, false},
		{"PIN and client id limits", []string{"-pin-guesses-per-address", "50", "-pin-lockout", "2m", "-client-id-refill", "5s"},
			map[string]string{"PIKA_PIN_GUESSES_PER_ADDRESS": "7", "PIKA_PIN_GUESSES_PER_SESSION": "500", "PIKA_PIN_SESSION_DELAY_MAX": "1h",
				"PIKA_CLIENT_IDS_PER_ADDRESS": "900", "PIKA_RELAY_SECRET": "s3cr3t", "PIKA_SECRET_FILE": "/var/lib/pika/pika.secret"},
			func(t *testing.T, o options) {
				l := o.app.PINLimits
				if l.AddrGuesses != 50 || l.Lockout != 2*time.Minute || l.SessionGuesses != 500 || l.SessionDelayMax != time.Hour ||
					l.AddrRefill != 20*time.Second || l.LockoutMax != time.Hour || l.SessionDelay != 2*time.Second ||
					o.app.IDsPerAddress != 900 || o.app.IDRefill != 5*time.Second ||
					o.app.Secret != "s3cr3t" || o.app.SecretFile != "/var/lib/pika/pika.secret" {
					t.Fatalf("%+v", o.app)
				}
			}, false},
		{"NATS from the environment", nil, map[string]string{"PIKA_NATS_URL": "nats://nats:4222"}, func(t *testing.T, o options) {
			if o.app.NATSURL != "nats://nats:4222" {
				t.Fatalf("NATSURL %q", o.app.NATSURL)
			}
		}, false},
		{"NATS flag wins", []string{"-nats-url", "nats://a:4222,nats://b:4222"}, map[string]string{"PIKA_NATS_URL": "nats://nats:4222"}, func(t *testing.T, o options) {
			if o.app.NATSURL != "nats://a:4222,nats://b:4222" {
				t.Fatalf("NATSURL %q", o.app.NATSURL)
			}
		}, false},
		{"bad public URL", []string{"-public-url", "pika.example"}, nil, nil, true},
		{"bad log level", []string{"-log-level", "loud"}, nil, nil, true},
		{"stray argument", []string{"serve"}, nil, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseOptions(tc.args, func(k string) string { return tc.env[k] })
			if tc.wantErr != (err != nil) {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, o)
			}
		})
	}
}

// TestSIGTERMDrains builds and runs the real binary, connects a client and
// sends SIGTERM: the client gets a close frame and the process exits 0.
func TestSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the relay binary")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := startBinary(ctx, t, dir, "-db", "file:"+filepath.Join(dir, "pika.db"))
	addr := relay.addr
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, protocol.Encode(protocol.TypeLike, "x", protocol.Like{PlayID: "p"})); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ws.ReadMessage(); err != nil { // the ERROR: the connection is live
		t.Fatal(err)
	}
	if err := relay.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseServiceRestart {
		t.Fatalf("client saw %v, want close 1012", err)
	}
	logs, err := relay.wait()
	if err != nil {
		t.Fatalf("relay exited with %v:\n%s", err, logs)
	}
	if !strings.Contains(logs, `"msg":"relay stopped"`) {
		t.Fatalf("no clean stop in the logs:\n%s", logs)
	}
}
