package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// HealthError says why the database is not healthy, in words fit for an
// unauthenticated /healthz answer (no paths, no driver text); Err has the
// detail for the log.
type HealthError struct {
	Reason string
	Err    error
}

func (e *HealthError) Error() string { return "database check: " + e.Reason + ": " + e.Err.Error() }
func (e *HealthError) Unwrap() error { return e.Err }

// pingReuse is how long a passed check stands for the next ones, so
// /healthz hammered by a stranger costs at most one durable write a
// second.
const pingReuse = time.Second

// Ping checks both paths to the database: a read of the schema version
// through the read pool, and a real write through the writer's queue: the
// heartbeat row's counter goes up, so a page must reach the disk and the
// commit be synced. A full disk, a read-only file or a wedged writer (a
// lock held elsewhere, a stuck disk, a full queue) fails it once ctx runs
// out. The error is a *HealthError.
func (s *Store) Ping(ctx context.Context) error {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	if !s.healthyAt.IsZero() && time.Since(s.healthyAt) < pingReuse {
		return nil
	}
	var v int
	if err := s.rd.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return &HealthError{Reason: "cannot read", Err: err}
	}
	if v != len(migrations) {
		return &HealthError{Reason: "wrong schema", Err: fmt.Errorf("schema version %d, want %d", v, len(migrations))}
	}
	now := time.Now()
	beat := func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO health (id, beat, at) VALUES (1, 1, ?)
			ON CONFLICT (id) DO UPDATE SET beat = beat + 1, at = excluded.at`, ms(now))
		return err
	}
	if err := s.write(ctx, "health check", beat); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return &HealthError{Reason: "writes do not complete", Err: err}
		}
		return &HealthError{Reason: "cannot write", Err: err}
	}
	s.healthyAt = time.Now()
	return nil
}

// Heartbeat reads the heartbeat row: how many checks have written it and
// when the last one did (zero before the first).
func (s *Store) Heartbeat(ctx context.Context) (int64, time.Time, error) {
	var beat, at int64
	err := s.rd.QueryRowContext(ctx, "SELECT beat, at FROM health WHERE id = 1").Scan(&beat, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("read heartbeat: %w", err)
	}
	return beat, fromMS(at), nil
}
