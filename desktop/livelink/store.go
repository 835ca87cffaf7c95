package livelink

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The outbox and the session state live in the app's own database (the
// library's), so a crash or a restart loses neither.
const schema = `
CREATE TABLE IF NOT EXISTS livelink_outbox (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	type       TEXT    NOT NULL,
	payload    TEXT    NOT NULL,
	created_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS livelink_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`

// State keys.
const (
	keySessionID     = "session_id"
	keyLastConnected = "last_connected"
	keyRelayURL      = "relay_url"
	keyJoinURL       = "join_url"
	keyLocalJoinURL  = "local_join_url"
	keyRecapURL      = "recap_url"
	keyDJName        = "dj_name"
)

type store struct {
	db  *sql.DB
	max int
}

func (s *store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("livelink: create tables: %w", err)
	}
	return nil
}

// outboxRow is one stored DJ message.
type outboxRow struct {
	id      int64
	typ     string
	payload []byte
}

// push stores a message and drops the oldest beyond the bound; it returns
// how many were dropped.
func (s *store) push(ctx context.Context, typ string, payload []byte) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("livelink: store message: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO livelink_outbox (type, payload, created_at) VALUES (?, ?, ?)`,
		typ, string(payload), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
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

// first returns the oldest stored message, or ok=false.
func (s *store) first(ctx context.Context) (outboxRow, bool, error) {
	var r outboxRow
	var p string
	err := s.db.QueryRowContext(ctx, `SELECT id, type, payload FROM livelink_outbox ORDER BY id LIMIT 1`).Scan(&r.id, &r.typ, &p)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("livelink: read outbox: %w", err)
	}
	r.payload = []byte(p)
	return r, true, nil
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
	if _, err := s.db.ExecContext(ctx, `DELETE FROM livelink_state WHERE key IN (?, ?, ?, ?, ?, ?)`,
		keySessionID, keyLastConnected, keyJoinURL, keyLocalJoinURL, keyRecapURL, keyDJName); err != nil {
		return fmt.Errorf("livelink: clear session: %w", err)
	}
	return nil
}
