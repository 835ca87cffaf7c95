package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// AnnouncementRow is a stored announcement.
type AnnouncementRow struct {
	protocol.Announcement
	CreatedAt time.Time
	ClearedAt *time.Time
}

// Announce replaces the session's announcement with a new one.
func (s *Store) Announce(ctx context.Context, sessionID, text string, expiresAt *time.Time) (AnnouncementRow, error) {
	defer s.timed("announce", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := AnnouncementRow{CreatedAt: now}
	a.AnnouncementID, a.Text = NewID(), text
	var exp any
	if expiresAt != nil {
		t := expiresAt.UTC().Truncate(time.Millisecond)
		a.ExpiresAt, exp = &t, ms(t)
	}
	err := s.write(ctx, "announce", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE announcements SET cleared_at = ? WHERE session_id = ? AND cleared_at IS NULL`, ms(now), sessionID); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO announcements (id, session_id, text, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			a.AnnouncementID, sessionID, text, ms(now), exp)
		return err
	})
	if err != nil {
		return AnnouncementRow{}, fmt.Errorf("announce: %w", err)
	}
	return a, nil
}

// ClearAnnouncement clears the session's announcement; it reports whether
// there was one.
func (s *Store) ClearAnnouncement(ctx context.Context, sessionID string, at time.Time) (bool, error) {
	defer s.timed("clear_announcement", time.Now())
	var cleared bool
	err := s.write(ctx, "clear announcement", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE announcements SET cleared_at = ? WHERE session_id = ? AND cleared_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
			ms(at), sessionID, ms(at))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		cleared = n > 0
		return nil
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return cleared, nil
}

// Announcements lists a session's announcements, oldest first.
func (s *Store) Announcements(ctx context.Context, sessionID string) ([]AnnouncementRow, error) {
	defer s.timed("announcements", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT id, text, created_at, expires_at, cleared_at FROM announcements
		WHERE session_id = ? ORDER BY created_at, rowid`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("list announcements: %w", err)
	}
	defer rows.Close()
	var out []AnnouncementRow
	for rows.Next() {
		var (
			a                AnnouncementRow
			created          int64
			expires, cleared sql.NullInt64
		)
		if err := rows.Scan(&a.AnnouncementID, &a.Text, &created, &expires, &cleared); err != nil {
			return nil, err
		}
		a.CreatedAt, a.ExpiresAt, a.ClearedAt = fromMS(created), nullMS(expires), nullMS(cleared)
		out = append(out, a)
	}
	return out, rows.Err()
}

// CurrentAnnouncement returns the announcement showing at now, or nil.
func (s *Store) CurrentAnnouncement(ctx context.Context, sessionID string, now time.Time) (*protocol.Announcement, error) {
	defer s.timed("current_announcement", time.Now())
	var (
		a       protocol.Announcement
		expires sql.NullInt64
	)
	err := s.rd.QueryRowContext(ctx, `SELECT id, text, expires_at FROM announcements WHERE session_id = ? AND cleared_at IS NULL
		AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC LIMIT 1`, sessionID, ms(now)).Scan(&a.AnnouncementID, &a.Text, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read announcement: %w", err)
	}
	a.ExpiresAt = nullMS(expires)
	return &a, nil
}
