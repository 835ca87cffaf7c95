package hub

import (
	"bytes"
	"sync"
	"testing"

	"github.com/pikadj/pika/shared/protocol"
)

type recorder struct {
	mu  sync.Mutex
	got []protocol.Type
}

func (r *recorder) Deliver(m *Message) {
	r.mu.Lock()
	r.got = append(r.got, m.Type)
	r.mu.Unlock()
}

func TestLocalBroker(t *testing.T) {
	b := NewLocal()
	var published []int
	b.OnPublish = func(_ *Message, n int) { published = append(published, n) }
	a, c := &recorder{}, &recorder{}
	unA := b.Subscribe("s1", a)
	unC := b.Subscribe("s1", c)
	other := &recorder{}
	b.Subscribe("s2", other)
	b.Publish("s1", NewMessage(protocol.TypeLikeCount, protocol.LikeCount{PlayID: "p", Count: 1}))
	unA()
	unA() // twice is harmless
	b.Publish("s1", NewMessage(protocol.TypeListenerCount, protocol.ListenerCount{Count: 1}))
	unC()
	b.Publish("s1", NewMessage(protocol.TypeSessionEnded, protocol.SessionEnded{}))
	if len(a.got) != 1 || len(c.got) != 2 || len(other.got) != 0 {
		t.Fatalf("a %v, c %v, other %v", a.got, c.got, other.got)
	}
	if b.Subscribers("s1") != 0 || b.Subscribers("s2") != 1 {
		t.Fatalf("subscribers s1 %d s2 %d", b.Subscribers("s1"), b.Subscribers("s2"))
	}
	if len(published) != 3 || published[0] != 2 || published[1] != 1 || published[2] != 0 {
		t.Fatalf("recipients per publish %v", published)
	}
}

// TestWireBuiltOnce: however many recipients ask, the transport's form of
// a broadcast is built once and the same bytes are handed to all of them.
func TestWireBuiltOnce(t *testing.T) {
	m := NewMessage(protocol.TypeLikeCount, protocol.LikeCount{PlayID: "p", Count: 3})
	builds := 0
	encode := func(data []byte) []byte {
		builds++
		return append([]byte("<"), append(data, '>')...)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = m.Wire(encode)
		}()
	}
	wg.Wait()
	if builds != 1 {
		t.Fatalf("built %d times, want 1", builds)
	}
	want := append([]byte("<"), append(bytes.Clone(m.Data), '>')...)
	for i, g := range got {
		if !bytes.Equal(g, want) || &g[0] != &got[0][0] {
			t.Fatalf("recipient %d got %q (shared: %v), want %q", i, g, &g[0] == &got[0][0], want)
		}
	}
}
