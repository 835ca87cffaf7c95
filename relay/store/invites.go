package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// CreateInvite stores a single-use invitation to become role in the
// event; only the hash of its token is kept.
func (s *Store) CreateInvite(ctx context.Context, eventID, createdBy, label string, role protocol.EventRole, tokenHash string, expires time.Time) (protocol.Invite, error) {
	defer s.timed("create_invite", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	inv := protocol.Invite{ID: NewID(), Label: label, Role: role, CreatedAt: now, ExpiresAt: expires.UTC().Truncate(time.Millisecond)}
	err := s.write(ctx, "create invite", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO event_invites (id, event_id, token_hash, label, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			inv.ID, eventID, tokenHash, label, role, createdBy, ms(now), ms(inv.ExpiresAt))
		return err
	})
	if err != nil {
		return protocol.Invite{}, fmt.Errorf("create invite: %w", err)
	}
	return inv, nil
}

// Invites lists an event's invitations, newest first, without tokens.
func (s *Store) Invites(ctx context.Context, eventID string) ([]protocol.Invite, error) {
	defer s.timed("invites", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT i.id, i.label, i.role, i.created_at, i.expires_at, COALESCE(d.display_name, ''), i.accepted_at
		FROM event_invites i LEFT JOIN djs d ON d.id = i.accepted_by WHERE i.event_id = ? ORDER BY i.created_at DESC`, eventID)
	if err != nil {
		return nil, fmt.Errorf("list invites: %w", err)
	}
	defer rows.Close()
	out := []protocol.Invite{}
	for rows.Next() {
		var (
			inv              protocol.Invite
			created, expires int64
			accepted         sql.NullInt64
		)
		if err := rows.Scan(&inv.ID, &inv.Label, &inv.Role, &created, &expires, &inv.AcceptedBy, &accepted); err != nil {
			return nil, fmt.Errorf("list invites: %w", err)
		}
		inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = fromMS(created), fromMS(expires), nullMS(accepted)
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeInvite deletes an invitation that was not accepted yet.
func (s *Store) RevokeInvite(ctx context.Context, eventID, inviteID string) error {
	defer s.timed("revoke_invite", time.Now())
	return s.write(ctx, "revoke invite", func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM event_invites WHERE id = ? AND event_id = ? AND accepted_by IS NULL`, inviteID, eventID)
		return affected(res, err)
	})
}

// AcceptInvite gives djID the invitation's role in its event and returns
// the event's id. Accepting again by the same DJ is harmless; an
// invitation accepted by someone else is ErrInviteUsed, one past its time
// ErrInviteExpired, an unknown one ErrNotFound. An organizer who accepts
// a DJ invitation stays an organizer.
func (s *Store) AcceptInvite(ctx context.Context, tokenHash, djID string, now time.Time) (string, error) {
	defer s.timed("accept_invite", time.Now())
	var eventID string
	err := s.write(ctx, "accept invite", func(tx *sql.Tx) error {
		var (
			id       string
			role     string
			expires  int64
			accepter sql.NullString
		)
		err := tx.QueryRow(`SELECT id, event_id, role, expires_at, accepted_by FROM event_invites WHERE token_hash = ?`, tokenHash).Scan(&id, &eventID, &role, &expires, &accepter)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case accepter.Valid && accepter.String == djID:
			return nil
		case accepter.Valid:
			return ErrInviteUsed
		case now.After(fromMS(expires)):
			return ErrInviteExpired
		}
		if _, err := tx.Exec(`UPDATE event_invites SET accepted_by = ?, accepted_at = ? WHERE id = ?`, djID, ms(now), id); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO event_members (event_id, dj_id, role, since) VALUES (?, ?, ?, ?)
			ON CONFLICT (event_id, dj_id) DO UPDATE SET role = 'organizer' WHERE excluded.role = 'organizer'`, eventID, djID, role, ms(now))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("accept invite: %w", err)
	}
	return eventID, nil
}
