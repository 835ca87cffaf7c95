package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// MaxRecapPlays bounds the plays kept from one recap: a night is a few
// hundred; more is not a recap of ours.
const MaxRecapPlays = 5000

// Crowd is how rooms received a song across the DJ's past sessions.
type Crowd struct {
	Plays, Sessions int
	Likes           int
	// Listeners sums, over the plays, the session's peak listeners: the
	// relay counts dancers per session, not per play.
	Listeners               int
	Faster, Slower, Perfect int
	// WantedSlower and WantedFaster count plays whose votes leaned that
	// way (more than for the other way and for "perfect").
	WantedSlower, WantedFaster int
}

// LikesPer10 is likes per 10 listeners (0 without listeners).
func (c Crowd) LikesPer10() float64 {
	if c.Listeners == 0 {
		return 0
	}
	return float64(c.Likes) * 10 / float64(c.Listeners)
}

// Text is the crowd memory for the DJ: "played 6×, 2.1 likes per 10
// listeners, room wanted it slower 3×".
func (c Crowd) Text() string {
	if c.Plays == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("played %d×", c.Plays)}
	if c.Listeners > 0 {
		parts = append(parts, fmt.Sprintf("%.1f likes per 10 listeners", c.LikesPer10()))
	}
	if c.WantedSlower > 0 {
		parts = append(parts, fmt.Sprintf("room wanted it slower %d×", c.WantedSlower))
	}
	if c.WantedFaster > 0 {
		parts = append(parts, fmt.Sprintf("room wanted it faster %d×", c.WantedFaster))
	}
	return strings.Join(parts, ", ")
}

// StoreRecap keeps a session's recap as crowd memory, replacing what an
// earlier fetch of the same session stored.
func (l *Library) StoreRecap(ctx context.Context, rc protocol.Recap) error {
	if !protocol.ValidID(rc.Session.ID) {
		return errors.New("store recap: the recap names no valid session")
	}
	if len(rc.Plays) > MaxRecapPlays {
		return fmt.Errorf("store recap: %d plays is more than the %d one session keeps", len(rc.Plays), MaxRecapPlays)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store recap: %w", err)
	}
	defer tx.Rollback()
	var ended any
	if rc.Session.EndedAt != nil {
		ended = rc.Session.EndedAt.UnixNano()
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM crowd_sessions WHERE session_id = ?", rc.Session.ID); err != nil {
		return fmt.Errorf("store recap: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO crowd_sessions(session_id, name, started_at, ended_at, listeners, dancers, fetched_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, rc.Session.ID, clip(rc.Session.Name), rc.Session.StartedAt.UnixNano(), ended,
		max(rc.PeakListeners, 0), max(rc.UniqueDancers, 0), time.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("store recap: %w", err)
	}
	for i, p := range rc.Plays {
		if !protocol.ValidID(p.PlayID) {
			continue
		}
		artist, title := clip(p.Track.Artist), clip(p.Track.Title)
		var bpm any
		if p.Track.BPM != nil && *p.Track.BPM > 0 && *p.Track.BPM < 1000 {
			bpm = *p.Track.BPM
		}
		camelot := ""
		if c, _, ok := NormalizeKey(p.Track.Camelot); ok {
			camelot = c
		}
		var tempo protocol.TempoTally // only the DJ's own recap has it
		if p.Tempo != nil {
			tempo = *p.Tempo
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO crowd_plays(session_id, play_id, seq, identity, artist, title, bpm,
			camelot, started_at, likes, faster, slower, perfect) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rc.Session.ID, p.PlayID, i, identity(artist, title), artist, title, bpm, camelot, p.StartedAt.UnixNano(),
			max(p.Likes, 0), max(tempo.Faster, 0), max(tempo.Slower, 0), max(tempo.Perfect, 0))
		if err != nil {
			return fmt.Errorf("store recap: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store recap: %w", err)
	}
	return nil
}

// crowd reads the crowd memory of every song played, by identity.
func (l *Library) crowd(ctx context.Context) (map[string]Crowd, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT p.identity, COUNT(*), COUNT(DISTINCT p.session_id), SUM(p.likes), SUM(s.listeners),
		SUM(p.faster), SUM(p.slower), SUM(p.perfect),
		SUM(p.slower > p.faster AND p.slower > p.perfect), SUM(p.faster > p.slower AND p.faster > p.perfect)
		FROM crowd_plays p JOIN crowd_sessions s ON s.session_id = p.session_id GROUP BY p.identity`)
	if err != nil {
		return nil, fmt.Errorf("read crowd memory: %w", err)
	}
	defer rows.Close()
	out := map[string]Crowd{}
	for rows.Next() {
		var id string
		var c Crowd
		if err := rows.Scan(&id, &c.Plays, &c.Sessions, &c.Likes, &c.Listeners, &c.Faster, &c.Slower, &c.Perfect,
			&c.WantedSlower, &c.WantedFaster); err != nil {
			return nil, fmt.Errorf("read crowd memory: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// withCrowd gives each track its crowd memory (nil when never played).
func (l *Library) withCrowd(ctx context.Context, tracks []Track) error {
	if len(tracks) == 0 {
		return nil
	}
	m, err := l.crowd(ctx)
	if err != nil || len(m) == 0 {
		return err
	}
	for i := range tracks {
		if c, ok := m[identity(tracks[i].Tags.Artist, tracks[i].Tags.Title)]; ok {
			tracks[i].Crowd = &c
		}
	}
	return nil
}

// SetPlay is one play of a stored session, for the set export.
type SetPlay struct {
	StartedAt     time.Time
	Artist, Title string
	BPM           float64
	Camelot       string
	Likes         int
	Tempo         protocol.TempoTally
}

// SessionPlays lists the plays of a stored session in the order played;
// ErrNotFound when its recap was never stored.
func (l *Library) SessionPlays(ctx context.Context, sessionID string) ([]SetPlay, error) {
	var n int
	if err := l.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM crowd_sessions WHERE session_id = ?", sessionID).Scan(&n); err != nil {
		return nil, fmt.Errorf("read session %s: %w", sessionID, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT started_at, artist, title, bpm, camelot, likes, faster, slower, perfect
		FROM crowd_plays WHERE session_id = ? ORDER BY seq`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("read session %s: %w", sessionID, err)
	}
	defer rows.Close()
	var out []SetPlay
	for rows.Next() {
		var p SetPlay
		var at int64
		var bpm sql.NullFloat64
		if err := rows.Scan(&at, &p.Artist, &p.Title, &bpm, &p.Camelot, &p.Likes, &p.Tempo.Faster, &p.Tempo.Slower, &p.Tempo.Perfect); err != nil {
			return nil, fmt.Errorf("read session %s: %w", sessionID, err)
		}
		p.StartedAt, p.BPM = time.Unix(0, at), bpm.Float64
		out = append(out, p)
	}
	return out, rows.Err()
}
