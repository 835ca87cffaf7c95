package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxBatch bounds one group commit so a flood cannot hold a transaction
// open for long.
const maxBatch = 512

type writeOp struct {
	name string
	fn   func(tx *sql.Tx) error
	done chan error
}

// write queues fn to run in the writer's next transaction and waits until
// that transaction is committed. fn must check what it refuses (returning
// one of the store's refusal errors) before it changes anything; see
// isRefusal.
func (s *Store) write(ctx context.Context, name string, fn func(tx *sql.Tx) error) error {
	return s.writeOp(ctx, &writeOp{name: name, fn: fn, done: make(chan error, 1)})
}

func (s *Store) writeOp(ctx context.Context, op *writeOp) error {
	if err := s.enqueue(ctx, op); err != nil {
		return err
	}
	return s.wait(ctx, op)
}

// enqueue hands op to the writer; ops run in the order enqueued.
func (s *Store) enqueue(ctx context.Context, op *writeOp) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	s.pending.Add(1)
	select {
	case s.ops <- op:
		return nil
	case <-ctx.Done():
		s.pending.Add(-1)
		return ctx.Err()
	}
}

// wait waits for op's commit.
func (s *Store) wait(ctx context.Context, op *writeOp) error {
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		// The write may still commit; the caller just stops waiting.
		return ctx.Err()
	}
}

func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*writeOp, 0, maxBatch)
	for op := range s.ops {
		batch = append(batch[:0], op)
	fill:
		for len(batch) < maxBatch {
			select {
			case next, ok := <-s.ops:
				if !ok {
					break fill
				}
				batch = append(batch, next)
			default:
				break fill
			}
		}
		s.commit(batch)
	}
}

// isRefusal reports whether err is one of the store's refusals (a like of
// an unknown play, a second poll vote, a taken email…). Every write
// function checks what it refuses before it changes anything, so a refused
// op leaves nothing behind and the rest of its batch commits as usual. Any
// other error is a database failure: the whole batch is rolled back and
// every op in it fails. (Savepoints per op would isolate those too, at two
// more statements per like.)
func isRefusal(err error) bool {
	for _, r := range []error{ErrNotFound, ErrEmailTaken, ErrAlreadyVoted, ErrPollClosed, ErrBadOption,
		ErrSlugTaken, ErrTooManyStages, ErrStageUsed, ErrLastOrganizer, ErrInviteUsed, ErrInviteExpired, ErrStageBusy, ErrTooManyAnnouncements,
		ErrRequestOpen, ErrCooldown, ErrTooManyRequests, ErrRequestClosed, ErrTooManyPushSubscriptions} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

func (s *Store) commit(batch []*writeOp) {
	start := time.Now()
	results := make([]error, len(batch))
	err := func() error {
		tx, err := s.db.BeginTx(context.Background(), nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		if s.lockFirst {
			// Take the write lock before any read, as BEGIN IMMEDIATE
			// would (the driver only says BEGIN): when several relays
			// share the file, a transaction that read and then writes
			// after another process committed fails at once with
			// "database is locked" instead of waiting (busy_timeout).
			if _, err := tx.Exec("UPDATE schema_migrations SET version = version WHERE 0"); err != nil {
				tx.Rollback()
				return fmt.Errorf("take the write lock: %w", err)
			}
		}
		for i, op := range batch {
			results[i] = op.fn(tx)
			if results[i] != nil && !isRefusal(results[i]) {
				tx.Rollback()
				return fmt.Errorf("%s: %w", op.name, results[i])
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		return nil
	}()
	s.observe("commit", time.Since(start))
	if err != nil {
		s.log.Error("group commit failed", "ops", len(batch), "err", err)
	}
	for i, op := range batch {
		if err != nil {
			op.done <- fmt.Errorf("%s: %w", op.name, err)
		} else {
			op.done <- results[i]
		}
		s.pending.Add(-1)
	}
}
