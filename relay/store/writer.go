package store

import (
	"context"
	"database/sql"
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
	// applied, when set, is closed once fn has run without error, before
	// the commit: the caller may act on fn's results (broadcast them)
	// while the commit is being made durable.
	applied chan struct{}
}

// write queues fn to run in the writer's next transaction and waits until
// that transaction is committed (or fn failed, in which case its changes are
// rolled back and the others in the batch are unaffected).
func (s *Store) write(ctx context.Context, name string, fn func(tx *sql.Tx) error) error {
	return s.writeOp(ctx, &writeOp{name: name, fn: fn, done: make(chan error, 1)})
}

func (s *Store) writeOp(ctx context.Context, op *writeOp) error {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.ops <- op:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
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

func (s *Store) commit(batch []*writeOp) {
	start := time.Now()
	results := make([]error, len(batch))
	err := func() error {
		ctx := context.Background()
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		for i, op := range batch {
			if _, err := tx.Exec("SAVEPOINT op"); err != nil {
				tx.Rollback()
				return fmt.Errorf("savepoint: %w", err)
			}
			if results[i] = op.fn(tx); results[i] != nil {
				if _, err := tx.Exec("ROLLBACK TO op"); err != nil {
					tx.Rollback()
					return fmt.Errorf("rollback to savepoint: %w", err)
				}
			} else if op.applied != nil {
				close(op.applied)
			}
			if _, err := tx.Exec("RELEASE op"); err != nil {
				tx.Rollback()
				return fmt.Errorf("release savepoint: %w", err)
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
			continue
		}
		op.done <- results[i]
	}
}
