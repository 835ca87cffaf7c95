package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// PlaysPage returns up to limit of a session's plays, newest first, older
// than the play beforeID (from the newest when beforeID is ""), and whether
// older ones remain. A beforeID that is not a play of the session is
// ErrNotFound.
func (s *Store) PlaysPage(ctx context.Context, sessionID, beforeID string, limit int) ([]protocol.HistoryEntry, bool, error) {
	defer s.timed("plays_page", time.Now())
	// The order is the history's (started_at, then insertion, descending);
	// the cursor is a position in it.
	var (
		rows *sql.Rows
		err  error
	)
	if beforeID == "" {
		rows, err = s.rd.QueryContext(ctx, `SELECT `+playCols+` FROM plays p JOIN tracks t ON t.id = p.track_id
			WHERE p.session_id = ? ORDER BY p.started_at DESC, p.rowid DESC LIMIT ?`, sessionID, int64(limit+1))
	} else {
		var at, rowid int64
		err = s.rd.QueryRowContext(ctx, `SELECT started_at, rowid FROM plays WHERE id = ? AND session_id = ?`, beforeID, sessionID).Scan(&at, &rowid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, ErrNotFound
		}
		if err != nil {
			return nil, false, fmt.Errorf("read history cursor: %w", err)
		}
		rows, err = s.rd.QueryContext(ctx, `SELECT `+playCols+` FROM plays p JOIN tracks t ON t.id = p.track_id
			WHERE p.session_id = ? AND (p.started_at < ? OR p.started_at = ? AND p.rowid < ?)
			ORDER BY p.started_at DESC, p.rowid DESC LIMIT ?`, sessionID, at, at, rowid, int64(limit+1))
	}
	if err != nil {
		return nil, false, fmt.Errorf("list plays: %w", err)
	}
	defer rows.Close()
	out := []protocol.HistoryEntry{}
	for rows.Next() {
		r, err := scanPlay(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list plays: %w", err)
		}
		out = append(out, r.HistoryEntry)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list plays: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// CountDJLiveSessions counts a DJ's sessions that have not ended,
// including those waiting for the DJ to come back.
func (s *Store) CountDJLiveSessions(ctx context.Context, djID string) (int, error) {
	var n int
	if err := s.rd.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE dj_id = ? AND ended_at IS NULL`, djID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count live sessions of dj: %w", err)
	}
	return n, nil
}
