package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/shared/protocol"
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
