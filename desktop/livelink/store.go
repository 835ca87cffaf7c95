package livelink

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// The outbox and the session state live in the app's own database (the
// library's, library.db), so a crash or a restart loses neither. Their
// tables are created and upgraded with the rest of that file's schema, by
// librarydb.

// State keys.
const (
	keySessionID     = "session_id"
	keyLastConnected = "last_connected"
	keyRelayURL      = "relay_url"
	keyJoinURL       = "join_url"
	keyLocalJoinURL  = "local_join_url"
	keyRecapURL      = "recap_url"
	keyDJName        = "dj_name"
	// keyLastPlayedAt is the start time of the newest play queued, so a
	// restart can catch up on what the DJ software logged meanwhile.
	keyLastPlayedAt = "last_played_at"
	// keyPIN is the session's PIN (the one the room is shown), so that a
	// resume after a restart, which the DJ starts without typing it
	// again, keeps it for a session the relay then has to start anew.
	keyPIN = "pin"
)

type store struct {
	db  *sql.DB
	max int
}

// outboxRow is one stored DJ message.
type outboxRow struct {
	id      int64
	typ     string
	payload []byte
}

// push stores a message queued for session (a session id, or this run's
// pending tag before any session is registered) and drops the oldest
// beyond the bound; it returns how many were dropped.
func (s *store) push(ctx context.Context, session, typ string, payload []byte) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("livelink: store message: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO livelink_outbox (type, payload, created_at, session_id) VALUES (?, ?, ?, ?)`,
		typ, string(payload), time.Now().UTC().Format(time.RFC3339Nano), session); err != nil {
		return 0, fmt.Errorf("livelink: store message: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM livelink_outbox WHERE id IN (
		SELECT id FROM livelink_outbox ORDER BY id DESC LIMIT -1 OFFSET ?)`, s.max)
	if err != nil {
		return 0, fmt.Errorf("livelink: bound outbox: %w", err)
	}
	dropped, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("livelink: store message: %w", err)
	}
	return dropped, nil
}

// first returns the oldest message stored for session (or under pending,
// this run's tag for messages queued before a session existed), or ok=false.
func (s *store) first(ctx context.Context, session, pending string) (outboxRow, bool, error) {
	var r outboxRow
	var p string
	err := s.db.QueryRowContext(ctx, `SELECT id, type, payload FROM livelink_outbox
		WHERE session_id IN (?, ?) ORDER BY id LIMIT 1`, session, pending).Scan(&r.id, &r.typ, &p)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("livelink: read outbox: %w", err)
	}
	r.payload = []byte(p)
	return r, true, nil
}

// adopt gives session the messages queued under pending and deletes those
// queued for any other session (one that could not be resumed: replaying
// them would put an old gig's plays into this one). It returns the dropped
// messages per session.
func (s *store) adopt(ctx context.Context, session, pending string) (map[string]staleMessages, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("livelink: assign outbox: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE livelink_outbox SET session_id = ? WHERE session_id = ?`, session, pending); err != nil {
		return nil, fmt.Errorf("livelink: assign outbox: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT session_id, type, payload FROM livelink_outbox WHERE session_id <> ? ORDER BY id`, session)
	if err != nil {
		return nil, fmt.Errorf("livelink: read outbox: %w", err)
	}
	stale := map[string]staleMessages{}
	for rows.Next() {
		var id, typ, payload string
		if err := rows.Scan(&id, &typ, &payload); err != nil {
			rows.Close()
			return nil, fmt.Errorf("livelink: read outbox: %w", err)
		}
		m := stale[id]
		m.count++
		if typ == string(protocol.TypeNowPlaying) {
			// The DJ is told which tracks the dancers did not see.
			var np protocol.NowPlaying
			if json.Unmarshal([]byte(payload), &np) == nil {
				m.tracks = append(m.tracks, trackName(np.Track))
			}
		}
		stale[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("livelink: read outbox: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM livelink_outbox WHERE session_id <> ?`, session); err != nil {
		return nil, fmt.Errorf("livelink: drop stale outbox: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("livelink: assign outbox: %w", err)
	}
	return stale, nil
}

// staleMessages are the messages dropped for one earlier session: how many,
// and the tracks among them ("Artist – Title").
type staleMessages struct {
	count  int
	tracks []string
}

// trackName is how the DJ recognises a track in a message.
func trackName(t protocol.Track) string {
	switch {
	case t.Artist != "" && t.Title != "":
		return t.Artist + " – " + t.Title
	case t.Title != "":
		return t.Title
	}
	return t.Artist
}

func (s *store) remove(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM livelink_outbox WHERE id = ?`, id); err != nil {
		return fmt.Errorf("livelink: delete delivered message: %w", err)
	}
	return nil
}

func (s *store) pending(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM livelink_outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("livelink: count outbox: %w", err)
	}
	return n, nil
}

func (s *store) get(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM livelink_state WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("livelink: read state %s: %w", key, err)
	}
	return v, nil
}

func (s *store) set(ctx context.Context, kv map[string]string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("livelink: save state: %w", err)
	}
	defer tx.Rollback()
	for k, v := range kv {
		if _, err := tx.ExecContext(ctx, `INSERT INTO livelink_state (key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("livelink: save state %s: %w", k, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("livelink: save state: %w", err)
	}
	return nil
}

func (s *store) clearSession(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM livelink_state WHERE key IN (?, ?, ?, ?, ?, ?, ?, ?)`,
		keySessionID, keyLastConnected, keyJoinURL, keyLocalJoinURL, keyRecapURL, keyDJName, keyLastPlayedAt, keyPIN); err != nil {
		return fmt.Errorf("livelink: clear session: %w", err)
	}
	return nil
}
