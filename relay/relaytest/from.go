package relaytest

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Loopback source addresses stand for distinct clients: every 127.x.y.z
// reaches a relay on 127.0.0.1, and per-address limits tell them apart.

// DialFrom opens a WebSocket to the relay from source address localIP
// ("127.0.0.2"). When the upgrade is refused the *http.Response comes
// back with the error, its body unread, so a test can check the status
// and JSON of the refusal (and close the body).
func (r *Relay) DialFrom(localIP string, header http.Header) (*Client, *http.Response, error) {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: 10 * time.Second}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, NetDialContext: nd.DialContext}
	ws, resp, err := d.Dial(r.WSURL, header)
	if err != nil {
		return nil, resp, err
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	c := &Client{Conn: ws, frames: make(chan Frame, 4096)}
	go c.read()
	return c, resp, nil
}

// HTTPClientFrom is an HTTP client whose connections leave from localIP.
func HTTPClientFrom(localIP string) *http.Client {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: nd.DialContext, MaxIdleConnsPerHost: 16}}
}

// MustDialFrom is DialFrom that fails the test when the connection is
// refused, and closes the connection when the test ends.
func (r *Relay) MustDialFrom(t testing.TB, localIP string) *Client {
	t.Helper()
	c, resp, err := r.DialFrom(localIP, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		t.Fatalf("relaytest: dial %s from %s: %v", r.WSURL, localIP, err)
	}
	t.Cleanup(c.Close)
	return c
}
