package natsbroker

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/hub"
)

// counter counts deliveries and signals when a round is complete.
type counter struct {
	n    *atomic.Int64
	want *atomic.Int64
	done chan struct{}
}

func (c *counter) Deliver(*hub.Message) {
	if c.n.Add(1) == c.want.Load() {
		c.done <- struct{}{}
	}
}

// BenchmarkAcrossRelays: one broadcast made on relay a until all 1,000
// subscribers on relay b have it, one at a time (the cross-relay latency
// through an in-process NATS, on loopback).
func BenchmarkAcrossRelays(b *testing.B) {
	s := startNATS(b, 0)
	pa, err := Connect(Options{URL: s.ClientURL(), Name: "a"})
	if err != nil {
		b.Fatal(err)
	}
	defer pa.Close(b.Context())
	pb, err := Connect(Options{URL: s.ClientURL(), Name: "b"})
	if err != nil {
		b.Fatal(err)
	}
	defer pb.Close(b.Context())
	const subs = 1000
	var n, want atomic.Int64
	done := make(chan struct{}, 1)
	for range subs {
		pb.Subscribe("s1", &counter{&n, &want, done})
	}
	data := make([]byte, 200)
	b.ResetTimer()
	for i := range b.N {
		want.Store(int64(i+1) * subs)
		pa.Publish("s1", &hub.Message{Type: "NOW_PLAYING", Data: data, Created: time.Now()})
		select {
		case <-done:
		case <-time.After(hangGuard):
			b.Fatalf("round %d: %d of %d delivered", i, n.Load(), want.Load())
		}
	}
}
