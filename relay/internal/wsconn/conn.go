// Package wsconn is the relay's WebSocket transport: it frames messages,
// queues them per connection, writes them without blocking the sender and
// closes connections cleanly. Gorilla does the handshake and the reading;
// writes bypass it. What the messages mean is the caller's business (the
// server's dispatch); a hub.Message is framed here, once for all
// connections, so the hub knows nothing of WebSocket.
package wsconn

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/shared/protocol"
)

// Timing and sizes. With thousands of mostly idle dancers, per-connection
// memory is what counts: gorilla gets a 1 KB read buffer and, since this
// package writes frames itself, a write buffer only from a shared pool.
const (
	pingEvery  = 25 * time.Second
	pongWait   = 60 * time.Second
	writeWait  = 10 * time.Second
	ReadLimit  = 64 << 10        // beyond protocol.MaxFrameBytes so too_large can be answered
	closeGrace = 2 * time.Second // for a close frame to get out
)

var writeBufferPool sync.Pool

// Upgrader returns the upgrader for relay connections; checkOrigin decides
// which browser origins may connect.
func Upgrader(checkOrigin func(*http.Request) bool) *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &writeBufferPool,
		CheckOrigin:      checkOrigin,
	}
}

// Observer learns what the transport writes and drops, for metrics. Its
// methods are called with no lock held and must be cheap.
type Observer interface {
	// Wrote is called once per data frame written; broadcastAt is when a
	// broadcast was made, zero for a direct reply.
	Wrote(t protocol.Type, broadcastAt time.Time)
	// Dropped is called when a connection is closed for a full queue.
	Dropped()
}

type queued struct {
	frame []byte        // a complete WebSocket frame
	msg   *hub.Message  // set for broadcasts, for the fan-out latency
	typ   protocol.Type // "" for control frames
	last  bool          // close the connection once this is written
}

// Conn is one WebSocket client. A frame for a connection with nothing
// queued is written at once without blocking; otherwise it is queued, and
// a writer goroutine, which exists only while there is something to send,
// writes everything queued with one writev. A broadcast is framed once for
// all connections; an idle connection costs one goroutine (its reader).
type Conn struct {
	ws  *websocket.Conn
	obs Observer

	raw syscall.RawConn // the socket, for non-blocking writes; nil if unavailable

	mu       sync.Mutex
	queue    []queued
	maxQueue int
	writing  bool
	held     bool // the first reply is not sent yet: broadcasts wait
	closing  bool // a close frame is queued: nothing more is
	closed   bool
	ping     *time.Timer
}

// New wraps an upgraded connection that queues at most maxQueue frames.
func New(ws *websocket.Conn, maxQueue int, obs Observer) *Conn {
	c := &Conn{ws: ws, obs: obs, maxQueue: maxQueue}
	if sc, ok := ws.NetConn().(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	return c
}

// SetMaxQueue changes how many frames may wait before the client is
// considered too slow and dropped.
func (c *Conn) SetMaxQueue(n int) {
	c.mu.Lock()
	c.maxQueue = n
	c.mu.Unlock()
}

// Run reads until the connection ends, handing each message to onMessage
// (text tells a text frame from a binary one), and answers pings itself.
// When reading ends, onEnd runs, then the socket is closed once a pending
// close frame is out (or at once).
func (c *Conn) Run(onMessage func(text bool, data []byte), onEnd func()) {
	c.ws.SetReadLimit(ReadLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	// Gorilla would answer pings and close frames by writing on its own;
	// they go through the queue instead so no two writes interleave.
	c.ws.SetPingHandler(func(data string) error {
		c.control(OpPong, []byte(data), false)
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})
	c.ws.SetCloseHandler(func(code int, _ string) error {
		c.control(OpClose, websocket.FormatCloseMessage(code, ""), true)
		return nil
	})
	c.mu.Lock()
	c.ping = time.AfterFunc(pingEvery, c.sendPing)
	c.mu.Unlock()
	defer c.cleanup(onEnd)
	for {
		mt, data, err := c.ws.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			// Gorilla has sent close 1009. Swallow the rest of the frame
			// for a moment, so the client reads that close rather than a
			// reset caused by unread data.
			c.mu.Lock()
			c.closing = true
			c.mu.Unlock()
			nc := c.ws.NetConn()
			_ = nc.SetReadDeadline(time.Now().Add(closeGrace))
			_, _ = io.CopyN(io.Discard, nc, 4*ReadLimit)
		}
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		onMessage(mt == websocket.TextMessage, data)
	}
}

func (c *Conn) cleanup(onEnd func()) {
	c.mu.Lock()
	if c.ping != nil {
		c.ping.Stop()
	}
	flushing := c.closing && c.writing && !c.closed
	if !flushing {
		c.closed = true
	}
	c.mu.Unlock()
	if onEnd != nil {
		onEnd()
	}
	if flushing {
		time.AfterFunc(closeGrace, c.forceClose)
		return
	}
	c.ws.Close()
}

func (c *Conn) sendPing() {
	c.control(OpPing, nil, false)
	c.mu.Lock()
	if !c.closed && !c.closing {
		c.ping.Reset(pingEvery)
	}
	c.mu.Unlock()
}

// Deliver implements hub.Subscriber: queue without blocking; a client too
// slow to keep up with its queue is dropped instead of holding up others.
func (c *Conn) Deliver(m *hub.Message) { c.enqueue(queued{frame: textFrame(m), msg: m, typ: m.Type}) }

// Send queues an encoded protocol message of type t for this client.
func (c *Conn) Send(t protocol.Type, data []byte) {
	c.enqueue(queued{frame: AppendFrame(nil, OpText, data), typ: t})
}

func (c *Conn) enqueue(q queued) {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= c.maxQueue {
		// Its buffers are full: no close frame could get through either.
		c.closed = true
		c.mu.Unlock()
		c.obs.Dropped()
		c.ws.Close()
		return
	}
	if !c.writing && !c.held && len(c.queue) == 0 {
		// Fast path: nothing is waiting, so try the socket right here,
		// without blocking. A fan-out to thousands of idle dancers then
		// costs one non-blocking write each and no goroutine.
		n, err := c.tryWrite(q.frame)
		if err != nil {
			c.closed = true
			c.mu.Unlock()
			c.ws.Close()
			return
		}
		if n == len(q.frame) {
			c.mu.Unlock()
			c.sent(q, time.Now())
			return
		}
		// The socket took part of it (or none): the writer sends the rest
		// first. A broadcast's frame is shared, so slice, never modify.
		q.frame = q.frame[n:]
	}
	c.queue = append(c.queue, q)
	c.startWriter()
	c.mu.Unlock()
}

// tryWrite writes b to the socket without blocking and returns how much it
// took; 0 when its buffer is full. c.mu is held and no writer runs.
func (c *Conn) tryWrite(b []byte) (int, error) {
	if c.raw == nil {
		return 0, nil
	}
	var (
		n    int
		werr error
	)
	if err := c.raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), b)
		return true // one attempt: never wait for the socket
	}); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, nil // a writer's old deadline: let the writer go
		}
		return 0, err
	}
	switch {
	case werr == syscall.EAGAIN || werr == syscall.EINTR:
		return 0, nil
	case werr != nil:
		return 0, werr
	case n < 0:
		return 0, nil
	}
	return n, nil
}

// sent reports a frame written.
func (c *Conn) sent(q queued, now time.Time) {
	if q.typ == "" {
		return
	}
	var at time.Time
	if q.msg != nil {
		at = q.msg.Created
	}
	c.obs.Wrote(q.typ, at)
}

// control queues a control frame; last marks a close frame, after which
// the connection takes nothing more.
func (c *Conn) control(op byte, payload []byte, last bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.closing {
		return
	}
	c.closing = last
	c.queue = append(c.queue, queued{frame: AppendFrame(nil, op, payload), last: last})
	c.startWriter()
}

// startWriter starts the writer goroutine if needed; c.mu is held.
func (c *Conn) startWriter() {
	if !c.writing && len(c.queue) > 0 && (!c.held || c.closing) {
		c.writing = true
		go c.drain()
	}
}

func (c *Conn) drain() {
	nc := c.ws.NetConn()
	for {
		c.mu.Lock()
		if c.closed || len(c.queue) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		bufs := make(net.Buffers, len(batch))
		last := false
		for i, q := range batch {
			bufs[i] = q.frame
			last = last || q.last
		}
		_ = nc.SetWriteDeadline(time.Now().Add(writeWait))
		_, err := bufs.WriteTo(nc)
		_ = nc.SetWriteDeadline(time.Time{}) // the fast path must not see it
		if err != nil {
			c.mu.Lock()
			c.closed, c.writing = true, false
			c.mu.Unlock()
			c.ws.Close()
			return
		}
		now := time.Now()
		for _, q := range batch {
			c.sent(q, now)
		}
		if last {
			c.forceClose()
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			return
		}
	}
}

// Close queues a close frame and closes the connection once it is
// written, or after a grace period if the client does not take it.
func (c *Conn) Close(code int, reason string) {
	c.control(OpClose, websocket.FormatCloseMessage(code, reason), true)
	time.AfterFunc(closeGrace, c.forceClose)
}

func (c *Conn) forceClose() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.ws.Close()
}

// Hold makes broadcasts wait until Release, so the reply Release sends
// goes out before them (a dancer's SESSION_STATE before the broadcasts
// made while it was read).
func (c *Conn) Hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

// Release sends first (an encoded message of type t; nil for none) ahead
// of everything queued since Hold, then lets the queue go.
func (c *Conn) Release(first []byte, t protocol.Type) {
	c.mu.Lock()
	if first != nil && !c.closed && !c.closing {
		q := queued{frame: AppendFrame(nil, OpText, first), typ: t}
		c.queue = append([]queued{q}, c.queue...)
	}
	c.held = false
	c.startWriter()
	c.mu.Unlock()
}
