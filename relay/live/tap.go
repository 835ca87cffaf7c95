package live

import (
	"sync"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

// tapQueue is how many broadcasts from elsewhere may wait for a room's tap;
// past it they are dropped (and logged), as a slow connection's are.
const tapQueue = 1024

// tap is a room's one subscription to its session's broker topic: it hands
// this relay's connections what other relays broadcast (the owner's
// numbered broadcasts, when this relay is a mirror) and what is published
// to the topic without the room (event announcements, a session ended by
// the abandon sweep). Deliver only queues: the room's locks are taken on
// the tap's own goroutine, never under the broker's.
type tap struct {
	r     *Room
	in    chan *hub.Message
	done  chan struct{}
	unsub func()
	once  sync.Once
	full  sync.Once
}

func startTap(r *Room) *tap {
	t := &tap{r: r, in: make(chan *hub.Message, tapQueue), done: make(chan struct{})}
	t.unsub = r.m.broker.Subscribe(r.id, t)
	go t.run()
	return t
}

// Deliver implements hub.Subscriber.
func (t *tap) Deliver(m *hub.Message) {
	select {
	case t.in <- m:
	case <-t.done:
	default:
		t.full.Do(func() {
			t.r.m.log.Warn("broadcasts from other relays dropped: the room could not keep up", "session", t.r.id, "queue", tapQueue)
		})
	}
}

// stop ends the tap; what it still holds is dropped.
func (t *tap) stop() {
	t.once.Do(func() {
		close(t.done)
		t.unsub()
	})
}

func (t *tap) run() {
	for {
		select {
		case <-t.done:
			return
		case m := <-t.in:
			t.r.fromElsewhere(m)
		}
	}
}

// fromElsewhere hands m to this relay's connections unless it is the
// room's own broadcast; a session ended elsewhere ends this copy.
func (r *Room) fromElsewhere(m *hub.Message) {
	owner := r.isOwner()
	r.pubMu.Lock()
	switch {
	case m == r.sent:
		// This mirror's own, already handed to its connections.
	case m.Seq == 0:
		r.fan.Publish(r.id, m)
	case owner:
		// Its own, through the broker. Another epoch would be a second
		// owner, which the lease prevents: it is dropped.
		if m.Epoch != r.epoch {
			r.m.log.Warn("broadcast of another owner dropped", "session", r.id, "epoch", m.Epoch)
		}
	case m.Epoch != r.epoch:
		// A new owner (a take-over): what was kept is the old one's.
		r.epoch, r.seq, r.recent = m.Epoch, m.Seq, nil
		r.remember(m.Seq, m)
		r.fan.Publish(r.id, m)
	case m.Seq > r.seq:
		if m.Seq != r.seq+1 {
			// NATS dropped some: catching up across the gap would hide
			// it, so pages that reconnect get a whole state.
			r.recent = nil
		}
		r.seq = m.Seq
		r.remember(m.Seq, m)
		r.fan.Publish(r.id, m)
	}
	r.pubMu.Unlock()
	if m.Type == protocol.TypeListenerCount && !owner {
		if _, p, err := protocol.DecodeServer(m.Data); err == nil {
			if lc, ok := p.(*protocol.ListenerCount); ok {
				r.mu.Lock()
				r.total = lc.Count
				r.mu.Unlock()
			}
		}
	}
	if m.Type == protocol.TypeSessionEnded && (!owner || m.Seq == 0) {
		r.endedElsewhere()
	}
}

// endedElsewhere forgets a room whose session another relay (or the
// abandon sweep) ended.
func (r *Room) endedElsewhere() {
	r.m.mu.Lock()
	if r.m.rooms[r.id] == r {
		delete(r.m.rooms, r.id)
	}
	r.m.mu.Unlock()
	r.markEnded()
}
