package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SetHandOver records that a live stage set's DJ hands the stage over,
// to the DJ toDJID ("" for any DJ of the event), until until; a later one
// replaces it.
func (s *Store) SetHandOver(ctx context.Context, sessionID, toDJID string, until time.Time) error {
	return s.write(ctx, "hand over", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE sessions SET handover_to = ?, handover_until = ? WHERE id = ? AND ended_at IS NULL`, toDJID, ms(until), sessionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// HandOver is a live set's pending hand-over: ok is false when its DJ
// handed nothing over or the hand-over ran out at now.
func (s *Store) HandOver(ctx context.Context, sessionID string, now time.Time) (toDJID string, ok bool, err error) {
	var to sql.NullString
	var until sql.NullInt64
	err = s.rd.QueryRowContext(ctx, `SELECT handover_to, handover_until FROM sessions WHERE id = ? AND ended_at IS NULL`, sessionID).Scan(&to, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !to.Valid || !until.Valid || until.Int64 < ms(now) {
		return "", false, nil
	}
	return to.String, true, nil
}
