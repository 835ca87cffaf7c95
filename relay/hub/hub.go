// Package hub fans a session's broadcasts out to its connections. Broker is
// the seam: Local delivers within this process; a networked broker (NATS,
// for several relays) can implement the same interface. A Message is the
// encoded protocol frame; how it goes on the wire (WebSocket framing) is
// the subscriber's business, done once per message through Message.Wire.
package hub

import (
	"sync"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Message is one encoded frame, shared by every recipient: it is
// marshalled once, and put in its wire form once, however many receive it.
type Message struct {
	Type protocol.Type
	Data []byte
	// Created is when the broadcast was made, for fan-out latency.
	Created time.Time
	// Epoch and Seq number a session's broadcast (zero: not numbered);
	// they are in Data's envelope too, kept here so a relay that did not
	// make the broadcast can keep it for catch-up without decoding it.
	Epoch string
	Seq   uint64

	once sync.Once
	wire []byte
}

// NewMessage encodes a broadcast frame.
func NewMessage(t protocol.Type, payload any) *Message {
	return &Message{Type: t, Data: protocol.Encode(t, "", payload), Created: time.Now()}
}

// NewBroadcast encodes a session's broadcast number seq of epoch.
func NewBroadcast(t protocol.Type, payload any, epoch string, seq uint64) *Message {
	return &Message{Type: t, Data: protocol.EncodeBroadcast(t, payload, epoch, seq), Created: time.Now(), Epoch: epoch, Seq: seq}
}

// Wire returns the message in its transport's wire form, built by encode
// from Data by the first recipient and then shared by every other, which
// must not modify it. A relay has one transport, so one form is kept.
func (m *Message) Wire(encode func(data []byte) []byte) []byte {
	m.once.Do(func() { m.wire = encode(m.Data) })
	return m.wire
}

// Subscriber receives a session's broadcasts. Deliver must not block: a
// subscriber that cannot keep up drops itself.
type Subscriber interface {
	Deliver(m *Message)
}

// Broker routes broadcasts to the subscribers of a session.
type Broker interface {
	// Publish delivers m to every subscriber of the session.
	Publish(sessionID string, m *Message)
	// Subscribe adds s to the session; the returned function removes it.
	Subscribe(sessionID string, s Subscriber) (unsubscribe func())
}

// Local is the in-process Broker.
type Local struct {
	mu     sync.RWMutex
	topics map[string]*topic
	// OnPublish, when set, learns each publish and how many received it.
	OnPublish func(m *Message, recipients int)
}

type topic struct {
	mu   sync.RWMutex
	subs map[Subscriber]struct{}
}

// NewLocal returns an empty in-process broker.
func NewLocal() *Local { return &Local{topics: map[string]*topic{}} }

// Publish implements Broker.
func (l *Local) Publish(sessionID string, m *Message) {
	l.mu.RLock()
	t := l.topics[sessionID]
	l.mu.RUnlock()
	n := 0
	if t != nil {
		t.mu.RLock()
		for s := range t.subs {
			s.Deliver(m)
		}
		n = len(t.subs)
		t.mu.RUnlock()
	}
	if l.OnPublish != nil {
		l.OnPublish(m, n)
	}
}

// Subscribe implements Broker.
func (l *Local) Subscribe(sessionID string, s Subscriber) func() {
	l.mu.Lock()
	t := l.topics[sessionID]
	if t == nil {
		t = &topic{subs: map[Subscriber]struct{}{}}
		l.topics[sessionID] = t
	}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.mu.Lock()
			delete(t.subs, s)
			empty := len(t.subs) == 0
			t.mu.Unlock()
			if empty && l.topics[sessionID] == t {
				delete(l.topics, sessionID)
			}
		})
	}
}

// Subscribers counts a session's subscribers.
func (l *Local) Subscribers(sessionID string) int {
	l.mu.RLock()
	t := l.topics[sessionID]
	l.mu.RUnlock()
	if t == nil {
		return 0
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.subs)
}
