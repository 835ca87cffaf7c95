package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Errors of events, stages and invites.
var (
	ErrSlugTaken     = errors.New("stage link already taken")
	ErrTooManyStages = fmt.Errorf("an event has at most %d stages", protocol.MaxStagesPerEvent)
	ErrStageUsed     = errors.New("stage has sets")
	ErrLastOrganizer = errors.New("an event keeps at least one organizer")
	ErrInviteUsed    = errors.New("invite already accepted by another DJ")
	ErrInviteExpired = errors.New("invite expired")
)

// Event is a stored event. Its stages are read with Stages.
type Event struct {
	ID        string
	Name      string
	StartsOn  string
	EndsOn    string
	TimeZone  string
	Accent    string
	HasLogo   bool
	CreatedAt time.Time
}

const eventCols = `e.id, e.name, e.starts_on, e.ends_on, e.time_zone, e.accent, e.logo IS NOT NULL, e.created_at`

func scanEvent(sc interface{ Scan(...any) error }) (Event, error) {
	var (
		e       Event
		created int64
	)
	if err := sc.Scan(&e.ID, &e.Name, &e.StartsOn, &e.EndsOn, &e.TimeZone, &e.Accent, &e.HasLogo, &created); err != nil {
		return Event{}, err
	}
	e.CreatedAt = fromMS(created)
	e.StartsOn, e.EndsOn = dateOnly(e.StartsOn), dateOnly(e.EndsOn)
	return e, nil
}

// dateOnly undoes the libSQL driver's reading of a stored "2026-12-04"
// as a time, which reaches a string as "2026-12-04T00:00:00Z".
func dateOnly(s string) string {
	if len(s) > len(time.DateOnly) && s[len(time.DateOnly)] == 'T' {
		return s[:len(time.DateOnly)]
	}
	return s
}

// CreateEvent stores an event with djID as its first organizer. The
// request must be validated and its name cleaned.
func (s *Store) CreateEvent(ctx context.Context, djID string, r protocol.EventRequest) (Event, error) {
	defer s.timed("create_event", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	e := Event{ID: NewID(), Name: r.Name, StartsOn: r.StartsOn, EndsOn: r.EndsOn, TimeZone: r.TimeZone, Accent: r.Accent, CreatedAt: now}
	err := s.write(ctx, "create event", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO events (id, name, starts_on, ends_on, time_zone, accent, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Name, e.StartsOn, e.EndsOn, e.TimeZone, e.Accent, djID, ms(now)); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		_, err := tx.Exec(`INSERT INTO event_members (event_id, dj_id, role, since) VALUES (?, ?, 'organizer', ?)`, e.ID, djID, ms(now))
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("create event: %w", err)
	}
	return e, nil
}

// UpdateEvent replaces an event's name, dates, time zone and accent.
func (s *Store) UpdateEvent(ctx context.Context, id string, r protocol.EventRequest) error {
	defer s.timed("update_event", time.Now())
	return s.write(ctx, "update event", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE events SET name = ?, starts_on = ?, ends_on = ?, time_zone = ?, accent = ? WHERE id = ?`,
			r.Name, r.StartsOn, r.EndsOn, r.TimeZone, r.Accent, id)
		return affected(res, err)
	})
}

// affected turns an update that touched no row into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Event reads one event.
func (s *Store) Event(ctx context.Context, id string) (Event, error) {
	defer s.timed("event", time.Now())
	e, err := scanEvent(s.rd.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, fmt.Errorf("read event: %w", err)
	}
	return e, nil
}

// EventWithRole is an event and what one account is in it.
type EventWithRole struct {
	Event
	Role protocol.EventRole
}

// EventsOf lists the events djID organizes or plays at, newest first.
func (s *Store) EventsOf(ctx context.Context, djID string) ([]EventWithRole, error) {
	defer s.timed("events_of", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+eventCols+`, m.role FROM events e JOIN event_members m ON m.event_id = e.id
		WHERE m.dj_id = ? ORDER BY e.starts_on DESC, e.created_at DESC`, djID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []EventWithRole
	for rows.Next() {
		var (
			e       EventWithRole
			created int64
		)
		if err := rows.Scan(&e.ID, &e.Name, &e.StartsOn, &e.EndsOn, &e.TimeZone, &e.Accent, &e.HasLogo, &created, &e.Role); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		e.CreatedAt = fromMS(created)
		e.StartsOn, e.EndsOn = dateOnly(e.StartsOn), dateOnly(e.EndsOn)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Role is djID's role in an event, empty when it has none.
func (s *Store) Role(ctx context.Context, eventID, djID string) (protocol.EventRole, error) {
	var role protocol.EventRole
	err := s.rd.QueryRowContext(ctx, `SELECT role FROM event_members WHERE event_id = ? AND dj_id = ?`, eventID, djID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read event role: %w", err)
	}
	return role, nil
}

// Members lists an event's organizers, then its DJs, each by name.
func (s *Store) Members(ctx context.Context, eventID string) ([]protocol.EventMember, error) {
	defer s.timed("event_members", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT m.dj_id, d.display_name, m.role, m.since FROM event_members m JOIN djs d ON d.id = m.dj_id
		WHERE m.event_id = ? ORDER BY m.role = 'dj', d.display_name`, eventID)
	if err != nil {
		return nil, fmt.Errorf("list event members: %w", err)
	}
	defer rows.Close()
	out := []protocol.EventMember{}
	for rows.Next() {
		var (
			m     protocol.EventMember
			since int64
		)
		if err := rows.Scan(&m.DJID, &m.DisplayName, &m.Role, &since); err != nil {
			return nil, fmt.Errorf("list event members: %w", err)
		}
		m.Since = fromMS(since)
		out = append(out, m)
	}
	return out, rows.Err()
}

// RemoveMember takes djID out of the event. The last organizer stays.
func (s *Store) RemoveMember(ctx context.Context, eventID, djID string) error {
	defer s.timed("remove_member", time.Now())
	return s.write(ctx, "remove event member", func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRow(`SELECT role FROM event_members WHERE event_id = ? AND dj_id = ?`, eventID, djID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if role == string(protocol.RoleOrganizer) {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM event_members WHERE event_id = ? AND role = 'organizer'`, eventID).Scan(&n); err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastOrganizer
			}
		}
		_, err = tx.Exec(`DELETE FROM event_members WHERE event_id = ? AND dj_id = ?`, eventID, djID)
		return err
	})
}

// SetLogo stores the event's logo image; data nil removes it.
func (s *Store) SetLogo(ctx context.Context, eventID, contentType string, data []byte) error {
	defer s.timed("set_logo", time.Now())
	var typ any
	if data != nil {
		typ = contentType
	}
	return s.write(ctx, "set event logo", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE events SET logo = ?, logo_type = ? WHERE id = ?`, data, typ, eventID)
		return affected(res, err)
	})
}

// Logo reads the event's logo; ErrNotFound when it has none.
func (s *Store) Logo(ctx context.Context, eventID string) (contentType string, data []byte, err error) {
	defer s.timed("logo", time.Now())
	var typ sql.NullString
	err = s.rd.QueryRowContext(ctx, `SELECT logo_type, logo FROM events WHERE id = ?`, eventID).Scan(&typ, &data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && data == nil) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("read event logo: %w", err)
	}
	return typ.String, data, nil
}
