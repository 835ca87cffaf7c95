package relaytest

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Loopback is 127.0.0.0/8: every address in it reaches a relay on
// 127.0.0.1, so tests can play several clients with their own source
// address ("127.0.0.2", "127.0.0.3"…) for per-address limits.

func dialerFrom(ip string) *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
}

// DialFrom is Dial from the loopback source address ip.
func (r *Relay) DialFrom(t testing.TB, ip string) *Client {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, NetDialContext: dialerFrom(ip).DialContext}
	ws, resp, err := d.Dial(r.WSURL, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		t.Fatalf("relaytest: dial %s from %s: %v", r.WSURL, ip, err)
	}
	c := &Client{Conn: ws, frames: make(chan Frame, 4096)}
	go c.read()
	t.Cleanup(c.Close)
	return c
}

// HTTPClientFrom is an HTTP client whose connections come from the
// loopback source address ip.
func HTTPClientFrom(t testing.TB, ip string) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialerFrom(ip).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: FrameTimeout}
}
