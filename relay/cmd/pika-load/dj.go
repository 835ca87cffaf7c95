package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pikadj/pika/shared/protocol"
)

// registerDJ creates a throw-away DJ account, signs in and returns its
// token. The token is kept in memory only and never printed.
func registerDJ(ctx context.Context, baseURL string) (string, error) {
	email, password := "load-"+randomID(6)+"@pika-load.invalid", randomID(16)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := postJSON(ctx, baseURL+"/api/auth/register", protocol.RegisterRequest{Email: email, Password: password, DisplayName: "pika-load"}, http.StatusAccepted); err != nil {
		return "", fmt.Errorf("register DJ account: %w (pass -token to use an existing account)", err)
	}
	data, err := postJSON(ctx, baseURL+"/api/auth/login", protocol.LoginRequest{Email: email, Password: password}, http.StatusOK)
	if err != nil {
		return "", fmt.Errorf("sign in as the new DJ: %w", err)
	}
	var ar protocol.AuthResponse
	if err := json.Unmarshal(data, &ar); err != nil {
		return "", fmt.Errorf("decode sign-in answer: %w", err)
	}
	if !strings.HasPrefix(ar.Token, protocol.TokenPrefix) {
		return "", fmt.Errorf("sign-in answer holds no %s token", protocol.TokenPrefix)
	}
	return ar.Token, nil
}

// postJSON posts body and returns the answer, which must have status want.
func postJSON(ctx context.Context, url string, body any, want int) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != want {
		var apiErr protocol.APIError
		_ = json.Unmarshal(data, &apiErr)
		return nil, fmt.Errorf("HTTP %d %s", resp.StatusCode, apiErr.Error)
	}
	return data, nil
}

// playRef is the play the dancers like: the DJ's latest NOW_PLAYING as the
// relay broadcast it back.
type playRef struct {
	seq int
	id  string
}

// dj is the load tool's one DJ connection.
type dj struct {
	conn      *websocket.Conn
	sessionID string
	wmu       sync.Mutex
	current   atomic.Pointer[playRef]
	done      chan struct{}

	mu          sync.Mutex
	likeCount   map[string]int // playId → highest LIKE_COUNT seen
	likeFrames  int
	acks        int
	ended       bool
	readErr     error
	unknownPlay int
	// playAck[seq] is the µs from sending play seq to its ACK (-1: none
	// yet): the relay acknowledges once the play is stored and handed to
	// the fan-out, so this splits fan-out latency into before and after.
	playAck []int32
}

// connectDJ opens the DJ's socket and registers a session.
func (r *run) connectDJ(ctx context.Context, token string) (*dj, error) {
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, resp, err := r.djDialer.DialContext(dctx, r.wsURL, r.header())
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("DJ dial %s: HTTP %d: %w", r.wsURL, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("DJ dial %s: %w", r.wsURL, err)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	conn.SetReadLimit(1 << 20)
	deadline, _ := dctx.Deadline()
	_ = conn.SetReadDeadline(deadline)
	_ = conn.SetWriteDeadline(deadline)
	reg := protocol.Encode(protocol.TypeRegisterSession, "reg", protocol.RegisterSession{
		Token: token, Name: "pika-load " + time.Now().UTC().Format("2006-01-02 15:04:05"), PIN: r.cfg.PIN,
	})
	if err := conn.WriteMessage(websocket.TextMessage, reg); err != nil {
		conn.Close()
		return nil, fmt.Errorf("send REGISTER_SESSION: %w", err)
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("wait for SESSION_REGISTERED: %w", err)
		}
		env, p, err := protocol.DecodeServer(msg)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("wait for SESSION_REGISTERED: %w", err)
		}
		switch v := p.(type) {
		case *protocol.Error:
			conn.Close()
			return nil, fmt.Errorf("REGISTER_SESSION refused: %s: %s", v.Code, v.Message)
		case *protocol.SessionRegistered:
			if !protocol.ValidID(v.SessionID) {
				conn.Close()
				return nil, fmt.Errorf("SESSION_REGISTERED holds an invalid session id")
			}
			_ = conn.SetReadDeadline(time.Time{})
			_ = conn.SetWriteDeadline(time.Time{})
			d := &dj{conn: conn, sessionID: v.SessionID, done: make(chan struct{}), likeCount: map[string]int{}, playAck: make([]int32, len(r.sendAt))}
			for i := range d.playAck {
				d.playAck[i] = -1
			}
			go r.djReadLoop(d)
			return d, nil
		default:
			_ = env // other frames before the answer are ignored
		}
	}
}

// djReadLoop follows the session as the DJ sees it: the play ids the relay
// gives the DJ's tracks and the like counts.
func (r *run) djReadLoop(d *dj) {
	defer close(d.done)
	for {
		_, msg, err := d.conn.ReadMessage()
		if err != nil {
			d.mu.Lock()
			d.readErr = err
			d.mu.Unlock()
			return
		}
		env, p, err := protocol.DecodeServer(msg)
		if err != nil {
			r.noteError("DJ got an unreadable frame")
			continue
		}
		d.mu.Lock()
		switch v := p.(type) {
		case *protocol.Play:
			seq := -1
			if s, ok := strings.CutPrefix(v.Track.Title, trackTitlePrefix); ok {
				if n, err := strconv.Atoi(s); err == nil {
					seq = n
				}
			}
			if seq < 0 || !protocol.ValidID(v.PlayID) {
				d.unknownPlay++
				break
			}
			if cur := d.current.Load(); cur == nil || cur.seq < seq {
				d.current.Store(&playRef{seq: seq, id: v.PlayID})
			}
		case *protocol.LikeCount:
			d.likeFrames++
			if v.Count > d.likeCount[v.PlayID] {
				d.likeCount[v.PlayID] = v.Count
			}
		case *protocol.Ack:
			d.acks++
			if s, ok := strings.CutPrefix(env.ID, "np"); ok {
				if seq, err := strconv.Atoi(s); err == nil && seq >= 0 && seq < len(r.sendAt) {
					if sent := r.sendAt[seq].Load(); sent > 0 && seq < len(d.playAck) {
						d.playAck[seq] = int32(min((time.Since(r.base).Nanoseconds()-sent)/1000, 1<<31-1))
					}
				}
			}
		case *protocol.Error:
			r.noteError(fmt.Sprintf("DJ got ERROR %s (frame %q): %s", v.Code, env.ID, v.Message))
		case *protocol.SessionEnded:
			d.ended = true
		}
		d.mu.Unlock()
	}
}

// nowPlaying sends play number seq, recording the send time first so that
// no dancer can receive the broadcast before it is known.
func (r *run) nowPlaying(d *dj, seq int) error {
	bpm := 100 + float64(seq%40)
	energy := float64(seq * 7 % 100)
	dur := 240.0
	frame := protocol.Encode(protocol.TypeNowPlaying, "np"+strconv.Itoa(seq), protocol.NowPlaying{Track: protocol.Track{
		Artist: "Pika Load", Title: trackTitle(seq), BPM: &bpm, Energy: &energy, DurationS: &dur,
		Key: "A minor", Camelot: "8A",
	}})
	d.wmu.Lock()
	defer d.wmu.Unlock()
	r.sendAt[seq].Store(max(time.Since(r.base).Nanoseconds(), 1))
	_ = d.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := d.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
		return fmt.Errorf("send NOW_PLAYING %d: %w", seq, err)
	}
	return nil
}

// endSession ends the session so that the load run leaves no live session
// behind, then closes the socket.
func (d *dj) endSession() {
	d.wmu.Lock()
	_ = d.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = d.conn.WriteMessage(websocket.TextMessage, protocol.Encode(protocol.TypeEndSession, "end", protocol.Empty{}))
	d.wmu.Unlock()
}

func (d *dj) close() {
	d.wmu.Lock()
	_ = d.conn.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, "load test over"), time.Now().Add(time.Second))
	d.wmu.Unlock()
	select {
	case <-d.done:
	case <-time.After(3 * time.Second):
	}
	d.conn.Close()
	<-d.done
}

// playAckLatencies returns the NOW_PLAYING ACK delays by play (-1: none).
func (d *dj) playAckLatencies() []int32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]int32(nil), d.playAck...)
}

// countedLikes is the sum of the last like counts the relay broadcast.
func (d *dj) countedLikes() (total, frames int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.likeCount {
		total += c
	}
	return total, d.likeFrames
}

// waitPlayAcks waits until plays from…to-1 are acknowledged (stored and
// handed to the fan-out), at most limit.
func (d *dj) waitPlayAcks(ctx context.Context, from, to int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		acks := d.playAckLatencies()
		all := true
		for seq := from; seq < to && seq < len(acks); seq++ {
			all = all && acks[seq] >= 0
		}
		if all {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// earlierTitle is the title of the tracks played before the dancers
// connect (-prior-plays); they are no play of the measured ones.
const earlierTitle = "pika-load earlier track "

// playEarlier plays n tracks at 20 a second (under the relay's limit of
// the DJ's frames) and waits until each is acknowledged, so the session
// has the history of one some hours in.
func (d *dj) playEarlier(ctx context.Context, n int) error {
	d.mu.Lock()
	acks0 := d.acks
	d.mu.Unlock()
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for i := range n {
		dur := 200.0 + float64(i%90)
		frame := protocol.Encode(protocol.TypeNowPlaying, "pp"+strconv.Itoa(i), protocol.NowPlaying{Track: protocol.Track{
			Artist: "Pika Load Earlier", Title: earlierTitle + strconv.Itoa(i), DurationS: &dur, Key: "C major", Camelot: "8B",
		}})
		d.wmu.Lock()
		_ = d.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		err := d.conn.WriteMessage(websocket.TextMessage, frame)
		d.wmu.Unlock()
		if err != nil {
			return fmt.Errorf("send earlier NOW_PLAYING %d: %w", i, err)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		d.mu.Lock()
		acked := d.acks - acks0
		d.mu.Unlock()
		if acked >= n {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the relay acknowledged fewer than the %d earlier plays in 30 s", n)
}
