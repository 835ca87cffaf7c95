package main

import (
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestLimitOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, o options)
		wantErr bool
	}{
		{"defaults", nil, nil, func(t *testing.T, o options) {
			l, a := o.app.Limits, o.app
			if l.ConnsPerAddr != 500 || l.Conns != 20000 || l.HelloTimeout != 10*time.Second || l.ReadRate != 50 || l.ReadBurst != 300 ||
				l.RegisterBurst != 20 || l.RegisterRate != rate.Every(3*time.Second) || a.MaxLiveSessions != 3 || a.HistoryLimit != 50 ||
				a.ReadHeaderTimeout != 10*time.Second || a.ReadTimeout != 20*time.Second || a.WriteTimeout != 30*time.Second || a.IdleTimeout != 120*time.Second {
				t.Fatalf("%+v", o.app)
			}
		}, false},
		{"environment", nil, map[string]string{
			"PIKA_MAX_CONNS_PER_ADDR": "50", "PIKA_MAX_CONNS": "900", "PIKA_HELLO_TIMEOUT": "4s", "PIKA_READ_RATE": "5",
			"PIKA_READ_BURST": "9", "PIKA_REGISTER_INTERVAL": "1m", "PIKA_REGISTER_BURST": "2", "PIKA_MAX_LIVE_SESSIONS": "1",
			"PIKA_HISTORY_LIMIT": "7", "PIKA_READ_TIMEOUT": "5s",
		}, func(t *testing.T, o options) {
			l, a := o.app.Limits, o.app
			if l.ConnsPerAddr != 50 || l.Conns != 900 || l.HelloTimeout != 4*time.Second || l.ReadRate != 5 || l.ReadBurst != 9 ||
				l.RegisterBurst != 2 || l.RegisterRate != rate.Every(time.Minute) || a.MaxLiveSessions != 1 || a.HistoryLimit != 7 || a.ReadTimeout != 5*time.Second {
				t.Fatalf("%+v", o.app)
			}
		}, false},
		{"flags win over environment", []string{"-max-conns-per-addr", "7", "-idle-timeout", "1s"}, map[string]string{"PIKA_MAX_CONNS_PER_ADDR": "50"},
			func(t *testing.T, o options) {
				if o.app.Limits.ConnsPerAddr != 7 || o.app.IdleTimeout != time.Second {
					t.Fatalf("%+v", o.app)
				}
			}, false},
		{"environment not a number", nil, map[string]string{"PIKA_MAX_CONNS": "lots"}, nil, true},
		{"environment not a duration", nil, map[string]string{"PIKA_HELLO_TIMEOUT": "10"}, nil, true},
		{"zero cap", []string{"-max-live-sessions", "0"}, nil, nil, true},
		{"negative timeout", []string{"-hello-timeout", "-1s"}, nil, nil, true},
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
