package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// maxListenerSamples bounds one session's samples read back: the room
// records one at most per counter flush (about a second), so this is
// days of a busy set.
const maxListenerSamples = 200_000

// RecordListeners keeps a session's dancer count from at on.
func (s *Store) RecordListeners(ctx context.Context, sessionID string, at time.Time, n int) error {
	return s.write(ctx, "record listeners", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO listener_samples (session_id, at, count) VALUES (?, ?, ?)
			ON CONFLICT (session_id, at) DO UPDATE SET count = excluded.count`, sessionID, ms(at), int64(n))
		return err
	})
}

// ListenerSamples lists a session's dancer counts, oldest first.
func (s *Store) ListenerSamples(ctx context.Context, sessionID string) ([]protocol.ListenerSample, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT at, count FROM listener_samples WHERE session_id = ? ORDER BY at LIMIT ?`, sessionID, maxListenerSamples)
	if err != nil {
		return nil, fmt.Errorf("read listener samples: %w", err)
	}
	defer rows.Close()
	out := []protocol.ListenerSample{}
	for rows.Next() {
		var at, n int64
		if err := rows.Scan(&at, &n); err != nil {
			return nil, fmt.Errorf("read listener samples: %w", err)
		}
		out = append(out, protocol.ListenerSample{At: fromMS(at), Count: int(n)})
	}
	return out, rows.Err()
}

// LatestListeners is a session's last recorded dancer count (0 when none):
// what its owner relay counted, for a relay that has no room of it.
func (s *Store) LatestListeners(ctx context.Context, sessionID string) (int, error) {
	var n int64
	err := s.rd.QueryRowContext(ctx, `SELECT count FROM listener_samples WHERE session_id = ? ORDER BY at DESC LIMIT 1`, sessionID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read listener count: %w", err)
	}
	return int(n), nil
}
