package natsbroker

import (
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/pikadj/pika/relay/hub"
)

// Headers of a broadcast on NATS; the body is hub.Message.Data.
const (
	hdrType    = "Pika-Type"
	hdrCreated = "Pika-Created" // Unix nanoseconds
	hdrEpoch   = "Pika-Epoch"   // a numbered broadcast's epoch and seq
	hdrSeq     = "Pika-Seq"
)

type outgoing struct {
	subject string
	m       *hub.Message
}

// Publish implements hub.Broker. This relay's subscribers get m at once
// from the publishing goroutine, as with hub.Local: they do not wait for a
// round trip through NATS, and keep getting broadcasts while NATS is
// away (NoEcho keeps NATS from handing m back). For the other relays m is
// queued for one sender goroutine, so a slow or lost NATS connection never
// holds up the room that broadcasts; when the queue is full m reaches this
// relay only.
func (b *Broker) Publish(topic string, m *hub.Message) {
	b.local.Publish(topic, m)
	b.qmu.RLock()
	defer b.qmu.RUnlock()
	if b.closed {
		return
	}
	select {
	case b.queue <- outgoing{subject: b.subject(topic), m: m}:
	default:
		b.full.Do(func() {
			b.log.Warn("NATS publish queue full: broadcasts reach only this relay's clients", "queue", b.opts.QueueSize)
		})
	}
}

// send hands queued broadcasts to NATS, in the order they were made.
func (b *Broker) send() {
	defer close(b.sent)
	for o := range b.queue {
		msg := &nats.Msg{Subject: o.subject, Data: o.m.Data, Header: nats.Header{
			hdrType:    []string{string(o.m.Type)},
			hdrCreated: []string{strconv.FormatInt(o.m.Created.UnixNano(), 10)},
		}}
		if o.m.Seq > 0 {
			msg.Header[hdrEpoch] = []string{o.m.Epoch}
			msg.Header[hdrSeq] = []string{strconv.FormatUint(o.m.Seq, 10)}
		}
		if err := b.nc.PublishMsg(msg); err != nil {
			// The relay's log deduplicates repeats (a long outage).
			b.log.Warn("NATS publish failed: a broadcast reached only this relay's clients", "err", err)
		}
	}
}
