package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pikadj/pika/shared/protocol"
)

var (
	typeNowPlaying    = []byte(protocol.TypeNowPlaying)
	typeLikeCount     = []byte(protocol.TypeLikeCount)
	typeAck           = []byte(protocol.TypeAck)
	typeError         = []byte(protocol.TypeError)
	typeSessionState  = []byte(protocol.TypeSessionState)
	typeSessionEnded  = []byte(protocol.TypeSessionEnded)
	typeListenerCount = []byte(protocol.TypeListenerCount)
)

// dancer is one simulated phone. Its read goroutine is the only writer of
// the counters below; they are read once done is closed.
type dancer struct {
	conn     *websocket.Conn
	clientID string
	wmu      sync.Mutex   // one writer at a time, as gorilla/websocket requires
	open     atomic.Bool  // false once the read loop ended
	liked    atomic.Int32 // sequence number of the play liked last, -1 for none
	done     chan struct{}

	// latency[seq] is the fan-out delay of play seq in µs; -1 = not received.
	latency        []int32
	frames         uint64
	likeCounts     uint64
	listenerCounts uint64
	likeAcks       atomic.Uint64 // also read while running, to know when to stop
	errorFrames    atomic.Uint64
	ended          bool
	readErr        error
}

// run is the shared state of one load run.
type run struct {
	cfg      config
	wsURL    string
	dialer   *websocket.Dialer
	base     time.Time      // monotonic origin of all recorded times
	sendAt   []atomic.Int64 // sendAt[seq]: ns since base when the DJ sent play seq
	stopping atomic.Bool    // set when the tool closes connections itself

	errMu  sync.Mutex
	errors map[string]int // error class → count
}

func (r *run) noteError(class string) {
	r.errMu.Lock()
	r.errors[class]++
	r.errMu.Unlock()
}

func newDialer(cfg config, sourceIPs []net.IP) *websocket.Dialer {
	d := &websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		// Small buffers: the relay's frames are small and a 5,000-socket
		// tool should not hold megabytes of idle buffers.
		ReadBufferSize:  1024,
		WriteBufferSize: 512,
		WriteBufferPool: &sync.Pool{},
	}
	if len(sourceIPs) > 0 {
		var next atomic.Uint64
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			ip := sourceIPs[next.Add(1)%uint64(len(sourceIPs))]
			nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
			return nd.DialContext(ctx, network, addr)
		}
	}
	return d
}

func (r *run) header() http.Header {
	h := http.Header{}
	if r.cfg.Origin != "" {
		h.Set("Origin", r.cfg.Origin)
	}
	return h
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// connectDancer opens a socket, subscribes to the session and waits for
// SESSION_STATE. It returns a dancer whose read loop is running.
func (r *run) connectDancer(ctx context.Context, sessionID string, plays int) (*dancer, error) {
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, resp, err := r.dialer.DialContext(dctx, r.wsURL, r.header())
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: HTTP %d: %w", resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	conn.SetReadLimit(1 << 20) // SESSION_STATE of a long session can be large
	d := &dancer{conn: conn, clientID: "load-" + randomID(8), done: make(chan struct{}), latency: make([]int32, plays)}
	for i := range d.latency {
		d.latency[i] = -1
	}
	d.liked.Store(-1)
	sub := protocol.Encode(protocol.TypeSubscribe, "s", protocol.Subscribe{SessionID: sessionID, ClientID: d.clientID, PIN: r.cfg.PIN})
	deadline, _ := dctx.Deadline()
	_ = conn.SetWriteDeadline(deadline)
	_ = conn.SetReadDeadline(deadline)
	if err := conn.WriteMessage(websocket.TextMessage, sub); err != nil {
		conn.Close()
		return nil, fmt.Errorf("send SUBSCRIBE: %w", err)
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("wait for SESSION_STATE: %w", err)
		}
		t := frameType(msg)
		if bytes.Equal(t, typeSessionState) {
			break
		}
		if bytes.Equal(t, typeError) {
			conn.Close()
			return nil, fmt.Errorf("SUBSCRIBE refused: %s", errorCode(msg))
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Time{})
	d.open.Store(true)
	go r.readLoop(d)
	return d, nil
}

// errorCode extracts the code of an ERROR frame.
func errorCode(frame []byte) string {
	var env struct {
		Payload protocol.Error `json:"payload"`
	}
	if err := json.Unmarshal(frame, &env); err != nil || env.Payload.Code == "" {
		return "unreadable ERROR frame"
	}
	return string(env.Payload.Code)
}

// readLoop counts what the relay sends a dancer. It reads each frame into
// one small reused buffer; gorilla/websocket discards whatever of a frame
// is left unread when the next one is requested.
func (r *run) readLoop(d *dancer) {
	defer close(d.done)
	defer d.open.Store(false)
	buf := make([]byte, 1024)
	for {
		_, rd, err := d.conn.NextReader()
		if err != nil {
			d.readErr = err
			return
		}
		n, err := io.ReadFull(rd, buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			d.readErr = err
			return
		}
		now := time.Since(r.base)
		frame := buf[:n]
		d.frames++
		switch t := frameType(frame); {
		case bytes.Equal(t, typeLikeCount):
			d.likeCounts++
		case bytes.Equal(t, typeListenerCount):
			d.listenerCounts++
		case bytes.Equal(t, typeNowPlaying):
			seq := playSeq(frame)
			if seq < 0 || seq >= len(d.latency) {
				continue
			}
			sent := r.sendAt[seq].Load()
			if sent == 0 || d.latency[seq] >= 0 {
				continue
			}
			us := (now.Nanoseconds() - sent) / 1000
			d.latency[seq] = int32(min(us, 1<<31-1))
		case bytes.Equal(t, typeAck):
			if id := frameID(frame); len(id) > 0 && id[0] == 'l' {
				d.likeAcks.Add(1)
			}
		case bytes.Equal(t, typeError):
			d.errorFrames.Add(1)
			r.noteError("dancer got ERROR " + errorCode(frame))
		case bytes.Equal(t, typeSessionEnded):
			d.ended = true
		}
	}
}

// sendLike writes a LIKE frame; buf is the caller's scratch space.
func (d *dancer) sendLike(frame []byte) error {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	_ = d.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return d.conn.WriteMessage(websocket.TextMessage, frame)
}

// closeAll ends every dancer's connection: close frames first, then a
// bounded wait for the relay's replies, then the sockets themselves.
func closeAll(dancers []*dancer) {
	for _, d := range dancers {
		d.wmu.Lock()
		_ = d.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "load test over"),
			time.Now().Add(time.Second))
		d.wmu.Unlock()
	}
	deadline := time.After(5 * time.Second)
wait:
	for _, d := range dancers {
		select {
		case <-d.done:
		case <-deadline:
			break wait
		}
	}
	for _, d := range dancers {
		d.conn.Close()
	}
	for _, d := range dancers {
		<-d.done
	}
}
