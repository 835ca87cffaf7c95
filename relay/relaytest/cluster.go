package relaytest

import (
	"slices"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
)

// WithNATS joins the relay to the others on the NATS at url
// (PIKA_NATS_URL).
func WithNATS(url string) Option {
	return WithConfig(func(c *app.Config) { c.NATSURL = url })
}

// StartPeer starts another relay on the same database file as r (and so
// the same relay secret, kept beside it), with r's options and then opts,
// on its own port; it is stopped when the test ends. Production relays
// share a Turso database; none can run here, so peers share one libSQL
// file instead: SQLite in WAL mode lets several connections, of one
// process or several, use one file, writers taking turns (busy_timeout).
func (r *Relay) StartPeer(t testing.TB, opts ...Option) *Relay {
	t.Helper()
	p := &Relay{DBPath: r.DBPath, addr: "127.0.0.1:0", logs: &syncBuffer{}, opts: r.opts}
	p.opts.configure = slices.Clone(r.opts.configure)
	p.opts.allowedOrigins = slices.Clone(r.opts.allowedOrigins)
	for _, o := range opts {
		o(&p.opts)
	}
	if err := p.start(); err != nil {
		t.Fatalf("relaytest: start peer relay: %v", err)
	}
	t.Cleanup(p.Stop)
	return p
}

// External is a relay this package did not start (a pika-relay process a
// test runs), at base URL "http://127.0.0.1:PORT": the helpers (RegisterDJ,
// StartSession, Join, DoJSON) work on it; Stop and Restart do nothing.
func External(url, dbPath string) *Relay {
	return &Relay{URL: url, WSURL: "ws" + strings.TrimPrefix(url, "http") + "/ws", DBPath: dbPath, logs: &syncBuffer{}}
}
