package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/metrics"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// TestSlowDancerIsDropped: a dancer that stops reading fills its queue and
// is closed, while Deliver never blocks and a reading dancer gets every
// broadcast.
func TestSlowDancerIsDropped(t *testing.T) {
	st, err := store.Open(context.Background(), store.Options{URL: "file:" + filepath.Join(t.TempDir(), "pika.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := metrics.New()
	s := New(Config{}, st, live.NewManager(live.Config{Store: st, Broker: hub.NewLocal()}), m)

	conns := make(chan *conn, 2)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := s.upgrader().Upgrade(w, r, nil)
		if err != nil {
			return
		}
		// Small kernel buffers so a reader that stops is noticed quickly.
		_ = ws.NetConn().(*net.TCPConn).SetWriteBuffer(4096)
		c := newConn(s, ws, "127.0.0.1")
		conns <- c
		go c.run()
	}))
	defer ts.Close()
	url := "ws" + strings.TrimPrefix(ts.URL, "http")
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = nc.(*net.TCPConn).SetReadBuffer(4096)
		}
		return nc, err
	}}
	slowWS, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slowWS.Close()
	slow := <-conns
	fastWS, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fastWS.Close()
	fast := <-conns

	text := strings.Repeat("x", 1000)
	const rounds = 400
	for i := 0; i < rounds; i++ {
		body := text
		if i%100 == 0 { // now and then a frame far bigger than the socket buffers
			body = strings.Repeat("y", 20_000)
		}
		msg := hub.NewMessage(protocol.TypeAnnouncement, protocol.Announcement{AnnouncementID: fmt.Sprint("a", i), Text: body})
		slow.Deliver(msg) // must return at once, whatever the slow reader does
		fast.Deliver(msg)
		_, data, err := fastWS.ReadMessage()
		if err != nil {
			t.Fatalf("fast dancer lost the connection at broadcast %d: %v", i, err)
		}
		// Small socket buffers split frames across writes: they must
		// arrive whole and in order.
		if !bytes.Equal(data, msg.Data) {
			t.Fatalf("broadcast %d arrived as %q", i, data)
		}
	}
	// The relay gave up on the slow dancer: once it reads again it finds
	// the connection closed (with a 1008 close frame when there was room
	// for one in its buffers).
	for {
		_, _, err := slowWS.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation && ce.Code != websocket.CloseAbnormalClosure {
			t.Fatalf("slow dancer ended with %v, want close 1008 or 1006", err)
		}
		break
	}
	if n := testutil.ToFloat64(m.SlowDropped); n != 1 {
		t.Fatalf("%v slow dancers dropped, want 1", n)
	}
}
