package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Refusals of requests (see isRefusal).
var (
	// ErrRequestOpen: the dancer's latest request is still waiting or
	// accepted.
	ErrRequestOpen = errors.New("the dancer's request is still open")
	// ErrCooldown: the dancer asked less than the cool-down ago; the
	// error is a *CooldownError.
	ErrCooldown = errors.New("request cool-down")
	// ErrTooManyRequests: the session has its most open requests.
	ErrTooManyRequests = errors.New("too many open requests")
	// ErrRequestClosed: the request was already played or declined.
	ErrRequestClosed = errors.New("request already played or declined")
)

// CooldownError says until when a dancer waits before the next request.
type CooldownError struct{ Until time.Time }

func (e *CooldownError) Error() string {
	return "request cool-down until " + e.Until.Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrCooldown) hold.
func (e *CooldownError) Is(target error) bool { return target == ErrCooldown }

// RequestSettings reads what the DJ allows; a session that never set
// them has requests off.
func (s *Store) RequestSettings(ctx context.Context, sessionID string) (protocol.RequestSettings, error) {
	var rs protocol.RequestSettings
	err := s.rd.QueryRowContext(ctx, `SELECT enabled, paused, free_text FROM request_settings WHERE session_id = ?`, sessionID).
		Scan(&rs.Enabled, &rs.Paused, &rs.FreeText)
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.RequestSettings{}, nil
	}
	if err != nil {
		return rs, fmt.Errorf("read request settings: %w", err)
	}
	return rs, nil
}

// SetRequestSettings stores what the DJ allows.
func (s *Store) SetRequestSettings(ctx context.Context, sessionID string, rs protocol.RequestSettings) error {
	defer s.timed("set_request_settings", time.Now())
	return s.write(ctx, "set request settings", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO request_settings (session_id, enabled, paused, free_text, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (session_id) DO UPDATE SET enabled = excluded.enabled, paused = excluded.paused,
			free_text = excluded.free_text, updated_at = excluded.updated_at`,
			sessionID, rs.Enabled, rs.Paused, rs.FreeText, ms(time.Now()))
		if err != nil {
			return fmt.Errorf("store request settings: %w", err)
		}
		return nil
	})
}

// NewRequest is a dancer's request: Track (from the catalogue) or Text.
type NewRequest struct {
	SessionID string
	ClientID  string
	Track     *protocol.CatalogueTrack
	Text      string
	At        time.Time
	// Cooldown is how long after a request the dancer waits; MaxOpen
	// bounds the session's open requests.
	Cooldown time.Duration
	MaxOpen  int
}

// AddRequest records a request, or a +1 of the open request of the same
// track, and returns its id. It refuses (ErrRequestOpen, *CooldownError,
// ErrTooManyRequests) before changing anything.
func (s *Store) AddRequest(ctx context.Context, nr NewRequest) (string, error) {
	defer s.timed("add_request", time.Now())
	var id string
	err := s.write(ctx, "add request", func(tx *sql.Tx) error {
		id = ""
		var (
			state string
			asked int64
		)
		err := tx.QueryRow(`SELECT r.state, a.asked_at FROM request_askers a JOIN requests r ON r.id = a.request_id
			WHERE a.session_id = ? AND a.client_id = ? ORDER BY a.asked_at DESC LIMIT 1`, nr.SessionID, nr.ClientID).Scan(&state, &asked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read dancer's last request: %w", err)
		case state == protocol.RequestWaiting || state == protocol.RequestAccepted:
			return ErrRequestOpen
		case nr.At.Before(fromMS(asked).Add(nr.Cooldown)):
			return &CooldownError{Until: fromMS(asked).Add(nr.Cooldown)}
		}
		at := ms(nr.At)
		if nr.Track != nil {
			err := tx.QueryRow(`SELECT id FROM requests WHERE session_id = ? AND track_id = ? AND state IN ('waiting', 'accepted')`,
				nr.SessionID, nr.Track.ID).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("find open request: %w", err)
			}
		}
		if id == "" {
			var open int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM requests WHERE session_id = ? AND state IN ('waiting', 'accepted')`, nr.SessionID).Scan(&open); err != nil {
				return fmt.Errorf("count open requests: %w", err)
			}
			if open >= nr.MaxOpen {
				return ErrTooManyRequests
			}
			id = NewID()
			var (
				trackID                 any
				identity, artist, title string
				key, camelot            any
				bpm, dur                any
			)
			if t := nr.Track; t != nil {
				trackID, identity, artist, title = t.ID, protocol.TrackIdentity(t.Artist, t.Title), t.Artist, t.Title
				key, camelot, bpm, dur = nullString(t.Key), nullString(t.Camelot), floatOrNil(t.BPM), floatOrNil(t.DurationS)
			}
			if _, err := tx.Exec(`INSERT INTO requests (id, session_id, track_id, identity, artist, title, bpm, musical_key, camelot, duration_s,
				text, state, reason, count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', '', 1, ?, ?)`,
				id, nr.SessionID, trackID, identity, artist, title, bpm, key, camelot, dur, nr.Text, at, at); err != nil {
				return fmt.Errorf("insert request: %w", err)
			}
		} else if _, err := tx.Exec(`UPDATE requests SET count = count + 1, updated_at = ? WHERE id = ?`, at, id); err != nil {
			return fmt.Errorf("count request: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO request_askers (request_id, session_id, client_id, asked_at) VALUES (?, ?, ?, ?)`,
			id, nr.SessionID, nr.ClientID, at); err != nil {
			return fmt.Errorf("insert request asker: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// AnswerRequest sets a request's state (accepted, declined with a reason,
// played). A played or declined request stays so (ErrRequestClosed).
func (s *Store) AnswerRequest(ctx context.Context, sessionID, requestID, state, reason string, at time.Time) error {
	defer s.timed("answer_request", time.Now())
	return s.write(ctx, "answer request", func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRow(`SELECT state FROM requests WHERE id = ? AND session_id = ?`, requestID, sessionID).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return fmt.Errorf("read request: %w", err)
		case cur == state && state != protocol.RequestDeclined:
			return nil
		case cur == protocol.RequestPlayed || cur == protocol.RequestDeclined:
			return ErrRequestClosed
		}
		if _, err := tx.Exec(`UPDATE requests SET state = ?, reason = ?, updated_at = ? WHERE id = ?`, state, reason, ms(at), requestID); err != nil {
			return fmt.Errorf("answer request: %w", err)
		}
		return nil
	})
}

const requestCols = `r.id, COALESCE(r.track_id, ''), r.artist, r.title, r.bpm, COALESCE(r.musical_key, ''), COALESCE(r.camelot, ''), r.duration_s,
	r.text, r.count, r.state, r.reason, r.created_at, r.updated_at`

func scanRequest(sc interface{ Scan(...any) error }) (protocol.Request, error) {
	var (
		q            protocol.Request
		bpm, dur     sql.NullFloat64
		created, upd int64
	)
	if err := sc.Scan(&q.RequestID, &q.TrackID, &q.Artist, &q.Title, &bpm, &q.Key, &q.Camelot, &dur,
		&q.Text, &q.Count, &q.State, &q.Reason, &created, &upd); err != nil {
		return q, err
	}
	if bpm.Valid {
		q.BPM = &bpm.Float64
	}
	if dur.Valid {
		q.DurationS = &dur.Float64
	}
	q.CreatedAt, q.UpdatedAt = fromMS(created), fromMS(upd)
	return q, nil
}

// OpenRequests lists a session's waiting and accepted requests, most
// asked for first, then oldest first.
func (s *Store) OpenRequests(ctx context.Context, sessionID string) ([]protocol.Request, error) {
	defer s.timed("open_requests", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+requestCols+` FROM requests r
		WHERE r.session_id = ? AND r.state IN ('waiting', 'accepted') ORDER BY r.count DESC, r.created_at, r.id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("list open requests: %w", err)
	}
	defer rows.Close()
	out := []protocol.Request{}
	for rows.Next() {
		q, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list open requests: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Request reads one request of a session.
func (s *Store) Request(ctx context.Context, sessionID, requestID string) (protocol.Request, error) {
	q, err := scanRequest(s.rd.QueryRowContext(ctx, `SELECT `+requestCols+` FROM requests r WHERE r.id = ? AND r.session_id = ?`, requestID, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return q, ErrNotFound
	}
	if err != nil {
		return q, fmt.Errorf("read request: %w", err)
	}
	return q, nil
}

// LatestRequest is a dancer's latest request in a session (nil: none)
// and when the dancer asked.
func (s *Store) LatestRequest(ctx context.Context, sessionID, clientID string) (*protocol.Request, time.Time, error) {
	var asked int64
	q, err := scanRequest(scanWith{s.rd.QueryRowContext(ctx, `SELECT `+requestCols+`, a.asked_at FROM request_askers a JOIN requests r ON r.id = a.request_id
		WHERE a.session_id = ? AND a.client_id = ? ORDER BY a.asked_at DESC LIMIT 1`, sessionID, clientID), []any{&asked}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("read dancer's request: %w", err)
	}
	return &q, fromMS(asked), nil
}

// Asker is a dancer who asked for a request, and when.
type Asker struct {
	ClientID string
	AskedAt  time.Time
}

// RequestAskers lists the dancers who asked for a request.
func (s *Store) RequestAskers(ctx context.Context, requestID string) ([]Asker, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT client_id, asked_at FROM request_askers WHERE request_id = ?`, requestID)
	if err != nil {
		return nil, fmt.Errorf("list request askers: %w", err)
	}
	defer rows.Close()
	var out []Asker
	for rows.Next() {
		var (
			a  Asker
			at int64
		)
		if err := rows.Scan(&a.ClientID, &at); err != nil {
			return nil, fmt.Errorf("list request askers: %w", err)
		}
		a.AskedAt = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// PlayedTonight maps the identity (protocol.TrackIdentity) of every track
// played in the session, or on its event's stages since since, to when
// it was last played.
func (s *Store) PlayedTonight(ctx context.Context, sessionID string, since time.Time) (map[string]time.Time, error) {
	defer s.timed("played_tonight", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT t.identity, MAX(p.started_at) FROM plays p JOIN tracks t ON t.id = p.track_id
		WHERE p.session_id = ?1 OR (p.started_at >= ?2 AND p.session_id IN (
			SELECT o.id FROM sessions o JOIN stages st ON st.id = o.stage_id WHERE st.event_id = (
				SELECT st2.event_id FROM sessions me JOIN stages st2 ON st2.id = me.stage_id WHERE me.id = ?1)))
		GROUP BY t.identity`, sessionID, ms(since))
	if err != nil {
		return nil, fmt.Errorf("list tracks played tonight: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var (
			id string
			at int64
		)
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("list tracks played tonight: %w", err)
		}
		out[id] = fromMS(at)
	}
	return out, rows.Err()
}

// SessionTimeZone is the time zone of the event whose stage the session
// is on ("" for a session on no stage).
func (s *Store) SessionTimeZone(ctx context.Context, sessionID string) (string, error) {
	var tz string
	err := s.rd.QueryRowContext(ctx, `SELECT e.time_zone FROM sessions me JOIN stages st ON st.id = me.stage_id
		JOIN events e ON e.id = st.event_id WHERE me.id = ?`, sessionID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read session's time zone: %w", err)
	}
	return tz, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func floatOrNil(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
