package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

const stageCols = `id, event_id, slug, name, position`

func scanStage(sc interface{ Scan(...any) error }) (protocol.Stage, error) {
	var st protocol.Stage
	err := sc.Scan(&st.ID, &st.EventID, &st.Slug, &st.Name, &st.Position)
	return st, err
}

// CreateStage adds a stage at the end of the event's stages. slug must be
// valid (protocol.ValidSlug); it is unique across all events.
func (s *Store) CreateStage(ctx context.Context, eventID, name, slug string) (protocol.Stage, error) {
	defer s.timed("create_stage", time.Now())
	st := protocol.Stage{ID: NewID(), EventID: eventID, Slug: slug, Name: name}
	err := s.write(ctx, "create stage", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*), COALESCE(MAX(position), 0) FROM stages WHERE event_id = ?`, eventID).Scan(&n, &st.Position); err != nil {
			return err
		}
		if n >= protocol.MaxStagesPerEvent {
			return ErrTooManyStages
		}
		st.Position++
		_, err := tx.Exec(`INSERT INTO stages (`+stageCols+`) VALUES (?, ?, ?, ?, ?)`, st.ID, eventID, slug, name, st.Position)
		if isUniqueViolation(err) {
			return ErrSlugTaken
		}
		return err
	})
	if err != nil {
		return protocol.Stage{}, fmt.Errorf("create stage: %w", err)
	}
	return st, nil
}

// UpdateStage renames a stage of the event and may change its link.
func (s *Store) UpdateStage(ctx context.Context, eventID, stageID, name, slug string) error {
	defer s.timed("update_stage", time.Now())
	return s.write(ctx, "update stage", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE stages SET name = ?, slug = ? WHERE id = ? AND event_id = ?`, name, slug, stageID, eventID)
		if isUniqueViolation(err) {
			return ErrSlugTaken
		}
		return affected(res, err)
	})
}

// DeleteStage removes a stage no set has been played on, with its
// schedule; a stage with sets keeps them (ErrStageUsed).
func (s *Store) DeleteStage(ctx context.Context, eventID, stageID string) error {
	defer s.timed("delete_stage", time.Now())
	return s.write(ctx, "delete stage", func(tx *sql.Tx) error {
		var used bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM sessions WHERE stage_id = ?)`, stageID).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrStageUsed
		}
		res, err := tx.Exec(`DELETE FROM stages WHERE id = ? AND event_id = ?`, stageID, eventID)
		return affected(res, err)
	})
}

// Stages lists an event's stages in their order.
func (s *Store) Stages(ctx context.Context, eventID string) ([]protocol.Stage, error) {
	defer s.timed("stages", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+stageCols+` FROM stages WHERE event_id = ? ORDER BY position`, eventID)
	if err != nil {
		return nil, fmt.Errorf("list stages: %w", err)
	}
	defer rows.Close()
	out := []protocol.Stage{}
	for rows.Next() {
		st, err := scanStage(rows)
		if err != nil {
			return nil, fmt.Errorf("list stages: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// StageBySlug reads the stage behind a permanent link.
func (s *Store) StageBySlug(ctx context.Context, slug string) (protocol.Stage, error) {
	defer s.timed("stage_by_slug", time.Now())
	st, err := scanStage(s.rd.QueryRowContext(ctx, `SELECT `+stageCols+` FROM stages WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.Stage{}, ErrNotFound
	}
	if err != nil {
		return protocol.Stage{}, fmt.Errorf("read stage: %w", err)
	}
	return st, nil
}

// Stage reads one stage by id.
func (s *Store) Stage(ctx context.Context, stageID string) (protocol.Stage, error) {
	st, err := scanStage(s.rd.QueryRowContext(ctx, `SELECT `+stageCols+` FROM stages WHERE id = ?`, stageID))
	if errors.Is(err, sql.ErrNoRows) {
		return protocol.Stage{}, ErrNotFound
	}
	if err != nil {
		return protocol.Stage{}, fmt.Errorf("read stage: %w", err)
	}
	return st, nil
}

// SetSchedule replaces a stage's schedule in one transaction. The slots
// must be validated (protocol.ScheduleRequest.Validate).
func (s *Store) SetSchedule(ctx context.Context, stageID string, slots []protocol.ScheduleSlot) error {
	defer s.timed("set_schedule", time.Now())
	return s.write(ctx, "set schedule", func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM schedule_slots WHERE stage_id = ?`, stageID); err != nil {
			return err
		}
		for _, sl := range slots {
			var dj any
			if sl.DJID != "" {
				dj = sl.DJID
			}
			if _, err := tx.Exec(`INSERT INTO schedule_slots (id, stage_id, dj_id, dj_name, starts_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)`,
				NewID(), stageID, dj, sl.DJName, ms(sl.StartsAt), ms(sl.EndsAt)); err != nil {
				return fmt.Errorf("insert slot: %w", err)
			}
		}
		return nil
	})
}

// Schedule lists a stage's sets in time order.
func (s *Store) Schedule(ctx context.Context, stageID string) ([]protocol.ScheduleSlot, error) {
	defer s.timed("schedule", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT id, COALESCE(dj_id, ''), dj_name, starts_at, ends_at FROM schedule_slots WHERE stage_id = ? ORDER BY starts_at`, stageID)
	if err != nil {
		return nil, fmt.Errorf("read schedule: %w", err)
	}
	defer rows.Close()
	out := []protocol.ScheduleSlot{}
	for rows.Next() {
		var (
			sl       protocol.ScheduleSlot
			from, to int64
		)
		if err := rows.Scan(&sl.ID, &sl.DJID, &sl.DJName, &from, &to); err != nil {
			return nil, fmt.Errorf("read schedule: %w", err)
		}
		sl.StartsAt, sl.EndsAt = fromMS(from), fromMS(to)
		out = append(out, sl)
	}
	return out, rows.Err()
}
