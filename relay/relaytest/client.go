package relaytest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/shared/protocol"
)

// FrameTimeout bounds every wait for a frame: a hang guard, not a timing
// assertion.
var FrameTimeout = 15 * time.Second

// Frame is one frame received from the relay.
type Frame struct {
	protocol.Envelope
	// Payload is the typed payload from protocol.DecodeServer, for example
	// *protocol.Play for NOW_PLAYING or *protocol.Error for ERROR.
	Payload any
	Raw     []byte
}

// Err returns the frame's payload when it is an ERROR, else nil.
func (f Frame) Err() *protocol.Error {
	if e, ok := f.Payload.(*protocol.Error); ok && f.Type == protocol.TypeError {
		return e
	}
	return nil
}

// Client is a WebSocket connection to the relay. Its frames are read in the
// background; Next, Expect and Request consume them in order, and frames
// skipped by Expect or Request stay available to later calls.
type Client struct {
	Conn *websocket.Conn

	frames  chan Frame
	pending []Frame
	errMu   sync.Mutex
	readErr error // what ended the read loop
	seq     atomic.Int64
}

// Dial opens a WebSocket to the relay's /ws. header may carry Origin.
func (r *Relay) Dial(t testing.TB, header http.Header) *Client {
	t.Helper()
	c, err := r.DialErr(header)
	if err != nil {
		t.Fatalf("relaytest: dial %s: %v", r.WSURL, err)
	}
	t.Cleanup(c.Close)
	return c
}

// DialErr is Dial that returns the error (an *http.Response is not
// returned; use gorilla's dialer directly for that).
func (r *Relay) DialErr(header http.Header) (*Client, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, resp, err := d.Dial(r.WSURL, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	c := &Client{Conn: ws, frames: make(chan Frame, 4096)}
	go c.read()
	return c, nil
}

func (c *Client) read() {
	defer close(c.frames)
	for {
		_, data, err := c.Conn.ReadMessage()
		if err != nil {
			c.setErr(err)
			return
		}
		env, p, err := protocol.DecodeServer(data)
		if err != nil {
			c.setErr(fmt.Errorf("relay sent an undecodable frame %q: %w", data, err))
			return
		}
		c.frames <- Frame{Envelope: env, Payload: p, Raw: data}
	}
}

func (c *Client) setErr(err error) {
	c.errMu.Lock()
	c.readErr = err
	c.errMu.Unlock()
}

func (c *Client) err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.readErr
}

// Close closes the connection (harmless if already closed).
func (c *Client) Close() { c.Conn.Close() }

// SendRaw writes one text frame as is.
func (c *Client) SendRaw(t testing.TB, data []byte) {
	t.Helper()
	if err := c.Conn.WriteMessage(websocket.TextMessage, data); err != nil {
		t.Fatalf("relaytest: send: %v", err)
	}
}

// Send writes a frame with a fresh id ("c1", "c2", …) and returns the id.
func (c *Client) Send(t testing.TB, typ protocol.Type, payload any) string {
	t.Helper()
	id := "c" + strconv.FormatInt(c.seq.Add(1), 10)
	c.SendRaw(t, protocol.Encode(typ, id, payload))
	return id
}

func (c *Client) next(t testing.TB) (Frame, bool) {
	t.Helper()
	select {
	case f, ok := <-c.frames:
		return f, ok
	case <-time.After(FrameTimeout):
		t.Fatalf("relaytest: no frame from the relay within %s", FrameTimeout)
	}
	return Frame{}, false
}

// Next returns the next frame; it fails the test if the connection closes.
func (c *Client) Next(t testing.TB) Frame {
	t.Helper()
	if len(c.pending) > 0 {
		f := c.pending[0]
		c.pending = c.pending[1:]
		return f
	}
	f, ok := c.next(t)
	if !ok {
		t.Fatalf("relaytest: connection closed: %v", c.err())
	}
	return f
}

// Expect returns the first frame matching match, keeping the others for
// later calls.
func (c *Client) expect(t testing.TB, what string, match func(Frame) bool) Frame {
	t.Helper()
	for i, f := range c.pending {
		if match(f) {
			c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
			return f
		}
	}
	for {
		f, ok := c.next(t)
		if !ok {
			t.Fatalf("relaytest: connection closed while waiting for %s: %v", what, c.err())
		}
		if match(f) {
			return f
		}
		c.pending = append(c.pending, f)
	}
}

// Expect returns the next frame of type typ, keeping frames of other types
// for later calls.
func (c *Client) Expect(t testing.TB, typ protocol.Type) Frame {
	t.Helper()
	return c.expect(t, string(typ), func(f Frame) bool { return f.Type == typ })
}

// ExpectWhere returns the next frame of type typ for which match is true.
func (c *Client) ExpectWhere(t testing.TB, typ protocol.Type, match func(Frame) bool) Frame {
	t.Helper()
	return c.expect(t, string(typ), func(f Frame) bool { return f.Type == typ && match(f) })
}

// Request sends a frame and returns the relay's answer to it: the ACK,
// ERROR, SESSION_REGISTERED, SESSION_STATE or STAGE_STATE carrying its id.
func (c *Client) Request(t testing.TB, typ protocol.Type, payload any) Frame {
	t.Helper()
	return c.Answer(t, c.Send(t, typ, payload))
}

// Answer waits for the relay's answer to the frame Send sent with id.
func (c *Client) Answer(t testing.TB, id string) Frame {
	t.Helper()
	return c.expect(t, "the answer to "+id, func(f Frame) bool {
		return f.ID == id && (f.Type == protocol.TypeAck || f.Type == protocol.TypeError ||
			f.Type == protocol.TypeSessionRegistered || f.Type == protocol.TypeSessionState || f.Type == protocol.TypeStageState || f.Type == protocol.TypeCaughtUp)
	})
}

// MustOK sends a frame and fails the test unless the relay answers without
// an ERROR. It returns the answer.
func (c *Client) MustOK(t testing.TB, typ protocol.Type, payload any) Frame {
	t.Helper()
	f := c.Request(t, typ, payload)
	if e := f.Err(); e != nil {
		t.Fatalf("relaytest: %s refused: %s", typ, e)
	}
	return f
}

// WaitClosed waits until the relay closes the connection and returns the
// close error (a *websocket.CloseError when a close frame arrived). Frames
// still unread are discarded.
func (c *Client) WaitClosed(t testing.TB) error {
	t.Helper()
	for {
		if _, ok := c.next(t); !ok {
			return unwrapClose(c.err())
		}
	}
}

func unwrapClose(err error) error {
	for e := err; e != nil; {
		if ce, ok := e.(*websocket.CloseError); ok {
			return ce
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return err
}

// StartSession connects as a DJ and registers a session. pin may be "".
func (r *Relay) StartSession(t testing.TB, token, name, pin string) (*Client, protocol.SessionRegistered) {
	t.Helper()
	dj := r.Dial(t, nil)
	f := dj.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: token, Name: name, PIN: pin})
	reg, ok := f.Payload.(*protocol.SessionRegistered)
	if !ok {
		t.Fatalf("relaytest: REGISTER_SESSION answered with %s", f.Type)
	}
	return dj, *reg
}

// Join connects as a dancer and subscribes to a session. pin may be "".
// clientID names the page, as its localStorage would: the first Join
// with a name is issued an id for the session by the relay, and later
// Joins with the same name present it again, as a reloaded page does
// (ClientID returns it).
func (r *Relay) Join(t testing.TB, sessionID, clientID, pin string) (*Client, protocol.SessionState) {
	t.Helper()
	c := r.Dial(t, nil)
	f := c.MustOK(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: sessionID, ClientID: r.ClientID(sessionID, clientID), PIN: pin})
	st, ok := f.Payload.(*protocol.SessionState)
	if !ok {
		t.Fatalf("relaytest: SUBSCRIBE answered with %s", f.Type)
	}
	if clientID != "" && st.ClientID != "" {
		r.mu.Lock()
		if r.ids == nil {
			r.ids = map[string]string{}
		}
		r.ids[sessionID+"\x00"+clientID] = st.ClientID
		r.mu.Unlock()
	}
	return c, *st
}

// ClientID is the id the relay issued in the session to the page Join
// called name, or name itself before any Join (which the relay replaces).
func (r *Relay) ClientID(sessionID, name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id, ok := r.ids[sessionID+"\x00"+name]; ok {
		return id
	}
	return name
}
