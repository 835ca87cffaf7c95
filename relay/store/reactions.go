package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// More errors for refused reactions.
var (
	ErrPollClosed = errors.New("poll is closed")
	ErrBadOption  = errors.New("no such option")
)

// checkPlay makes sure playID is a play of sessionID.
func checkPlay(tx *sql.Tx, sessionID, playID string) error {
	var sid string
	err := tx.QueryRow(`SELECT session_id FROM plays WHERE id = ?`, playID).Scan(&sid)
	if errors.Is(err, sql.ErrNoRows) || err == nil && sid != sessionID {
		return ErrNotFound
	}
	return err
}

// Like records one client's like of a play; a repeat changes nothing. It
// returns whether the count changed.
func (s *Store) Like(ctx context.Context, sessionID, playID, clientID string) (bool, error) {
	defer s.timed("like", time.Now())
	var changed bool
	err := s.write(ctx, "like", func(tx *sql.Tx) error {
		changed = false
		if err := checkPlay(tx, sessionID, playID); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO likes (play_id, client_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			playID, clientID, ms(time.Now()))
		if err != nil {
			return fmt.Errorf("insert like: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			changed = true
			_, err = tx.Exec(`UPDATE plays SET likes = likes + 1 WHERE id = ?`, playID)
		}
		return err
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return changed, nil
}

// Unlike removes a client's like; unliking what was not liked is harmless.
func (s *Store) Unlike(ctx context.Context, sessionID, playID, clientID string) (bool, error) {
	defer s.timed("unlike", time.Now())
	var changed bool
	err := s.write(ctx, "unlike", func(tx *sql.Tx) error {
		changed = false
		if err := checkPlay(tx, sessionID, playID); err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM likes WHERE play_id = ? AND client_id = ?`, playID, clientID)
		if err != nil {
			return fmt.Errorf("delete like: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			changed = true
			_, err = tx.Exec(`UPDATE plays SET likes = likes - 1 WHERE id = ?`, playID)
		}
		return err
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return changed, nil
}

var tempoColumn = map[string]string{
	protocol.VoteFaster:  "tempo_faster",
	protocol.VoteSlower:  "tempo_slower",
	protocol.VotePerfect: "tempo_perfect",
}

// TempoVote records a client's tempo vote on a play; the last one counts.
func (s *Store) TempoVote(ctx context.Context, sessionID, playID, clientID, vote string) (bool, error) {
	defer s.timed("tempo_vote", time.Now())
	col, ok := tempoColumn[vote]
	if !ok {
		return false, fmt.Errorf("tempo vote %q: %w", vote, ErrBadOption)
	}
	var changed bool
	err := s.write(ctx, "tempo vote", func(tx *sql.Tx) error {
		changed = false
		if err := checkPlay(tx, sessionID, playID); err != nil {
			return err
		}
		var prev string
		err := tx.QueryRow(`SELECT vote FROM tempo_votes WHERE play_id = ? AND client_id = ?`, playID, clientID).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read tempo vote: %w", err)
		}
		if prev == vote {
			return nil
		}
		if _, err := tx.Exec(`INSERT INTO tempo_votes (play_id, client_id, vote, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (play_id, client_id) DO UPDATE SET vote = excluded.vote, updated_at = excluded.updated_at`,
			playID, clientID, vote, ms(time.Now())); err != nil {
			return fmt.Errorf("store tempo vote: %w", err)
		}
		if prevCol, ok := tempoColumn[prev]; ok {
			if _, err := tx.Exec(`UPDATE plays SET `+prevCol+` = `+prevCol+` - 1 WHERE id = ?`, playID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`UPDATE plays SET `+col+` = `+col+` + 1 WHERE id = ?`, playID)
		changed = err == nil
		return err
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return changed, nil
}

// PollRow is a stored poll.
type PollRow struct {
	protocol.Poll
	SessionID string
	CreatedAt time.Time
	ClosedAt  *time.Time
}

const pollCols = `id, session_id, question, options, tallies, created_at, ends_at, closed_at`

func scanPoll(sc interface{ Scan(...any) error }) (PollRow, error) {
	var (
		p                PollRow
		opts, tallies    string
		created          int64
		endsAt, closedAt sql.NullInt64
	)
	if err := sc.Scan(&p.PollID, &p.SessionID, &p.Question, &opts, &tallies, &created, &endsAt, &closedAt); err != nil {
		return PollRow{}, err
	}
	if err := json.Unmarshal([]byte(opts), &p.Options); err != nil {
		return PollRow{}, fmt.Errorf("poll %s options: %w", p.PollID, err)
	}
	if err := json.Unmarshal([]byte(tallies), &p.Tallies); err != nil {
		return PollRow{}, fmt.Errorf("poll %s tallies: %w", p.PollID, err)
	}
	p.CreatedAt, p.EndsAt, p.ClosedAt = fromMS(created), nullMS(endsAt), nullMS(closedAt)
	p.Closed = p.ClosedAt != nil
	return p, nil
}

// CreatePoll stores a new open poll.
func (s *Store) CreatePoll(ctx context.Context, sessionID, question string, options []string, endsAt *time.Time) (PollRow, error) {
	defer s.timed("create_poll", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := PollRow{SessionID: sessionID, CreatedAt: now}
	p.PollID, p.Question, p.Options, p.Tallies = NewID(), question, options, make([]int, len(options))
	if endsAt != nil {
		t := endsAt.UTC().Truncate(time.Millisecond)
		p.EndsAt = &t
	}
	opts, _ := json.Marshal(options)
	tallies, _ := json.Marshal(p.Tallies)
	var ends any
	if p.EndsAt != nil {
		ends = ms(*p.EndsAt)
	}
	err := s.write(ctx, "create poll", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO polls (id, session_id, question, options, tallies, created_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.PollID, sessionID, question, string(opts), string(tallies), ms(now), ends)
		return err
	})
	if err != nil {
		return PollRow{}, fmt.Errorf("create poll: %w", err)
	}
	return p, nil
}

// Poll reads one poll of a session.
func (s *Store) Poll(ctx context.Context, sessionID, pollID string) (PollRow, error) {
	defer s.timed("poll", time.Now())
	p, err := scanPoll(s.rd.QueryRowContext(ctx, `SELECT `+pollCols+` FROM polls WHERE id = ? AND session_id = ?`, pollID, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return PollRow{}, ErrNotFound
	}
	if err != nil {
		return PollRow{}, fmt.Errorf("read poll: %w", err)
	}
	return p, nil
}

// Polls lists a session's polls, oldest first.
func (s *Store) Polls(ctx context.Context, sessionID string) ([]PollRow, error) {
	defer s.timed("polls", time.Now())
	rows, err := s.rd.QueryContext(ctx, `SELECT `+pollCols+` FROM polls WHERE session_id = ? ORDER BY created_at, rowid`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("list polls: %w", err)
	}
	defer rows.Close()
	var out []PollRow
	for rows.Next() {
		p, err := scanPoll(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ClosePoll closes an open poll at the given time. It reports false when
// the poll was already closed.
func (s *Store) ClosePoll(ctx context.Context, sessionID, pollID string, at time.Time) (PollRow, bool, error) {
	defer s.timed("close_poll", time.Now())
	var (
		p      PollRow
		closed bool
	)
	err := s.write(ctx, "close poll", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE polls SET closed_at = MAX(?, created_at) WHERE id = ? AND session_id = ? AND closed_at IS NULL`,
			ms(at), pollID, sessionID)
		if err != nil {
			return fmt.Errorf("close poll: %w", err)
		}
		n, _ := res.RowsAffected()
		closed = n == 1
		p, err = scanPoll(tx.QueryRow(`SELECT `+pollCols+` FROM polls WHERE id = ? AND session_id = ?`, pollID, sessionID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return PollRow{}, false, err
	}
	return p, closed, nil
}

// PollVote records a client's answer. The same answer again is harmless; a
// different one is ErrAlreadyVoted.
func (s *Store) PollVote(ctx context.Context, sessionID, pollID, clientID string, option int) (bool, error) {
	defer s.timed("poll_vote", time.Now())
	var changed bool
	err := s.write(ctx, "poll vote", func(tx *sql.Tx) error {
		changed = false
		p, err := scanPoll(tx.QueryRow(`SELECT `+pollCols+` FROM polls WHERE id = ? AND session_id = ?`, pollID, sessionID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read poll: %w", err)
		}
		var prev int
		err = tx.QueryRow(`SELECT option_index FROM poll_votes WHERE poll_id = ? AND client_id = ?`, pollID, clientID).Scan(&prev)
		switch {
		case err == nil && prev == option:
			return nil
		case err == nil:
			return ErrAlreadyVoted
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read poll vote: %w", err)
		}
		if p.Closed || p.EndsAt != nil && !time.Now().Before(*p.EndsAt) {
			return ErrPollClosed
		}
		if option < 0 || option >= len(p.Options) {
			return ErrBadOption
		}
		if _, err := tx.Exec(`INSERT INTO poll_votes (poll_id, client_id, option_index, created_at) VALUES (?, ?, ?, ?)`,
			pollID, clientID, int64(option), ms(time.Now())); err != nil {
			return fmt.Errorf("store poll vote: %w", err)
		}
		p.Tallies[option]++
		tallies, _ := json.Marshal(p.Tallies)
		if _, err := tx.Exec(`UPDATE polls SET tallies = ? WHERE id = ?`, string(tallies), pollID); err != nil {
			return fmt.Errorf("update tallies: %w", err)
		}
		changed = true
		return nil
	})
	if err != nil {
		// After ctx ends the write may still run: leave what it sets alone.
		return false, err
	}
	return changed, nil
}

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

// ClientActivity is one client's likes and votes in a session.
type ClientActivity struct {
	Likes      []string
	TempoVotes map[string]string
	PollVotes  map[string]int
}

// Activity reads what one client did in a session.
func (s *Store) Activity(ctx context.Context, sessionID, clientID string) (ClientActivity, error) {
	defer s.timed("activity", time.Now())
	act := ClientActivity{Likes: []string{}, TempoVotes: map[string]string{}, PollVotes: map[string]int{}}
	if clientID == "" {
		return act, nil
	}
	rows, err := s.rd.QueryContext(ctx, `SELECT l.play_id FROM likes l JOIN plays p ON p.id = l.play_id WHERE l.client_id = ? AND p.session_id = ?`, clientID, sessionID)
	if err != nil {
		return act, fmt.Errorf("read likes: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return act, err
		}
		act.Likes = append(act.Likes, id)
	}
	rows.Close()
	rows, err = s.rd.QueryContext(ctx, `SELECT v.play_id, v.vote FROM tempo_votes v JOIN plays p ON p.id = v.play_id WHERE v.client_id = ? AND p.session_id = ?`, clientID, sessionID)
	if err != nil {
		return act, fmt.Errorf("read tempo votes: %w", err)
	}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return act, err
		}
		act.TempoVotes[id] = v
	}
	rows.Close()
	rows, err = s.rd.QueryContext(ctx, `SELECT v.poll_id, v.option_index FROM poll_votes v JOIN polls p ON p.id = v.poll_id WHERE v.client_id = ? AND p.session_id = ?`, clientID, sessionID)
	if err != nil {
		return act, fmt.Errorf("read poll votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var o int
		if err := rows.Scan(&id, &o); err != nil {
			return act, err
		}
		act.PollVotes[id] = o
	}
	return act, rows.Err()
}

// Totals are a session's aggregate numbers for its recap.
type Totals struct {
	UniqueDancers, Likes, TempoVotes int
}

// SessionTotals counts a session's dancers, likes and tempo votes.
func (s *Store) SessionTotals(ctx context.Context, sessionID string) (Totals, error) {
	defer s.timed("session_totals", time.Now())
	var t Totals
	err := s.rd.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM dancers WHERE session_id = ?),
		(SELECT COALESCE(SUM(likes), 0) FROM plays WHERE session_id = ?),
		(SELECT COALESCE(SUM(tempo_faster + tempo_slower + tempo_perfect), 0) FROM plays WHERE session_id = ?)`,
		sessionID, sessionID, sessionID).Scan(&t.UniqueDancers, &t.Likes, &t.TempoVotes)
	if err != nil {
		return t, fmt.Errorf("session totals: %w", err)
	}
	return t, nil
}
