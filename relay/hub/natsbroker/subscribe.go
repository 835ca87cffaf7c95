package natsbroker

import (
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

// maxTypeLen bounds the type header taken from NATS; real types are short.
const maxTypeLen = 64

// remote is this relay's NATS subscription to one topic, shared by all
// its local subscribers.
type remote struct {
	n     int
	sub   *nats.Subscription // nil when subscribing failed (logged)
	ready chan struct{}      // closed once NATS has confirmed the subscription
}

// Subscribe implements hub.Broker. The first subscriber of a topic on this
// relay subscribes the relay to its subject and waits (at most
// Options.SubscribeFlush) until NATS has it, so that a broadcast another
// relay makes after Subscribe returns arrives; later ones wait for the
// same confirmation.
func (b *Broker) Subscribe(topic string, s hub.Subscriber) func() {
	unsubLocal := b.local.Subscribe(topic, s)
	b.mu.Lock()
	r := b.topics[topic]
	first := r == nil
	if first {
		r = &remote{ready: make(chan struct{})}
		b.topics[topic] = r
		sub, err := b.nc.Subscribe(b.subject(topic), b.deliver(topic, r))
		if err != nil {
			b.log.Error("NATS subscribe failed: this relay's clients miss the other relays' broadcasts", "topic", topic, "err", err)
		} else {
			if err := sub.SetPendingLimits(b.opts.PendingMsgs, b.opts.PendingBytes); err != nil {
				b.log.Warn("NATS pending limits not set", "err", err)
			}
			r.sub = sub
		}
	}
	r.n++
	b.mu.Unlock()
	if first {
		// While reconnecting the client sends the subscription on
		// reconnect; waiting would only hold the dancer up.
		if r.sub != nil && b.nc.IsConnected() {
			if err := b.nc.FlushTimeout(b.opts.SubscribeFlush); err != nil {
				b.log.Warn("NATS did not confirm a subscription in time", "topic", topic, "err", err)
			}
		}
		close(r.ready)
	} else {
		<-r.ready
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			unsubLocal()
			b.mu.Lock()
			defer b.mu.Unlock()
			if r.n--; r.n > 0 || b.topics[topic] != r {
				return
			}
			delete(b.topics, topic)
			if r.sub != nil {
				if err := r.sub.Unsubscribe(); err != nil && b.nc.IsConnected() {
					b.log.Warn("NATS unsubscribe failed", "topic", topic, "err", err)
				}
			}
		})
	}
}

// deliver hands what another relay broadcast on topic to this relay's
// subscribers. A message still queued on a subscription this relay has
// just dropped is not delivered to the topic's next subscribers.
func (b *Broker) deliver(topic string, r *remote) nats.MsgHandler {
	return func(msg *nats.Msg) {
		b.mu.RLock()
		current := b.topics[topic] == r
		b.mu.RUnlock()
		if !current {
			return
		}
		t := msg.Header.Get(hdrType)
		if t == "" || len(t) > maxTypeLen {
			b.log.Warn("NATS message without a valid type dropped", "subject", msg.Subject)
			return
		}
		created := time.Now()
		if ns, err := strconv.ParseInt(msg.Header.Get(hdrCreated), 10, 64); err == nil {
			created = time.Unix(0, ns)
		}
		m := &hub.Message{Type: protocol.Type(t), Data: msg.Data, Created: created}
		if seq, err := strconv.ParseUint(msg.Header.Get(hdrSeq), 10, 64); err == nil && seq > 0 {
			if e := msg.Header.Get(hdrEpoch); e != "" && len(e) <= maxTypeLen {
				m.Epoch, m.Seq = e, seq
			}
		}
		b.local.Publish(topic, m)
	}
}
