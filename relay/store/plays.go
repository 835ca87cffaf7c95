package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// PlayResult says what RecordPlay did.
type PlayResult struct {
	Play protocol.Play
	// Updated: the track was the current play's, which was updated.
	Updated bool
	// Current: the play is now the session's latest (a play delivered
	// late, older than the current one, only joins the history).
	Current bool
}

const playCols = `p.id, p.started_at, p.ended_at, t.artist, t.title, p.bpm, p.musical_key, p.camelot, p.energy, p.danceability,
	p.brightness, p.loudness_lufs, p.duration_s, p.likes, p.tempo_faster, p.tempo_slower, p.tempo_perfect`

type playRow struct {
	protocol.HistoryEntry
}

func scanPlay(sc interface{ Scan(...any) error }) (playRow, error) {
	var (
		r                                     playRow
		started                               int64
		ended                                 sql.NullInt64
		key, camelot                          sql.NullString
		bpm, energy, dance, bright, loud, dur sql.NullFloat64
	)
	if err := sc.Scan(&r.PlayID, &started, &ended, &r.Track.Artist, &r.Track.Title, &bpm, &key, &camelot, &energy, &dance,
		&bright, &loud, &dur, &r.Likes, &r.Tempo.Faster, &r.Tempo.Slower, &r.Tempo.Perfect); err != nil {
		return playRow{}, err
	}
	r.StartedAt, r.EndedAt = fromMS(started), nullMS(ended)
	r.Track.Key, r.Track.Camelot = key.String, camelot.String
	f := func(v sql.NullFloat64) *float64 {
		if !v.Valid {
			return nil
		}
		x := v.Float64
		return &x
	}
	r.Track.BPM, r.Track.Energy, r.Track.Danceability = f(bpm), f(energy), f(dance)
	r.Track.Brightness, r.Track.LoudnessLUFS, r.Track.DurationS = f(bright), f(loud), f(dur)
	r.Tempo.PlayID = r.PlayID
	return r, nil
}

func nf(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func ns(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// RecordPlay stores a NOW_PLAYING and waits for it to be durable. See
// StartPlay.
func (s *Store) RecordPlay(ctx context.Context, sessionID string, tr protocol.Track, startedAt time.Time) (PlayResult, error) {
	wait, err := s.StartPlay(ctx, sessionID, NewID(), tr, startedAt)
	if err != nil {
		return PlayResult{}, err
	}
	return wait(ctx)
}

// StartPlay queues a NOW_PLAYING and returns at once with a function that
// waits for it to be durable. The same track as the session's latest play
// updates that play (numbers that arrived later fill in, known ones are
// kept unless resent); another track starts a new play with id playID at
// startedAt, and the play before it ends then. Writes queued after this
// one, such as likes of the new play, run after it, so the caller may
// announce the play before it is durable.
func (s *Store) StartPlay(ctx context.Context, sessionID, playID string, tr protocol.Track, startedAt time.Time) (func(context.Context) (PlayResult, error), error) {
	start := time.Now()
	startedAt = startedAt.UTC().Truncate(time.Millisecond)
	identity := protocol.TrackIdentity(tr.Artist, tr.Title)
	var res PlayResult
	op := &writeOp{name: "record play", done: make(chan error, 1)}
	op.fn = func(tx *sql.Tx) error {
		res = PlayResult{}
		var (
			latestID, latestIdentity string
			latestStart              int64
		)
		err := tx.QueryRow(`SELECT p.id, t.identity, p.started_at FROM plays p JOIN tracks t ON t.id = p.track_id
			WHERE p.session_id = ? ORDER BY p.started_at DESC, p.rowid DESC LIMIT 1`, sessionID).Scan(&latestID, &latestIdentity, &latestStart)
		hasLatest := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read latest play: %w", err)
		}
		if hasLatest && latestIdentity == identity {
			if _, err := tx.Exec(`UPDATE plays SET bpm = COALESCE(?, bpm), musical_key = COALESCE(?, musical_key), camelot = COALESCE(?, camelot),
				energy = COALESCE(?, energy), danceability = COALESCE(?, danceability), brightness = COALESCE(?, brightness),
				loudness_lufs = COALESCE(?, loudness_lufs), duration_s = COALESCE(?, duration_s) WHERE id = ?`,
				nf(tr.BPM), ns(tr.Key), ns(tr.Camelot), nf(tr.Energy), nf(tr.Danceability), nf(tr.Brightness),
				nf(tr.LoudnessLUFS), nf(tr.DurationS), latestID); err != nil {
				return fmt.Errorf("update play: %w", err)
			}
			row, err := scanPlay(tx.QueryRow(`SELECT `+playCols+` FROM plays p JOIN tracks t ON t.id = p.track_id WHERE p.id = ?`, latestID))
			if err != nil {
				return fmt.Errorf("read play: %w", err)
			}
			res = PlayResult{Play: row.Play, Updated: true, Current: true}
			return nil
		}
		// The latest typing of a song is how it is shown from now on.
		if _, err := tx.Exec(`INSERT INTO tracks (identity, artist, title) VALUES (?, ?, ?)
			ON CONFLICT (identity) DO UPDATE SET artist = excluded.artist, title = excluded.title`,
			identity, tr.Artist, tr.Title); err != nil {
			return fmt.Errorf("insert track: %w", err)
		}
		var trackID int64
		if err := tx.QueryRow(`SELECT id, artist, title FROM tracks WHERE identity = ?`, identity).Scan(&trackID, &tr.Artist, &tr.Title); err != nil {
			return fmt.Errorf("read track: %w", err)
		}
		at := ms(startedAt)
		// A late play slots into the history: it ends when the next one
		// started, and the one before it ends when it started.
		var endedAt any
		current := !hasLatest || at >= latestStart
		if !current {
			var next int64
			if err := tx.QueryRow(`SELECT MIN(started_at) FROM plays WHERE session_id = ? AND started_at > ?`, sessionID, at).Scan(&next); err == nil {
				endedAt = next
			}
		}
		if _, err := tx.Exec(`UPDATE plays SET ended_at = ? WHERE id = (SELECT id FROM plays WHERE session_id = ? AND started_at <= ?
			ORDER BY started_at DESC, rowid DESC LIMIT 1) AND (ended_at IS NULL OR ended_at > ?)`, at, sessionID, at, at); err != nil {
			return fmt.Errorf("end previous play: %w", err)
		}
		id := playID
		// A play the DJ made offline before going live keeps its real time;
		// the session then began with it, so a recap never lists a play
		// before its session.
		if _, err := tx.Exec(`UPDATE sessions SET started_at = ? WHERE id = ? AND started_at > ?`, at, sessionID, at); err != nil {
			return fmt.Errorf("move session start: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO plays (id, session_id, track_id, started_at, ended_at, bpm, musical_key, camelot, energy, danceability,
			brightness, loudness_lufs, duration_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, sessionID, trackID, at, endedAt, nf(tr.BPM), ns(tr.Key), ns(tr.Camelot), nf(tr.Energy), nf(tr.Danceability),
			nf(tr.Brightness), nf(tr.LoudnessLUFS), nf(tr.DurationS)); err != nil {
			return fmt.Errorf("insert play: %w", err)
		}
		res = PlayResult{Play: protocol.Play{PlayID: id, Track: tr, StartedAt: startedAt}, Current: current}
		return nil
	}
	if err := s.enqueue(ctx, op); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (PlayResult, error) {
		defer s.timed("record_play", start)
		if err := s.wait(ctx, op); err != nil {
			// After ctx ends the write may still run: leave res alone.
			return PlayResult{}, err
		}
		return res, nil
	}, nil
}

// CurrentPlay returns the session's latest play, or nil.
func (s *Store) CurrentPlay(ctx context.Context, sessionID string) (*protocol.HistoryEntry, error) {
	defer s.timed("current_play", time.Now())
	row, err := scanPlay(s.rd.QueryRowContext(ctx, `SELECT `+playCols+` FROM plays p JOIN tracks t ON t.id = p.track_id
		WHERE p.session_id = ? ORDER BY p.started_at DESC, p.rowid DESC LIMIT 1`, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read current play: %w", err)
	}
	return &row.HistoryEntry, nil
}

// Plays returns a session's plays, newest first.
func (s *Store) Plays(ctx context.Context, sessionID string) ([]protocol.HistoryEntry, error) {
	defer s.timed("plays", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+playCols+` FROM plays p JOIN tracks t ON t.id = p.track_id
		WHERE p.session_id = ? ORDER BY p.started_at DESC, p.rowid DESC`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("list plays: %w", err)
	}
	defer rows.Close()
	out := []protocol.HistoryEntry{}
	for rows.Next() {
		r, err := scanPlay(rows)
		if err != nil {
			return nil, fmt.Errorf("list plays: %w", err)
		}
		out = append(out, r.HistoryEntry)
	}
	return out, rows.Err()
}

// Counts returns a play's like count and tempo tally.
func (s *Store) Counts(ctx context.Context, playID string) (int, protocol.TempoTally, error) {
	defer s.timed("counts", time.Now())
	t := protocol.TempoTally{PlayID: playID}
	var likes int
	err := s.rd.QueryRowContext(ctx, `SELECT likes, tempo_faster, tempo_slower, tempo_perfect FROM plays WHERE id = ?`, playID).
		Scan(&likes, &t.Faster, &t.Slower, &t.Perfect)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, t, ErrNotFound
	}
	if err != nil {
		return 0, t, fmt.Errorf("read counts: %w", err)
	}
	return likes, t, nil
}
