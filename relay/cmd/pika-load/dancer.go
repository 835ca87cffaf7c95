package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	typeCaughtUp      = []byte(protocol.TypeCaughtUp)
)

// dancer is one simulated phone. Its read goroutine is the only writer of
// the counters below; they are read once done is closed.
type dancer struct {
	conn     *websocket.Conn
	relay    int    // index of the relay it is connected to (-dancer-urls)
	clientID string // the id the relay issued (SESSION_STATE), sent again on a reconnect
	// epoch and seq: the last broadcast of the session it received, as a
	// page keeps them to name in the SUBSCRIBE of a reconnect.
	epoch string
	seq   uint64
	wmu   sync.Mutex   // one writer at a time, as gorilla/websocket requires
	open  atomic.Bool  // false once the read loop ended
	liked atomic.Int32 // sequence number of the play liked last, -1 for none
	done  chan struct{}

	// latency[seq] is the fan-out delay of play seq in µs; -1 = not received.
	latency        []int32
	frames         uint64
	likeCounts     uint64
	listenerCounts uint64
	likeAcks       atomic.Uint64 // also read while running, to know when to stop
	errorFrames    atomic.Uint64
	ended          bool
	readErr        error
	lost           bool // the read loop ended before the tool closed the socket: the relay dropped it
	fr             *frameReader
}

// run is the shared state of one load run.
type run struct {
	cfg      config
	wsURL    string
	wsURLs   []string // where dancer i connects: wsURLs[i%len]; the DJ is on wsURL
	baseURLs []string // the same relays' REST base URLs
	dialer   *websocket.Dialer
	djDialer *websocket.Dialer // not counted in wireIn
	wireIn   atomic.Int64      // bytes the dancers' connections read off the wire
	base     time.Time         // monotonic origin of all recorded times
	sendAt   []atomic.Int64    // sendAt[seq]: ns since base when the DJ sent play seq
	stopping atomic.Bool       // set when the tool closes connections itself

	errMu  sync.Mutex
	errors map[string]int // error class → count
}

func (r *run) noteError(class string) {
	r.errMu.Lock()
	r.errors[class]++
	r.errMu.Unlock()
}

// newDialer makes the dialer of the dancers' sockets (or, with a nil in,
// the DJ's), spread over sourceIPs; in counts the bytes they receive.
func newDialer(sourceIPs []net.IP, in *atomic.Int64) *websocket.Dialer {
	d := &websocket.Dialer{
		HandshakeTimeout: 15 * time.Second,
		// Small buffers: the relay's frames are small and a 5,000-socket
		// tool should not hold megabytes of idle buffers.
		ReadBufferSize:  1024,
		WriteBufferSize: 512,
		WriteBufferPool: &sync.Pool{},
	}
	d.NetDialContext = sourceDial(sourceIPs)
	if in != nil {
		d.NetDialContext = countingDial(d.NetDialContext, in)
	}
	return d
}

// sourceDial dials from the source addresses in turn (none: the default).
func sourceDial(sourceIPs []net.IP) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if len(sourceIPs) == 0 {
		var nd net.Dialer
		return nd.DialContext
	}
	var next atomic.Uint64
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ip := sourceIPs[next.Add(1)%uint64(len(sourceIPs))]
		nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
		return nd.DialContext(ctx, network, addr)
	}
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

// connectDancer opens a socket to relay number relay, subscribes to the
// session and waits for SESSION_STATE. It returns a dancer whose read
// loop is running.
func (r *run) connectDancer(ctx context.Context, sessionID string, relay, plays int) (*dancer, error) {
	d := &dancer{relay: relay, clientID: "load-" + randomID(8), latency: make([]int32, plays), fr: newFrameReader()}
	for i := range d.latency {
		d.latency[i] = -1
	}
	d.liked.Store(-1)
	if _, err := r.subscribe(ctx, d, sessionID, false, nil, 0, time.Time{}); err != nil {
		return nil, err
	}
	return d, nil
}

// answer is how a SUBSCRIBE was answered.
type answer struct {
	caughtUp  bool // CAUGHT_UP, not SESSION_STATE
	missed    int  // broadcasts replayed after CAUGHT_UP
	stateSize int  // bytes of the SESSION_STATE
}

// subscribe dials d's relay, sends SUBSCRIBE (naming d's last broadcast
// when fromSeq is set and d has one) and reads until d has the session:
// a SESSION_STATE, or a CAUGHT_UP and every broadcast it announced. Then
// it starts d's read loop. afterSend, if set, runs once the SUBSCRIBE is
// written. The handshake may take handshake, the answer may come until
// answerBy (zero: both within 20 s).
func (r *run) subscribe(ctx context.Context, d *dancer, sessionID string, fromSeq bool, afterSend func(), handshake time.Duration, answerBy time.Time) (answer, error) {
	var ans answer
	if handshake == 0 {
		handshake = 20 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, handshake)
	defer cancel()
	conn, resp, err := r.dialer.DialContext(dctx, r.wsURLs[d.relay%len(r.wsURLs)], r.header())
	if err != nil {
		if resp != nil {
			return ans, fmt.Errorf("dial: HTTP %d: %w", resp.StatusCode, err)
		}
		return ans, fmt.Errorf("dial: %w", err)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	conn.SetReadLimit(1 << 20) // SESSION_STATE of a long session can be large
	fail := func(err error) (answer, error) {
		abortConn(conn.NetConn())
		return ans, err
	}
	sub := protocol.Subscribe{SessionID: sessionID, ClientID: d.clientID, PIN: r.cfg.PIN}
	if fromSeq && d.epoch != "" {
		sub.Epoch, sub.Seq = d.epoch, d.seq
	}
	deadline, _ := dctx.Deadline()
	if !answerBy.IsZero() {
		deadline = answerBy
	}
	_ = conn.SetWriteDeadline(deadline)
	_ = conn.SetReadDeadline(deadline)
	if err := conn.WriteMessage(websocket.TextMessage, protocol.Encode(protocol.TypeSubscribe, "s", sub)); err != nil {
		return fail(fmt.Errorf("send SUBSCRIBE: %w", err))
	}
	if afterSend != nil {
		afterSend()
	}
	d.conn = conn
	var until uint64 // after CAUGHT_UP: the seq of the last broadcast it announced
	for {
		_, rd, err := conn.NextReader()
		if err != nil {
			return fail(fmt.Errorf("wait for SESSION_STATE: %w", err))
		}
		head, tail, size, err := d.fr.read(rd)
		if err != nil {
			return fail(fmt.Errorf("wait for SESSION_STATE: %w", err))
		}
		t := frameType(head)
		switch {
		case bytes.Equal(t, typeSessionState):
			if id := stringAfter(tail, clientIDKey); protocol.ValidID(string(id)) && string(id) != d.clientID {
				d.clientID = string(id)
			}
			d.epoch, d.seq = "", 0
			d.notePosition(tail)
			ans.stateSize = size
		case bytes.Equal(t, typeCaughtUp):
			var env struct {
				Payload protocol.CaughtUp `json:"payload"`
			}
			if err := json.Unmarshal(head, &env); err != nil || len(head) == len(d.fr.head) {
				return fail(errors.New("unreadable CAUGHT_UP"))
			}
			ans.caughtUp, ans.missed, until = true, env.Payload.Missed, env.Payload.Seq
			if env.Payload.Epoch != d.epoch {
				return fail(errors.New("CAUGHT_UP of another epoch"))
			}
		case bytes.Equal(t, typeError):
			return fail(fmt.Errorf("SUBSCRIBE refused: %s", errorCode(head)))
		default:
			// Broadcasts: the ones a CAUGHT_UP replays, or live ones.
			r.handle(d, head, tail)
		}
		if bytes.Equal(t, typeSessionState) || ans.caughtUp && d.seq >= until {
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Time{})
	d.done = make(chan struct{})
	d.readErr, d.lost = nil, false
	d.open.Store(true)
	go r.readLoop(d)
	return ans, nil
}

// notePosition moves d's place among the broadcasts forward to the
// frame's, if it has one.
func (d *dancer) notePosition(tail []byte) {
	epoch, seq, ok := framePosition(tail)
	if !ok {
		return
	}
	if string(epoch) != d.epoch {
		d.epoch, d.seq = string(epoch), seq
	} else if seq > d.seq {
		d.seq = seq
	}
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
// fixed buffers (its head and its tail), so a dancer allocates nothing per
// frame.
func (r *run) readLoop(d *dancer) {
	defer close(d.done)
	defer d.open.Store(false)
	for {
		_, rd, err := d.conn.NextReader()
		if err == nil {
			var head, tail []byte
			if head, tail, _, err = d.fr.read(rd); err == nil {
				r.handle(d, head, tail)
				continue
			}
		}
		d.readErr, d.lost = err, !r.stopping.Load()
		return
	}
}

// handle counts one frame from the relay.
func (r *run) handle(d *dancer, frame, tail []byte) {
	now := time.Since(r.base)
	d.frames++
	t := frameType(frame)
	if !bytes.Equal(t, typeAck) && !bytes.Equal(t, typeError) {
		d.notePosition(tail)
	}
	switch {
	case bytes.Equal(t, typeLikeCount):
		d.likeCounts++
	case bytes.Equal(t, typeListenerCount):
		d.listenerCounts++
	case bytes.Equal(t, typeNowPlaying):
		seq := playSeq(frame)
		if seq < 0 || seq >= len(d.latency) {
			return
		}
		sent := r.sendAt[seq].Load()
		if sent == 0 || d.latency[seq] >= 0 {
			return
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
