package natsbroker

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

// hangGuard bounds every wait; nothing is asserted about speed.
const hangGuard = 15 * time.Second

// startNATS runs a real NATS server in-process on a free loopback port
// (port > 0: that port, for a restart).
func startNATS(t testing.TB, port int) *server.Server {
	t.Helper()
	if port == 0 {
		port = -1
	}
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(hangGuard) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connect(t *testing.T, s *server.Server, name string) *Broker {
	t.Helper()
	b, err := Connect(Options{URL: s.ClientURL(), Name: name, ReconnectWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	return b
}

// recorder keeps the payloads it is handed, in order.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) Deliver(m *hub.Message) {
	r.mu.Lock()
	r.got = append(r.got, string(m.Data))
	r.mu.Unlock()
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// waitFor waits until the recorder holds want (then it must hold exactly
// that: nothing twice, nothing else).
func (r *recorder) waitFor(t *testing.T, name string, want []string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		got := r.list()
		if len(got) >= len(want) {
			if !slices.Equal(got, want) {
				t.Fatalf("%s got %q, want %q", name, got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s got %q, still waiting for %q", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func msg(s string) *hub.Message {
	return &hub.Message{Type: protocol.TypeNowPlaying, Data: []byte(s), Created: time.Now()}
}

// natsSubs is the subjects NATS holds for the connection named name.
func natsSubs(t *testing.T, s *server.Server, name string) []string {
	t.Helper()
	cz, err := s.Connz(&server.ConnzOptions{Subscriptions: true})
	if err != nil {
		t.Fatalf("connz: %v", err)
	}
	for _, c := range cz.Conns {
		if c.Name == name {
			slices.Sort(c.Subs)
			return c.Subs
		}
	}
	return nil
}

func flush(t *testing.T, b *Broker) {
	t.Helper()
	if err := b.nc.FlushTimeout(hangGuard); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

// TestPublishReachesEveryRelayOnce: a broadcast made on either relay
// reaches every subscriber of the topic on both, exactly once and in
// order, and no subscriber of another topic.
func TestPublishReachesEveryRelayOnce(t *testing.T) {
	s := startNATS(t, 0)
	a, b := connect(t, s, "a"), connect(t, s, "b")
	a1, a2, b1, other := &recorder{}, &recorder{}, &recorder{}, &recorder{}
	a.Subscribe("s1", a1)
	a.Subscribe("s1", a2)
	b.Subscribe("s1", b1)
	b.Subscribe("s2", other)
	if got := natsSubs(t, s, "a"); !slices.Equal(got, []string{"pika.session.s1"}) {
		t.Fatalf("relay a's NATS subscriptions %q: two local subscribers share one", got)
	}
	tests := []struct {
		from *Broker
		data []string
	}{
		{a, []string{"a-1", "a-2", "a-3"}},
		{b, []string{"b-1", "b-2"}},
	}
	var want []string
	for _, tc := range tests {
		for _, d := range tc.data {
			tc.from.Publish("s1", msg(d))
		}
		want = append(want, tc.data...)
		for name, r := range map[string]*recorder{"a1": a1, "a2": a2, "b1": b1} {
			r.waitFor(t, name, want)
		}
	}
	// An echo of a's or b's own broadcasts would have arrived before
	// these, which each relay learns from the other through NATS.
	b.Publish("s1", msg("b-end"))
	a1.waitFor(t, "a1", append(slices.Clone(want), "b-end"))
	a.Publish("s1", msg("a-end"))
	b1.waitFor(t, "b1", append(slices.Clone(want), "b-end", "a-end"))
	b.Publish("s1", msg("b-end2"))
	a1.waitFor(t, "a1", append(slices.Clone(want), "b-end", "a-end", "b-end2"))
	b.Publish("s2", msg("s2-only"))
	other.waitFor(t, "other", []string{"s2-only"})
	if n := len(a1.list()); n != len(want)+3 {
		t.Fatalf("a1 has %d messages after s2's broadcast", n)
	}
}

// TestUnsubscribe: the relay leaves a topic's subject with its last
// subscriber, and a subscriber that left gets nothing more.
func TestUnsubscribe(t *testing.T) {
	s := startNATS(t, 0)
	a, b := connect(t, s, "a"), connect(t, s, "b")
	a1, a2, b1 := &recorder{}, &recorder{}, &recorder{}
	un1 := a.Subscribe("s1", a1)
	un2 := a.Subscribe("s1", a2)
	b.Subscribe("s1", b1)
	un1()
	un1() // twice is harmless
	flush(t, a)
	if got := natsSubs(t, s, "a"); len(got) != 1 {
		t.Fatalf("with one subscriber left relay a's subscriptions are %q", got)
	}
	b.Publish("s1", msg("1"))
	a2.waitFor(t, "a2", []string{"1"})
	un2()
	flush(t, a)
	if got := natsSubs(t, s, "a"); len(got) != 0 {
		t.Fatalf("without subscribers relay a still subscribes to %q", got)
	}
	if a.Subscribers("s1") != 0 || b.Subscribers("s1") != 1 {
		t.Fatalf("subscribers a %d b %d", a.Subscribers("s1"), b.Subscribers("s1"))
	}
	// a subscribes again: it gets what comes after, not what came before.
	// c learns "2" through NATS: NATS has routed it before a comes back.
	c, c1 := connect(t, s, "c"), &recorder{}
	c.Subscribe("s1", c1)
	b.Publish("s1", msg("2"))
	c1.waitFor(t, "c1", []string{"2"})
	a3 := &recorder{}
	a.Subscribe("s1", a3)
	b.Publish("s1", msg("3"))
	a3.waitFor(t, "a3", []string{"3"})
	if got := a1.list(); !slices.Equal(got, nil) {
		t.Fatalf("a1 left before any broadcast and got %q", got)
	}
	if got := a2.list(); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("a2 got %q after leaving", got)
	}
}

// TestNATSRestart: while NATS is down a relay's own subscribers still get
// its broadcasts at once; after NATS is back both relays resubscribe and
// broadcasts cross again.
func TestNATSRestart(t *testing.T) {
	s := startNATS(t, 0)
	addr := s.Addr().String()
	var p int
	if _, err := fmt.Sscanf(addr[len("127.0.0.1:"):], "%d", &p); err != nil {
		t.Fatalf("port of %s: %v", addr, err)
	}
	a, b := connect(t, s, "a"), connect(t, s, "b")
	a1, b1 := &recorder{}, &recorder{}
	a.Subscribe("s1", a1)
	b.Subscribe("s1", b1)
	s.Shutdown()
	s.WaitForShutdown()
	waitUntil(t, "a notices NATS is gone", func() bool { return !a.nc.IsConnected() })
	a.Publish("s1", msg("while down"))
	if got := a1.list(); !slices.Equal(got, []string{"while down"}) {
		t.Fatalf("a's own subscriber got %q during the outage", got)
	}
	s2 := startNATS(t, p)
	waitUntil(t, "both resubscribed", func() bool {
		return len(natsSubs(t, s2, "a")) == 1 && len(natsSubs(t, s2, "b")) == 1
	})
	b.Publish("s1", msg("after"))
	a1.waitFor(t, "a1", []string{"while down", "after"})
	a.Publish("s1", msg("from a"))
	// What a published during the outage may reach b from the client's
	// reconnect buffer, if b had resubscribed by then; nothing else.
	waitUntil(t, "b gets a's broadcast", func() bool { return slices.Contains(b1.list(), "from a") })
	got := slices.DeleteFunc(b1.list(), func(s string) bool { return s == "while down" })
	if !slices.Equal(got, []string{"after", "from a"}) {
		t.Fatalf("b1 got %q", b1.list())
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestForeignMessages: what arrives on NATS without the headers a relay
// sends is dropped, not handed to dancers.
func TestForeignMessages(t *testing.T) {
	s := startNATS(t, 0)
	a := connect(t, s, "a")
	a1 := &recorder{}
	a.Subscribe("s1", a1)
	raw, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	long := make([]byte, maxTypeLen+1)
	for i := range long {
		long[i] = 'X'
	}
	tests := []struct {
		name   string
		header nats.Header
	}{
		{"no headers", nil},
		{"empty type", nats.Header{hdrType: {""}}},
		{"type too long", nats.Header{hdrType: {string(long)}}},
	}
	for _, tc := range tests {
		if err := raw.PublishMsg(&nats.Msg{Subject: "pika.session.s1", Data: []byte(tc.name), Header: tc.header}); err != nil {
			t.Fatal(err)
		}
	}
	good := nats.Header{hdrType: {string(protocol.TypeNowPlaying)}, hdrCreated: {"not a number"}}
	if err := raw.PublishMsg(&nats.Msg{Subject: "pika.session.s1", Data: []byte("good"), Header: good}); err != nil {
		t.Fatal(err)
	}
	a1.waitFor(t, "a1", []string{"good"})
}

func TestSubject(t *testing.T) {
	b := &Broker{opts: Options{Prefix: "pika.session."}}
	tests := []struct{ topic, want string }{
		{"Ab3-x_Y", "pika.session.Ab3-x_Y"},
		{"stage:st1", "pika.session.stage:st1"},
		{"s1/dancer/c-2", "pika.session.s1/dancer/c-2"},
		{"a.b", "pika.session.~YS5i"},
		{"*", "pika.session.~Kg"},
		{">", "pika.session.~Pg"},
		{"a b", "pika.session.~YSBi"},
		{"", "pika.session.~"},
		{"~x", "pika.session.~fng"},
	}
	for _, tc := range tests {
		if got := b.subject(tc.topic); got != tc.want {
			t.Errorf("subject(%q) = %q, want %q", tc.topic, got, tc.want)
		}
	}
}
