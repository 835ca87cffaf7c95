package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrTooManyPushSubscriptions refuses a subscription past the bound of its
// session or stage.
var ErrTooManyPushSubscriptions = errors.New("too many push subscriptions")

// PushSubscription is a browser's Web Push subscription to a session or a
// stage (exactly one of SessionID and StageID is set).
type PushSubscription struct {
	Endpoint  string
	P256dh    string // the browser's ECDH public key, base64url
	Auth      string // the browser's auth secret, base64url
	SessionID string
	StageID   string
}

// VAPIDKeys returns the relay's VAPID key pair, storing mk's on first use.
// Relays sharing a database keep the first one stored.
func (s *Store) VAPIDKeys(ctx context.Context, mk func() (priv, pub string, err error)) (priv, pub string, err error) {
	err = s.rd.QueryRowContext(ctx, `SELECT private_key, public_key FROM push_vapid WHERE id = 1`).Scan(&priv, &pub)
	if err == nil {
		return priv, pub, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("read VAPID keys: %w", err)
	}
	np, npub, err := mk()
	if err != nil {
		return "", "", fmt.Errorf("make VAPID keys: %w", err)
	}
	err = s.write(ctx, "vapid keys", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO push_vapid (id, private_key, public_key, created_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			np, npub, ms(time.Now()))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("store VAPID keys: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT private_key, public_key FROM push_vapid WHERE id = 1`).Scan(&priv, &pub); err != nil {
		return "", "", fmt.Errorf("read VAPID keys: %w", err)
	}
	return priv, pub, nil
}

// SavePushSubscription stores sub, replacing an earlier one of the same
// endpoint; it refuses with ErrTooManyPushSubscriptions when its session
// or stage already holds max others.
func (s *Store) SavePushSubscription(ctx context.Context, sub PushSubscription, max int) error {
	defer s.timed("save_push_subscription", time.Now())
	err := s.write(ctx, "save push subscription", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM push_subscriptions WHERE session_id = ? AND stage_id = ? AND endpoint <> ?`,
			sub.SessionID, sub.StageID, sub.Endpoint).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return ErrTooManyPushSubscriptions
		}
		_, err := tx.Exec(`INSERT INTO push_subscriptions (endpoint, p256dh, auth, session_id, stage_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, session_id = excluded.session_id, stage_id = excluded.stage_id`,
			sub.Endpoint, sub.P256dh, sub.Auth, sub.SessionID, sub.StageID, ms(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("save push subscription: %w", err)
	}
	return nil
}

// DeletePushSubscription removes the subscription of endpoint; it reports
// whether there was one.
func (s *Store) DeletePushSubscription(ctx context.Context, endpoint string) (bool, error) {
	var gone bool
	err := s.write(ctx, "delete push subscription", func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM push_subscriptions WHERE endpoint = ?`, endpoint)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		gone = n > 0
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("delete push subscription: %w", err)
	}
	return gone, nil
}

// PushSubscriptions lists the subscriptions to sessionID and, when it is
// not empty, to stageID.
func (s *Store) PushSubscriptions(ctx context.Context, sessionID, stageID string) ([]PushSubscription, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT endpoint, p256dh, auth, session_id, stage_id FROM push_subscriptions
		WHERE (session_id = ? AND session_id <> '') OR (stage_id = ? AND stage_id <> '')`, sessionID, stageID)
	if err != nil {
		return nil, fmt.Errorf("list push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []PushSubscription
	for rows.Next() {
		var p PushSubscription
		if err := rows.Scan(&p.Endpoint, &p.P256dh, &p.Auth, &p.SessionID, &p.StageID); err != nil {
			return nil, fmt.Errorf("list push subscriptions: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list push subscriptions: %w", err)
	}
	return out, nil
}
