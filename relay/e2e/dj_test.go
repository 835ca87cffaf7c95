package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// frame is one frame received from the relay, decoded.
type frame struct {
	env     protocol.Envelope
	payload any
}

// dj is the DJ's side of a live session, speaking the WebSocket protocol as
// the desktop app does.
type dj struct {
	t         *testing.T
	conn      *websocket.Conn
	sessionID string
	resumed   bool

	mu      sync.Mutex
	frames  []frame // received and not yet consumed by expect
	arrived chan struct{}
	readErr error
	nextID  int
}

// goLive connects to the relay and registers (or resumes) a session.
func goLive(t *testing.T, r *relaytest.Relay, reg protocol.RegisterSession) *dj {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(r.WSURL, nil)
	if err != nil {
		t.Fatalf("DJ: dial %s: %v", r.WSURL, err)
	}
	d := &dj{t: t, conn: conn, arrived: make(chan struct{}, 1)}
	t.Cleanup(func() { _ = conn.Close() })
	go d.read()
	id := d.send(protocol.TypeRegisterSession, reg)
	f := d.expect("SESSION_REGISTERED", func(f frame) bool {
		if e, ok := f.payload.(*protocol.Error); ok && e.ID == id {
			t.Fatalf("DJ: REGISTER_SESSION refused: %v", e)
		}
		return f.env.Type == protocol.TypeSessionRegistered
	})
	sr := f.payload.(*protocol.SessionRegistered)
	d.sessionID, d.resumed = sr.SessionID, sr.Resumed
	return d
}

func (d *dj) read() {
	for {
		_, data, err := d.conn.ReadMessage()
		d.mu.Lock()
		if err != nil {
			d.readErr = err
			d.mu.Unlock()
			d.notify()
			return
		}
		env, payload, derr := protocol.DecodeServer(data)
		if derr == nil {
			d.frames = append(d.frames, frame{env: env, payload: payload})
		} else {
			d.readErr = fmt.Errorf("undecodable frame %q: %w", data, derr)
		}
		d.mu.Unlock()
		d.notify()
	}
}

func (d *dj) notify() {
	select {
	case d.arrived <- struct{}{}:
	default:
	}
}

// send writes a frame with a fresh id and returns the id.
func (d *dj) send(t protocol.Type, payload any) string {
	d.t.Helper()
	d.mu.Lock()
	d.nextID++
	id := fmt.Sprintf("dj-%d", d.nextID)
	d.mu.Unlock()
	if err := d.conn.WriteMessage(websocket.TextMessage, protocol.Encode(t, id, payload)); err != nil {
		d.t.Fatalf("DJ: send %s: %v", t, err)
	}
	return id
}

// expect waits for (and consumes) the first received frame that matches.
func (d *dj) expect(what string, match func(frame) bool) frame {
	d.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		d.mu.Lock()
		for i, f := range d.frames {
			if match(f) {
				d.frames = append(d.frames[:i], d.frames[i+1:]...)
				d.mu.Unlock()
				return f
			}
		}
		err := d.readErr
		d.mu.Unlock()
		if err != nil {
			d.t.Fatalf("DJ: waiting for %s: connection: %v", what, err)
		}
		select {
		case <-d.arrived:
		case <-deadline:
			d.t.Fatalf("DJ: no %s within %s", what, waitTimeout)
		}
	}
}

// request sends a frame and waits for its ACK, failing on its ERROR.
func (d *dj) request(t protocol.Type, payload any) {
	d.t.Helper()
	id := d.send(t, payload)
	d.expect("ACK of "+string(t), func(f frame) bool {
		if e, ok := f.payload.(*protocol.Error); ok && e.ID == id {
			d.t.Fatalf("DJ: %s refused: %v", t, e)
		}
		a, ok := f.payload.(*protocol.Ack)
		return ok && f.env.Type == protocol.TypeAck && a.ID == id
	})
}

// play announces a track and returns the play id from the broadcast.
func (d *dj) play(tr protocol.Track) string {
	d.t.Helper()
	d.request(protocol.TypeNowPlaying, protocol.NowPlaying{Track: tr})
	f := d.expect("NOW_PLAYING broadcast of "+tr.Title, func(f frame) bool {
		p, ok := f.payload.(*protocol.Play)
		return ok && p.Track.Title == tr.Title
	})
	return f.payload.(*protocol.Play).PlayID
}

// startPoll starts a poll and returns its id.
func (d *dj) startPoll(question string, options ...string) string {
	d.t.Helper()
	d.request(protocol.TypeStartPoll, protocol.StartPoll{Question: question, Options: options})
	f := d.expect("POLL_STARTED", func(f frame) bool {
		p, ok := f.payload.(*protocol.PollStarted)
		return ok && p.Question == question
	})
	return f.payload.(*protocol.PollStarted).PollID
}

func ptr[T any](v T) *T { return &v }

// Tracks as the desktop app sends them after analysis.
var (
	trackSlowBurn = protocol.Track{Artist: "Ella Moon", Title: "Slow Burn", BPM: ptr(96.0), Key: "A minor", Camelot: "8A",
		Energy: ptr(62.0), Danceability: ptr(78.0), Brightness: ptr(41.0), LoudnessLUFS: ptr(-9.5), DurationS: ptr(214.0)}
	// Westside Groove's key confidence is below protocol.MinCertainKeyConfidencePct.
	trackWestside = protocol.Track{Artist: "The Swingers", Title: "Westside Groove", BPM: ptr(102.0), Key: "F# major", Camelot: "2B",
		Energy: ptr(70.0), Danceability: ptr(84.0), Brightness: ptr(55.0), DurationS: ptr(188.0), KeyConfidence: ptr(0.18)}
	trackShuffle = protocol.Track{Artist: "Nora Blue", Title: "Late Night Shuffle", BPM: ptr(88.0), Key: "C major", Camelot: "8B",
		Energy: ptr(48.0), Danceability: ptr(71.0), Brightness: ptr(36.0), DurationS: ptr(243.0)}
)
