package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// A live session shared by several relays has one owner relay, which
// applies its writes in order. Ownership is a lease in the session's row:
// the owner renews it; when the owner dies the lease runs out and another
// relay claims the session. A relay alone takes no leases.

// ClaimOwner makes relay the owner of a live session until until, when no
// other relay holds an unexpired lease on it at now. It reports whether
// relay owns it now; the previous owner, if its lease ran out, is
// returned so the caller can tell a take-over.
func (s *Store) ClaimOwner(ctx context.Context, sessionID, relay string, now, until time.Time) (owned bool, previous string, err error) {
	err = s.write(ctx, "claim session", func(tx *sql.Tx) error {
		var prev sql.NullString
		var left sql.NullInt64
		err := tx.QueryRow(`SELECT owner_relay, owner_until FROM sessions WHERE id = ? AND ended_at IS NULL`, sessionID).Scan(&prev, &left)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if prev.Valid && prev.String != relay && left.Valid && left.Int64 >= ms(now) {
			return nil
		}
		if _, err := tx.Exec(`UPDATE sessions SET owner_relay = ?, owner_until = ? WHERE id = ?`, relay, ms(until), sessionID); err != nil {
			return err
		}
		owned = true
		if prev.String != relay {
			previous = prev.String
		}
		return nil
	})
	return owned, previous, err
}

// RenewOwner extends relay's leases on the sessions to until and returns
// those it still owned (a session it lost or that ended is left out).
func (s *Store) RenewOwner(ctx context.Context, relay string, ids []string, until time.Time) ([]string, error) {
	var kept []string
	if len(ids) == 0 {
		return nil, nil
	}
	err := s.write(ctx, "renew sessions", func(tx *sql.Tx) error {
		kept = kept[:0]
		for _, id := range ids {
			res, err := tx.Exec(`UPDATE sessions SET owner_until = ? WHERE id = ? AND owner_relay = ? AND ended_at IS NULL`, ms(until), id, relay)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				kept = append(kept, id)
			}
		}
		return nil
	})
	return kept, err
}

// ReleaseOwner gives up relay's lease on a session at once, so another
// relay may claim it without waiting for it to run out.
func (s *Store) ReleaseOwner(ctx context.Context, sessionID, relay string) error {
	return s.write(ctx, "release session", func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE sessions SET owner_relay = NULL, owner_until = NULL WHERE id = ? AND owner_relay = ?`, sessionID, relay)
		return err
	})
}
