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

// Errors for refused poll votes.
var (
	ErrPollClosed = errors.New("poll is closed")
	ErrBadOption  = errors.New("no such option")
)

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
