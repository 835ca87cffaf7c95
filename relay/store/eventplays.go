package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// scanWith scans a row into dest and then extra: it lets a query select
// the common columns (playCols, sessionCols) followed by its own.
type scanWith struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (w scanWith) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// EventPlayRow is a play of an event with whether its set is PIN
// protected.
type EventPlayRow struct {
	protocol.EventPlay
	Protected bool
}

// EventPlays lists the plays of every set on the event's stages started
// at or after since, in the order played.
func (s *Store) EventPlays(ctx context.Context, eventID string, since time.Time) ([]EventPlayRow, error) {
	defer s.timed("event_plays", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+playCols+`, p.session_id, s.stage_id, stg.name, d.display_name, s.pin_hash IS NOT NULL
		FROM plays p JOIN tracks t ON t.id = p.track_id JOIN sessions s ON s.id = p.session_id
		JOIN stages stg ON stg.id = s.stage_id JOIN djs d ON d.id = s.dj_id
		WHERE stg.event_id = ? AND p.started_at >= ? ORDER BY p.started_at, p.rowid`, eventID, ms(since))
	if err != nil {
		return nil, fmt.Errorf("list event plays: %w", err)
	}
	defer rows.Close()
	out := []EventPlayRow{}
	for rows.Next() {
		var e EventPlayRow
		r, err := scanPlay(scanWith{rows, []any{&e.SessionID, &e.StageID, &e.StageName, &e.DJName, &e.Protected}})
		if err != nil {
			return nil, fmt.Errorf("list event plays: %w", err)
		}
		tempo := r.Tempo
		tempo.PlayID = r.PlayID
		e.PlayID, e.Track, e.StartedAt, e.EndedAt, e.Likes, e.Tempo = r.PlayID, r.Track, r.StartedAt, r.EndedAt, r.Likes, &tempo
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventSessions lists the sets played on the event's stages, oldest first.
func (s *Store) EventSessions(ctx context.Context, eventID string) ([]Session, error) {
	defer s.timed("event_sessions", time.Now())
	return s.sessions(ctx, `s.stage_id IN (SELECT id FROM stages WHERE event_id = ?) ORDER BY s.started_at`, eventID)
}

// EventDancers counts the distinct dancer pages over the event's sets.
func (s *Store) EventDancers(ctx context.Context, eventID string) (int, error) {
	var n int
	err := s.rd.QueryRowContext(ctx, `SELECT COUNT(DISTINCT x.client_id) FROM dancers x JOIN sessions s ON s.id = x.session_id
		JOIN stages stg ON stg.id = s.stage_id WHERE stg.event_id = ?`, eventID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count event dancers: %w", err)
	}
	return n, nil
}

// StageTempo counts the tempo votes cast (or changed) on a stage's plays
// since a time.
func (s *Store) StageTempo(ctx context.Context, stageID string, since time.Time) (protocol.TempoComfort, error) {
	defer s.timed("stage_tempo", time.Now())
	var c protocol.TempoComfort
	rows, err := s.rd.QueryContext(ctx, `SELECT v.vote, COUNT(*) FROM tempo_votes v JOIN plays p ON p.id = v.play_id
		JOIN sessions s ON s.id = p.session_id WHERE s.stage_id = ? AND v.updated_at >= ? GROUP BY v.vote`, stageID, ms(since))
	if err != nil {
		return c, fmt.Errorf("count stage tempo votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			vote string
			n    int
		)
		if err := rows.Scan(&vote, &n); err != nil {
			return c, fmt.Errorf("count stage tempo votes: %w", err)
		}
		switch vote {
		case protocol.VoteFaster:
			c.Faster = n
		case protocol.VotePerfect:
			c.Perfect = n
		case protocol.VoteSlower:
			c.Slower = n
		}
	}
	return c, rows.Err()
}
