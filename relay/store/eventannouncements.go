package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// ErrTooManyAnnouncements refuses an event announcement beyond
// protocol.MaxActiveEventAnnouncements running at once.
var ErrTooManyAnnouncements = fmt.Errorf("at most %d event announcements run at once", protocol.MaxActiveEventAnnouncements)

// CreateEventAnnouncement stores an organizers' announcement for the
// given stages (none: all). The stage ids must be the event's.
func (s *Store) CreateEventAnnouncement(ctx context.Context, eventID, eventName, createdBy, text string, stageIDs []string, at time.Time, expires *time.Time) (protocol.EventAnnouncement, error) {
	defer s.timed("create_event_announcement", time.Now())
	if stageIDs == nil {
		stageIDs = []string{}
	}
	ids, _ := json.Marshal(stageIDs)
	a := protocol.EventAnnouncement{AnnouncementID: NewID(), EventName: eventName, Text: text, StageIDs: stageIDs, CreatedAt: at.UTC().Truncate(time.Millisecond)}
	var exp any
	if expires != nil {
		e := expires.UTC().Truncate(time.Millisecond)
		a.ExpiresAt, exp = &e, ms(e)
	}
	err := s.write(ctx, "create event announcement", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM event_announcements WHERE event_id = ? AND cleared_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
			eventID, ms(at)).Scan(&n); err != nil {
			return err
		}
		if n >= protocol.MaxActiveEventAnnouncements {
			return ErrTooManyAnnouncements
		}
		_, err := tx.Exec(`INSERT INTO event_announcements (id, event_id, text, stage_ids, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.AnnouncementID, eventID, text, string(ids), createdBy, ms(a.CreatedAt), exp)
		return err
	})
	if err != nil {
		return protocol.EventAnnouncement{}, fmt.Errorf("create event announcement: %w", err)
	}
	return a, nil
}

// ClearEventAnnouncement ends an announcement before its time.
func (s *Store) ClearEventAnnouncement(ctx context.Context, eventID, id string, at time.Time) (protocol.EventAnnouncement, error) {
	defer s.timed("clear_event_announcement", time.Now())
	var a protocol.EventAnnouncement
	err := s.write(ctx, "clear event announcement", func(tx *sql.Tx) error {
		row, err := scanEventAnnouncement(tx.QueryRow(`SELECT `+eventAnnCols+` FROM event_announcements a JOIN events e ON e.id = a.event_id
			WHERE a.id = ? AND a.event_id = ? AND a.cleared_at IS NULL`, id, eventID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		a = row
		_, err = tx.Exec(`UPDATE event_announcements SET cleared_at = ? WHERE id = ?`, ms(at), id)
		return err
	})
	return a, err
}

const eventAnnCols = `a.id, e.name, a.text, a.stage_ids, a.created_at, a.expires_at`

func scanEventAnnouncement(sc interface{ Scan(...any) error }) (protocol.EventAnnouncement, error) {
	var (
		a       protocol.EventAnnouncement
		ids     string
		created int64
		expires sql.NullInt64
	)
	if err := sc.Scan(&a.AnnouncementID, &a.EventName, &a.Text, &ids, &created, &expires); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(ids), &a.StageIDs); err != nil {
		return a, fmt.Errorf("announcement %s: stage ids: %w", a.AnnouncementID, err)
	}
	a.CreatedAt, a.ExpiresAt = fromMS(created), nullMS(expires)
	return a, nil
}

// EventAnnouncements lists an event's running announcements, oldest first;
// stageID narrows them to those shown on that stage ("" for all).
func (s *Store) EventAnnouncements(ctx context.Context, eventID, stageID string, now time.Time) ([]protocol.EventAnnouncement, error) {
	defer s.timed("event_announcements", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+eventAnnCols+` FROM event_announcements a JOIN events e ON e.id = a.event_id
		WHERE a.event_id = ? AND a.cleared_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > ?) ORDER BY a.created_at`, eventID, ms(now))
	if err != nil {
		return nil, fmt.Errorf("list event announcements: %w", err)
	}
	defer rows.Close()
	out := []protocol.EventAnnouncement{}
	for rows.Next() {
		a, err := scanEventAnnouncement(rows)
		if err != nil {
			return nil, fmt.Errorf("list event announcements: %w", err)
		}
		if stageID == "" || onStage(a, stageID) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}

// onStage reports whether an announcement is shown on the stage.
func onStage(a protocol.EventAnnouncement, stageID string) bool {
	return len(a.StageIDs) == 0 || slices.Contains(a.StageIDs, stageID)
}
