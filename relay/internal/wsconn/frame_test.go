package wsconn

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

func TestAppendFrameHeaders(t *testing.T) {
	tests := []struct {
		n      int
		header []byte
	}{
		{0, []byte{0x81, 0}},
		{125, []byte{0x81, 125}},
		{126, []byte{0x81, 126, 0, 126}},
		{65535, []byte{0x81, 126, 0xFF, 0xFF}},
		{65536, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	}
	for _, tc := range tests {
		payload := bytes.Repeat([]byte("x"), tc.n)
		f := AppendFrame(nil, OpText, payload)
		if !bytes.Equal(f[:len(tc.header)], tc.header) || len(f) != len(tc.header)+tc.n {
			t.Errorf("%d bytes: header % x, length %d", tc.n, f[:len(tc.header)], len(f))
		}
	}
}

// TestFramesReadByGorilla: a real WebSocket client reads our frames.
func TestFramesReadByGorilla(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	sizes := []int{1, 125, 126, 1000, 65535, 65536, 200000}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The upgrade request, then our frames.
		req, err := http.ReadRequest(bufio.NewReader(server))
		if err != nil {
			t.Error(err)
			return
		}
		key := req.Header.Get("Sec-WebSocket-Key")
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n"
		if _, err := server.Write([]byte(resp)); err != nil {
			t.Error(err)
			return
		}
		for _, n := range sizes {
			if _, err := server.Write(textFrame(hub.NewMessage(protocol.TypeAnnouncement, protocol.Announcement{Text: strings.Repeat("é", n/2)}))); err != nil {
				t.Error(err)
				return
			}
		}
		if _, err := server.Write(AppendFrame(nil, OpClose, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))); err != nil {
			t.Error(err)
		}
	}()
	d := websocket.Dialer{NetDial: func(string, string) (net.Conn, error) { return client, nil }}
	ws, _, err := d.Dial("ws://pipe/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("frame of about %d bytes: %v", n, err)
		}
		env, p, err := protocol.DecodeServer(data)
		if err != nil || env.Type != protocol.TypeAnnouncement || len(p.(*protocol.Announcement).Text) != n/2*2 {
			t.Fatalf("frame of about %d bytes decoded as %v %v", n, env.Type, err)
		}
	}
	if _, _, err := ws.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
		t.Fatalf("close frame read as %v", err)
	}
	wg.Wait()
}
