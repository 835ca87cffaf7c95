package livelink

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/shared/protocol"
)

// errStopped ends a connection on purpose (not live any more).
var errStopped = errors.New("livelink: stopped")

// fatalError stops trying until the DJ acts (GoLive again): a refused
// token or session name will not get better by retrying.
type fatalError struct{ err *protocol.Error }

func (e *fatalError) Error() string { return "livelink: relay refused the session: " + e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Run keeps the link up while live: it connects, registers or resumes,
// delivers the outbox and reports events, reconnecting with exponential
// backoff and jitter (0.5 s doubling to 30 s). It returns nil when ctx is
// done.
func (c *Client) Run(ctx context.Context) error {
	delay := backoffMin
	for {
		if ctx.Err() != nil {
			return nil
		}
		c.mu.Lock()
		live := c.live
		c.mu.Unlock()
		if !live {
			select {
			case <-ctx.Done():
				return nil
			case <-c.liveCh:
			}
			continue
		}
		select {
		case <-c.retry: // a press from before this attempt is spent
		default:
		}
		registered, err := c.connect(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errStopped) {
			c.emit(Disconnected{})
			delay = backoffMin
			continue
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			c.log.Warn("livelink: relay refused the session; not retrying", "code", fatal.err.Code, "message", fatal.err.Message)
			c.emit(Error{Type: protocol.TypeRegisterSession, Err: fatal.err})
			c.mu.Lock()
			c.live, c.ending = false, false
			c.mu.Unlock()
			c.emit(Disconnected{Err: err})
			continue
		}
		if registered {
			delay = backoffMin
		}
		wait := jitter(delay)
		delay = min(delay*2, backoffMax)
		c.log.Info("livelink: disconnected, retrying", "err", err, "in", wait.Round(time.Millisecond))
		c.emit(Disconnected{Err: err, RetryIn: wait})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-c.retry:
			t.Stop()
		case <-t.C:
		}
	}
}

// jitter spreads reconnects of many DJs after a relay restart: a random
// duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

type frame struct {
	env     protocol.Envelope
	payload any
}

// connect runs one connection; registered says whether it got as far as a
// live session (the backoff then starts over).
func (c *Client) connect(ctx context.Context) (registered bool, err error) {
	dialer := websocket.Dialer{HandshakeTimeout: 15 * time.Second, Proxy: http.ProxyFromEnvironment}
	hdr := http.Header{"User-Agent": {"Pika-desktop"}}
	conn, resp, err := dialer.DialContext(ctx, c.wsURL, hdr)
	if err != nil {
		if resp != nil {
			return false, fmt.Errorf("connect to %s: %s: %w", c.wsURL, resp.Status, err)
		}
		return false, fmt.Errorf("connect to %s: %w", c.wsURL, err)
	}
	defer conn.Close()
	conn.SetReadLimit(1 << 20)
	c.emit(Connected{})

	_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(readTimeout)) })
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})

	frames := make(chan frame, 64)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop) // the reader exits even when nobody drains frames
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				readErr <- err
				close(frames)
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
			env, p, err := protocol.DecodeServer(data)
			if err != nil {
				c.log.Warn("livelink: unreadable frame from relay", "err", err)
				continue
			}
			select {
			case frames <- frame{env, p}:
			case <-stop:
				return
			}
		}
	}()
	defer func() {
		c.mu.Lock()
		wasConnected := c.connected
		c.connected = false
		c.mu.Unlock()
		if wasConnected {
			c.heartbeat(context.Background())
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	}()
	sess := &connState{c: c, conn: conn, frames: frames, readErr: readErr}
	if err := sess.register(ctx); err != nil {
		return false, err
	}
	return true, sess.pump(ctx)
}

type connState struct {
	c       *Client
	conn    *websocket.Conn
	frames  <-chan frame
	readErr <-chan error
}

func (s *connState) write(t protocol.Type, id string, payload any) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := s.conn.WriteMessage(websocket.TextMessage, protocol.Encode(t, id, payload)); err != nil {
		return fmt.Errorf("send %s: %w", t, err)
	}
	return nil
}

// next waits for a frame from the relay.
func (s *connState) next(ctx context.Context, timeout <-chan time.Time) (frame, error) {
	select {
	case <-ctx.Done():
		return frame{}, ctx.Err()
	case f, ok := <-s.frames:
		if !ok {
			return frame{}, lostConnection(<-s.readErr)
		}
		return f, nil
	case <-timeout:
		return frame{}, errors.New("relay did not answer in time")
	}
}

// register sends REGISTER_SESSION, resuming the stored session when it is
// recent enough, and waits for SESSION_REGISTERED.
func (s *connState) register(ctx context.Context) error {
	c := s.c
	resume, err := c.resumeID(ctx)
	if err != nil {
		return err
	}
	if resume != "" && c.currentPIN() == "" {
		// Resumed without the PIN typed again: the session keeps its own.
		if pin, err := c.st.get(ctx, keyPIN); err == nil && protocol.ValidPIN(pin) {
			c.mu.Lock()
			c.pin = pin
			c.mu.Unlock()
		}
	}
	reg := protocol.RegisterSession{Token: c.cfg.Token, Name: c.cfg.SessionName, PIN: c.currentPIN(), ResumeSessionID: resume, PublicRecap: c.cfg.PublicRecap, StageID: c.cfg.StageID}
	c.mu.Lock()
	if resume != "" && resume == c.ownedID {
		// This run saw the session's broadcasts up to here: the relay
		// sends only the ones missed while away (an app that restarted
		// gets the whole state).
		reg.Epoch, reg.Seq = c.epoch, c.seq
	}
	c.mu.Unlock()
	if err := s.write(protocol.TypeRegisterSession, "register", reg); err != nil {
		return err
	}
	timeout := time.After(ackTimeout)
	for {
		f, err := s.next(ctx, timeout)
		if err != nil {
			return fmt.Errorf("register session: %w", err)
		}
		switch p := f.payload.(type) {
		case *protocol.SessionRegistered:
			return c.registered(ctx, p)
		case *protocol.Error:
			switch {
			case resume != "" && (p.Code == protocol.CodeNotFound || p.Code == protocol.CodeSessionEnded || p.Code == protocol.CodeForbidden):
				// The old session is gone: start a new one on the next try.
				c.log.Info("livelink: previous session cannot be resumed", "code", p.Code)
				if err := c.st.clearSession(ctx); err != nil {
					return err
				}
				c.mu.Lock()
				c.ownedID = ""
				c.mu.Unlock()
				return fmt.Errorf("resume refused: %w", p)
			case p.Code == protocol.CodeRateLimited || p.Code == protocol.CodeInternalError:
				return fmt.Errorf("register session: %w", p)
			default:
				return &fatalError{err: p}
			}
		default:
			s.c.handleBroadcast(ctx, f)
		}
	}
}

// resumeID returns the stored session to resume: one this process
// registered, or one from an earlier run last connected to this relay
// less than protocol.ResumeWindow ago.
func (c *Client) resumeID(ctx context.Context) (string, error) {
	id, err := c.st.get(ctx, keySessionID)
	if err != nil || id == "" {
		return "", err
	}
	c.mu.Lock()
	owned := c.ownedID == id
	c.mu.Unlock()
	if owned {
		return id, nil
	}
	relay, err := c.st.get(ctx, keyRelayURL)
	if err != nil {
		return "", err
	}
	last, err := c.st.get(ctx, keyLastConnected)
	if err != nil {
		return "", err
	}
	t, perr := time.Parse(time.RFC3339Nano, last)
	if relay != c.httpBase || perr != nil || time.Since(t) > protocol.ResumeWindow {
		return "", nil
	}
	return id, nil
}

func (c *Client) registered(ctx context.Context, p *protocol.SessionRegistered) error {
	join, local, recap := publicLinks(c.cfg.PublicURL, p.SessionID, p.JoinURL, p.RecapURL)
	sess := Session{ID: p.SessionID, DJName: p.DJName, JoinURL: join, LocalJoinURL: local, RecapURL: recap, Resumed: p.Resumed}
	if err := c.st.set(ctx, map[string]string{
		keySessionID: p.SessionID, keyRelayURL: c.httpBase, keyLastConnected: time.Now().UTC().Format(time.RFC3339Nano),
		keyJoinURL: join, keyLocalJoinURL: local, keyRecapURL: recap, keyDJName: p.DJName, keyPIN: c.currentPIN(),
	}); err != nil {
		return err
	}
	c.mu.Lock()
	c.session, c.ownedID, c.connected = sess, p.SessionID, true
	c.epoch, c.seq = p.Epoch, p.Seq
	c.mu.Unlock()
	if p.Resumed {
		c.log.Info("livelink: resumed", "session", p.SessionID, "caughtUp", p.CaughtUp, "missed", p.Missed)
	}
	stale, err := c.st.adopt(ctx, p.SessionID, c.pending)
	if err != nil {
		return err
	}
	for old, m := range stale {
		c.log.Warn("livelink: dropped messages queued for a session that could not be resumed", "session", old, "count", m.count)
		if strings.HasPrefix(old, pendingPrefix) {
			old = "" // queued by an earlier run before it had a session
		}
		c.emit(OutboxDropped{Count: m.count, Stale: true, Session: old, Tracks: m.tracks})
	}
	c.log.Info("livelink: live", "session", p.SessionID, "resumed", p.Resumed)
	c.emit(Registered{Session: sess})
	return nil
}

// heartbeat records that the DJ is connected now, so a restart knows
// whether the session can still be resumed.
func (c *Client) heartbeat(ctx context.Context) {
	if err := c.st.set(ctx, map[string]string{keyLastConnected: time.Now().UTC().Format(time.RFC3339Nano)}); err != nil {
		c.log.Warn("livelink: cannot record connection time", "err", err)
	}
}

// pump delivers the outbox one message at a time (the next goes once the
// previous is ACKed, which keeps the order whatever happens) and handles
// what the relay sends.
func (s *connState) pump(ctx context.Context) error {
	c := s.c
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	beat := time.NewTicker(heartbeatEvery)
	defer beat.Stop()
	var (
		inflight   int64 // outbox row awaiting its ACK, 0 when none
		inflightT  protocol.Type
		ackTimer   <-chan time.Time
		endSent    bool
		retryTimer <-chan time.Time
		retries    = map[int64]int{}
		sentAt     time.Time
	)
	for {
		c.mu.Lock()
		live, ending := c.live, c.ending
		c.mu.Unlock()
		if !live {
			return errStopped
		}
		if inflight == 0 && retryTimer == nil && !endSent {
			c.mu.Lock()
			owned := c.ownedID
			c.mu.Unlock()
			row, ok, err := c.st.first(ctx, owned, c.pending)
			if err != nil {
				return err
			}
			switch {
			case ok:
				if err := s.writeRaw(protocol.Type(row.typ), outboxID(row.id), row.payload); err != nil {
					return err
				}
				inflight, inflightT, ackTimer = row.id, protocol.Type(row.typ), time.After(ackTimeout)
				sentAt = time.Now()
			case ending:
				if err := s.write(protocol.TypeEndSession, "end", protocol.Empty{}); err != nil {
					return err
				}
				endSent, ackTimer = true, time.After(ackTimeout)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.kick:
		case <-c.liveCh:
		case <-retryTimer:
			retryTimer = nil
		case <-ackTimer:
			return errors.New("relay did not acknowledge in time")
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		case <-beat.C:
			c.heartbeat(ctx)
		case f, ok := <-s.frames:
			if !ok {
				return lostConnection(<-s.readErr)
			}
			switch p := f.payload.(type) {
			case *protocol.Ack:
				id := p.ID
				if id == "" {
					id = f.env.ID
				}
				switch {
				case endSent && id == "end":
					c.finish(ctx, "")
					return errStopped
				case inflight != 0 && id == outboxID(inflight):
					if err := c.st.remove(ctx, inflight); err != nil {
						return err
					}
					delete(retries, inflight)
					inflight, ackTimer = 0, nil
					if wait := sendSpacing - time.Since(sentAt); wait > 0 {
						retryTimer = time.After(wait)
					}
				}
			case *protocol.Error:
				id := p.ID
				if id == "" {
					id = f.env.ID
				}
				switch {
				case endSent && id == "end":
					// Already ended (or unknown): it is over either way.
					c.finish(ctx, "")
					return errStopped
				case inflight != 0 && id == outboxID(inflight):
					row := inflight
					inflight, ackTimer = 0, nil
					switch p.Code {
					case protocol.CodeRateLimited:
						retryTimer = time.After(2 * time.Second)
					case protocol.CodeInternalError:
						if retries[row]++; retries[row] < 5 {
							retryTimer = time.After(2 * time.Second)
							break
						}
						fallthrough
					case protocol.CodeBadRequest, protocol.CodeTooLarge, protocol.CodeForbidden, protocol.CodeNotFound:
						c.log.Warn("livelink: relay refused a message; dropped", "type", inflightT, "code", p.Code, "message", p.Message)
						c.emit(Error{Type: inflightT, Err: p})
						if err := c.st.remove(ctx, row); err != nil {
							return err
						}
					case protocol.CodeUnauthorized:
						return &fatalError{err: p}
					case protocol.CodeSessionEnded:
						// The session was ended elsewhere: a new one is
						// registered on reconnect; this session's messages
						// are dropped then, not replayed into it.
						if err := c.st.clearSession(ctx); err != nil {
							return err
						}
						c.mu.Lock()
						c.ownedID = ""
						c.mu.Unlock()
						return fmt.Errorf("session ended on the relay: %w", p)
					default:
						return fmt.Errorf("relay error: %w", p)
					}
				case p.Code == protocol.CodeUnauthorized:
					// The token was revoked while live (or is otherwise no
					// longer accepted): retrying with it cannot work.
					return &fatalError{err: p}
				default:
					c.emit(Error{Err: p})
				}
			case *protocol.SessionEnded:
				c.finish(ctx, p.RecapURL)
				return errStopped
			default:
				c.handleBroadcast(ctx, f)
			}
		}
	}
}

func (s *connState) writeRaw(t protocol.Type, id string, payload []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	b, err := jsonEnvelope(t, id, payload)
	if err != nil {
		return err
	}
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("send %s: %w", t, err)
	}
	return nil
}

// lostConnection explains why the relay's connection ended; a close for a
// revoked token is final, as the ERROR before it would have been.
func lostConnection(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code == protocol.CloseTokenRevoked {
		return &fatalError{err: &protocol.Error{Code: protocol.CodeUnauthorized, Message: protocol.MsgTokenRevoked}}
	}
	return fmt.Errorf("connection lost: %w", err)
}

func outboxID(row int64) string { return fmt.Sprintf("ob%d", row) }

// handleBroadcast turns relay broadcasts into events.
func (c *Client) handleBroadcast(ctx context.Context, f frame) {
	if f.env.Seq > 0 {
		c.mu.Lock()
		c.epoch, c.seq = f.env.Epoch, f.env.Seq
		c.mu.Unlock()
	}
	switch p := f.payload.(type) {
	case *protocol.Play:
		c.emit(PlayStarted{Play: *p})
	case *protocol.LikeCount:
		c.emit(Likes{*p})
	case *protocol.TempoTally:
		c.emit(Tempo{*p})
	case *protocol.PollStarted:
		c.emit(PollStarted{*p})
	case *protocol.PollTallies:
		c.emit(PollUpdate{PollTallies: *p, Closed: f.env.Type == protocol.TypePollClosed})
	case *protocol.Announcement:
		c.emit(Announcement{*p})
	case *protocol.Empty:
		if f.env.Type == protocol.TypeAnnouncementCleared {
			c.emit(AnnouncementCleared{})
		}
	case *protocol.ListenerCount:
		c.emit(Listeners{Count: p.Count})
	case *protocol.SessionState:
		c.emit(State{*p})
	case *protocol.SessionEnded:
		c.finish(ctx, p.RecapURL)
	case *protocol.PINGuesses:
		c.emit(PINGuesses{*p})
	case *protocol.RequestQueue:
		c.emit(RequestQueue{*p})
	case *protocol.Error:
		c.emit(Error{Err: p})
	}
}
