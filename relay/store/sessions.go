package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Session is a stored live or ended session.
type Session struct {
	ID            string
	DJID          string
	DJName        string
	Name          string
	PinHash       string // empty: not protected
	StartedAt     time.Time
	EndedAt       *time.Time
	DJLeftAt      *time.Time
	PeakListeners int
	Plays         int
	StageID       string // empty: not a set on an event's stage
	StageSlug     string
	// RecapPublic: the recap opens for anyone once the session ended.
	RecapPublic bool
}

// Live reports whether the session has not ended.
func (s Session) Live() bool { return s.EndedAt == nil }

const sessionCols = `s.id, s.dj_id, d.display_name, s.name, COALESCE(s.pin_hash, ''), s.started_at, s.ended_at, s.dj_left_at, s.peak_listeners,
	(SELECT COUNT(*) FROM plays p WHERE p.session_id = s.id), COALESCE(s.recap_public, s.pin_hash IS NULL), COALESCE(s.stage_id, ''),
	COALESCE((SELECT slug FROM stages st WHERE st.id = s.stage_id), '')`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var (
		s             Session
		started       int64
		ended, djLeft sql.NullInt64
	)
	if err := sc.Scan(&s.ID, &s.DJID, &s.DJName, &s.Name, &s.PinHash, &started, &ended, &djLeft, &s.PeakListeners, &s.Plays, &s.RecapPublic, &s.StageID, &s.StageSlug); err != nil {
		return Session{}, err
	}
	s.StartedAt, s.EndedAt, s.DJLeftAt = fromMS(started), nullMS(ended), nullMS(djLeft)
	return s, nil
}

// CreateSession starts a session for a DJ, its recap public when it ends
// unless it has a PIN.
func (s *Store) CreateSession(ctx context.Context, djID, djName, name, pinHash string, at time.Time) (Session, error) {
	return s.StartSession(ctx, NewSession{DJID: djID, DJName: djName, Name: name, PinHash: pinHash, At: at})
}

// NewSession is what StartSession records.
type NewSession struct {
	ID                 string // empty: a new id
	DJID, DJName, Name string
	PinHash            string // empty: no PIN
	StageID            string // empty: not on a stage
	// Replaces is the live set of the stage this one takes over: it ends
	// in the same transaction, so the stage is never without a set nor
	// with two, and the new set exists before anyone is sent to it.
	Replaces string
	At       time.Time
	// RecapPublic overrides the default (private for a PIN session,
	// public otherwise).
	RecapPublic *bool
}

// ErrStageBusy refuses a second live session on one stage.
var ErrStageBusy = errors.New("another session is live on this stage")

// StartSession starts a session for a DJ, on a stage when StageID is set.
// The database keeps one live session per stage (ErrStageBusy).
func (s *Store) StartSession(ctx context.Context, n NewSession) (Session, error) {
	defer s.timed("create_session", time.Now())
	if n.ID == "" {
		n.ID = NewID()
	}
	sess := Session{ID: n.ID, DJID: n.DJID, DJName: n.DJName, Name: n.Name, PinHash: n.PinHash, StartedAt: n.At.UTC().Truncate(time.Millisecond),
		RecapPublic: n.PinHash == "", StageID: n.StageID}
	var pin, public, stage any
	if n.PinHash != "" {
		pin = n.PinHash
	}
	if n.RecapPublic != nil {
		sess.RecapPublic = *n.RecapPublic
		public = *n.RecapPublic
	}
	if n.StageID != "" {
		stage = n.StageID
	}
	err := s.write(ctx, "create session", func(tx *sql.Tx) error {
		if n.Replaces != "" {
			if _, err := endSession(tx, n.Replaces, ms(sess.StartedAt)); err != nil {
				return err
			}
		}
		if stage != nil {
			var busy bool
			if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM sessions WHERE stage_id = ? AND ended_at IS NULL)`, stage).Scan(&busy); err != nil {
				return err
			}
			if busy {
				return ErrStageBusy
			}
		}
		_, err := tx.Exec(`INSERT INTO sessions (id, dj_id, name, pin_hash, started_at, recap_public, stage_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sess.ID, n.DJID, n.Name, pin, ms(sess.StartedAt), public, stage)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// LastOnStage is the latest ended session of a stage, ErrNotFound when
// none ended yet.
func (s *Store) LastOnStage(ctx context.Context, stageID string) (Session, error) {
	defer s.timed("last_on_stage", time.Now())
	sess, err := scanSession(s.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions s JOIN djs d ON d.id = s.dj_id
		WHERE s.stage_id = ? AND s.ended_at IS NOT NULL ORDER BY s.ended_at DESC LIMIT 1`, stageID))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("read stage's last session: %w", err)
	}
	return sess, nil
}

// LiveOnStage is the session live on a stage, ErrNotFound between sets.
func (s *Store) LiveOnStage(ctx context.Context, stageID string) (Session, error) {
	defer s.timed("live_on_stage", time.Now())
	sess, err := scanSession(s.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions s JOIN djs d ON d.id = s.dj_id
		WHERE s.stage_id = ? AND s.ended_at IS NULL ORDER BY s.started_at DESC LIMIT 1`, stageID))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("read stage's live session: %w", err)
	}
	return sess, nil
}

// Session reads one session.
func (s *Store) Session(ctx context.Context, id string) (Session, error) {
	defer s.timed("session", time.Now())
	sess, err := scanSession(s.rd.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions s JOIN djs d ON d.id = s.dj_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	return sess, nil
}

func (s *Store) sessions(ctx context.Context, where string, args ...any) ([]Session, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions s JOIN djs d ON d.id = s.dj_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// LiveSessions lists the sessions that have not ended, newest first.
func (s *Store) LiveSessions(ctx context.Context) ([]Session, error) {
	defer s.timed("live_sessions", time.Now())
	return s.sessions(ctx, `s.ended_at IS NULL ORDER BY s.started_at DESC LIMIT 500`)
}

// CountLiveSessions counts the sessions that have not ended.
func (s *Store) CountLiveSessions(ctx context.Context) (int, error) {
	var n int
	if err := s.rd.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count live sessions: %w", err)
	}
	return n, nil
}

// DJSessions lists a DJ's sessions, live or ended, newest first.
func (s *Store) DJSessions(ctx context.Context, djID string, limit int) ([]Session, error) {
	defer s.timed("dj_sessions", time.Now())
	return s.sessions(ctx, `s.dj_id = ? ORDER BY s.started_at DESC LIMIT ?`, djID, int64(limit))
}

// SetDJLeft records when the DJ's connection went away (nil: the DJ is
// back). Either way the DJ was active then.
func (s *Store) SetDJLeft(ctx context.Context, sessionID string, at *time.Time) error {
	defer s.timed("set_dj_left", time.Now())
	var v any
	active := time.Now()
	if at != nil {
		v = ms(*at)
		active = *at
	}
	return s.write(ctx, "set dj left", func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE sessions SET dj_left_at = ?, last_active_at = MAX(COALESCE(last_active_at, 0), ?) WHERE id = ? AND ended_at IS NULL`,
			v, ms(active), sessionID)
		return err
	})
}

// TouchSessions records that the DJs of these live sessions were active at
// at. It does not wait for the commit: it is a hint for crash recovery and
// must not slow the DJ's commands down.
func (s *Store) TouchSessions(ctx context.Context, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	t := ms(at)
	op := &writeOp{name: "touch sessions", done: make(chan error, 1), fn: func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(`UPDATE sessions SET last_active_at = MAX(COALESCE(last_active_at, 0), ?) WHERE id = ? AND ended_at IS NULL`, t, id); err != nil {
				return err
			}
		}
		return nil
	}}
	return s.enqueue(ctx, op)
}

// MarkOrphans gives every live session without a recorded DJ departure
// (its relay crashed) the departure time at, so the DJ's resume window
// starts now, and keeps its last recorded activity (or its latest play's
// start, or its own start) as the time it ends if nobody resumes it. A
// session whose owner relay's lease still runs at at is left alone: its
// DJ is on a relay that is alive; one whose lease ran out has its DJ gone
// since the lease's end, and no owner any more.
func (s *Store) MarkOrphans(ctx context.Context, at time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "mark orphans", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE sessions SET dj_left_at = MIN(?1, COALESCE(owner_until, ?1)),
			last_active_at = MIN(?1, MAX(started_at, COALESCE(last_active_at, 0),
				COALESCE((SELECT MAX(p.started_at) FROM plays p WHERE p.session_id = sessions.id), 0))),
			owner_relay = NULL, owner_until = NULL
			WHERE ended_at IS NULL AND dj_left_at IS NULL AND (owner_until IS NULL OR owner_until < ?1)`, ms(at))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return 0, err
	}
	return n, nil
}

// EndSession ends a live session at the given time, closing its open polls
// and ending its last play then. It reports false when it had already
// ended.
func (s *Store) EndSession(ctx context.Context, sessionID string, at time.Time) (bool, error) {
	defer s.timed("end_session", time.Now())
	var ended bool
	err := s.write(ctx, "end session", func(tx *sql.Tx) error {
		var err error
		ended, err = endSession(tx, sessionID, ms(at))
		return err
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return ended, nil
}

func endSession(tx *sql.Tx, sessionID string, at int64) (bool, error) {
	res, err := tx.Exec(`UPDATE sessions SET ended_at = MAX(?, started_at) WHERE id = ? AND ended_at IS NULL`, at, sessionID)
	if err != nil {
		return false, fmt.Errorf("end session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if _, err := tx.Exec(`UPDATE plays SET ended_at = MAX(?, started_at) WHERE session_id = ? AND ended_at IS NULL`, at, sessionID); err != nil {
		return false, fmt.Errorf("end last play: %w", err)
	}
	if _, err := tx.Exec(`UPDATE polls SET closed_at = MAX(MIN(?, COALESCE(ends_at, ?)), created_at) WHERE session_id = ? AND closed_at IS NULL`, at, at, sessionID); err != nil {
		return false, fmt.Errorf("close polls: %w", err)
	}
	if _, err := tx.Exec(`UPDATE announcements SET cleared_at = ? WHERE session_id = ? AND cleared_at IS NULL`, at, sessionID); err != nil {
		return false, fmt.Errorf("clear announcements: %w", err)
	}
	// An ended set sends no more pushes: its subscriptions go with it (a
	// stage's stay, for the next set).
	if _, err := tx.Exec(`DELETE FROM push_subscriptions WHERE session_id = ?`, sessionID); err != nil {
		return false, fmt.Errorf("drop push subscriptions: %w", err)
	}
	return true, nil
}

// EndAbandoned ends every live session whose DJ left before cutoff, with
// the end time set to when the DJ was last active (when the DJ left, or
// for a session orphaned by a crash its last recorded activity). It
// returns their ids.
func (s *Store) EndAbandoned(ctx context.Context, cutoff time.Time) ([]string, error) {
	defer s.timed("end_abandoned", time.Now())
	var ids []string
	err := s.write(ctx, "end abandoned", func(tx *sql.Tx) error {
		ids = ids[:0]
		rows, err := tx.Query(`SELECT id, MIN(dj_left_at, COALESCE(last_active_at, dj_left_at)) FROM sessions WHERE ended_at IS NULL AND dj_left_at < ?`, ms(cutoff))
		if err != nil {
			return err
		}
		type gone struct {
			id string
			at int64
		}
		var list []gone
		for rows.Next() {
			var g gone
			if err := rows.Scan(&g.id, &g.at); err != nil {
				rows.Close()
				return err
			}
			list = append(list, g)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range list {
			ok, err := endSession(tx, g.id, g.at)
			if err != nil {
				return err
			}
			if ok {
				ids = append(ids, g.id)
			}
		}
		return nil
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return nil, err
	}
	return ids, nil
}

// RaisePeak records a listener count if it beats the session's peak.
func (s *Store) RaisePeak(ctx context.Context, sessionID string, n int) error {
	return s.write(ctx, "raise peak", func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE sessions SET peak_listeners = ? WHERE id = ? AND peak_listeners < ?`, int64(n), sessionID, int64(n))
		return err
	})
}

// AddDancer records that a client joined a session (for unique dancers).
func (s *Store) AddDancer(ctx context.Context, sessionID, clientID string, at time.Time) error {
	defer s.timed("add_dancer", time.Now())
	return s.write(ctx, "add dancer", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO dancers (session_id, client_id, first_seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			sessionID, clientID, ms(at))
		return err
	})
}

// SetPinHash replaces a session's PIN hash (empty: no PIN). The recap's
// default follows the PIN unless the DJ chose it.
func (s *Store) SetPinHash(ctx context.Context, sessionID, pinHash string) error {
	defer s.timed("set_pin", time.Now())
	var pin any
	if pinHash != "" {
		pin = pinHash
	}
	return s.write(ctx, "set session pin", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE sessions SET pin_hash = ? WHERE id = ?`, pin, sessionID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ReplacePinHash swaps a session's PIN hash for another only while it is
// still old, so rehashing an old-style hash never undoes a PIN the DJ set
// meanwhile. It reports whether it replaced it.
func (s *Store) ReplacePinHash(ctx context.Context, sessionID, old, pinHash string) (bool, error) {
	defer s.timed("set_pin", time.Now())
	var done bool
	err := s.write(ctx, "replace session pin", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE sessions SET pin_hash = ? WHERE id = ? AND pin_hash = ?`, pinHash, sessionID, old)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		done = n == 1
		return err
	})
	return done, err
}

// Summary is the API view of a session.
func (s Session) Summary(listeners int) protocol.SessionSummary {
	return protocol.SessionSummary{
		ID: s.ID, Name: s.Name, DJName: s.DJName, StartedAt: s.StartedAt, EndedAt: s.EndedAt,
		Listeners: listeners, Protected: s.PinHash != "", Plays: &s.Plays,
	}
}
