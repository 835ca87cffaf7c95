// Package store keeps Pika!'s relay data in libSQL: DJ accounts and tokens,
// sessions, plays, likes, votes, polls and announcements. Every write goes
// through one writer goroutine that commits queued writes together (group
// commit), so a burst of likes costs one fsync per batch, not per like,
// while each caller still learns only after its write is durable. One file
// per entity: accounts, sessions, plays, reactions (likes, tempo votes,
// a client's activity, recap totals), polls, announcements.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	libsql "github.com/tursodatabase/go-libsql"
)

// Errors the callers map to protocol error codes.
var (
	ErrNotFound     = errors.New("not found")
	ErrEmailTaken   = errors.New("email already registered")
	ErrAlreadyVoted = errors.New("already voted")
	ErrClosed       = errors.New("store is closed")
)

// Options configures Open.
type Options struct {
	// URL is a "file:" path (embedded database; a bare path also works) or
	// a "libsql://" Turso URL, served from an embedded replica at
	// ReplicaPath.
	URL         string
	AuthToken   string
	ReplicaPath string
	// Observe, when set, is told how long each database operation took.
	Observe func(op string, d time.Duration)
	Logger  *slog.Logger
}

// Store is the relay's database.
type Store struct {
	db        *sql.DB
	rd        querier // reads: db, or a read transaction in a Snapshot
	connector io.Closer
	observe   func(string, time.Duration)
	log       *slog.Logger

	ops      chan *writeOp
	stopOnce sync.Once
	stopped  chan struct{}
	mu       sync.RWMutex // guards closed against sends on ops
	closed   bool
	pending  atomic.Int64 // writes queued or committing

	closeOnce sync.Once
	closeErr  error

	healthMu  sync.Mutex // one health check at a time
	healthyAt time.Time  // when the last one passed

	// lockFirst: a local file, which other processes (relays) may share;
	// see commit.
	lockFirst bool
}

// Open opens (creating if needed) the database and applies pending
// migrations.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observe == nil {
		o.Observe = func(string, time.Duration) {}
	}
	var (
		base    driver.Connector
		closer  io.Closer
		replica bool
	)
	if o.URL != "" && !strings.Contains(o.URL, ":") {
		o.URL = "file:" + o.URL // a bare path is a file
	}
	switch {
	case strings.HasPrefix(o.URL, "libsql://") || strings.HasPrefix(o.URL, "https://"):
		if o.ReplicaPath == "" {
			return nil, errors.New("open database: a libsql:// URL needs a local replica path")
		}
		c, err := libsql.NewEmbeddedReplicaConnector(o.ReplicaPath, o.URL,
			libsql.WithAuthToken(o.AuthToken), libsql.WithSyncInterval(time.Minute))
		if err != nil {
			return nil, fmt.Errorf("open embedded replica of %s: %w", redactURL(o.URL), err)
		}
		base, closer, replica = c, c, true
	case strings.HasPrefix(o.URL, "file:"):
		c, err := (libsqlDriver()).OpenConnector(o.URL)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", o.URL, err)
		}
		base = c
		if cl, ok := c.(io.Closer); ok {
			closer = cl
		}
	default:
		return nil, fmt.Errorf("open database: %q is neither a file: path nor a libsql:// URL", redactURL(o.URL))
	}
	db := sql.OpenDB(&pragmaConnector{Connector: base, replica: replica})
	db.SetMaxOpenConns(6)
	db.SetMaxIdleConns(6)
	db.SetConnMaxIdleTime(0)
	s := &Store{
		db: db, rd: db, connector: closer, observe: o.Observe, log: o.Logger,
		ops: make(chan *writeOp, 4096), stopped: make(chan struct{}), lockFirst: !replica,
	}
	if !replica {
		// WAL lets readers run while the writer commits; FULL makes a
		// commit survive power loss, which is what an ACK promises.
		if err := s.pragma(ctx, "PRAGMA journal_mode=WAL"); err != nil {
			db.Close()
			return nil, fmt.Errorf("enable WAL: %w", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDB()
		return nil, err
	}
	go s.writer()
	return s, nil
}

func libsqlDriver() driver.DriverContext {
	db, _ := sql.Open("libsql", "file::memory:")
	defer db.Close()
	return db.Driver().(driver.DriverContext)
}

// redactURL drops the query (which may carry an auth token) and userinfo.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	u.RawQuery = ""
	u.User = nil
	return u.String()
}

func (s *Store) pragma(ctx context.Context, p string) error {
	rows, err := s.rd.QueryContext(ctx, p)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// pragmaConnector sets per-connection pragmas on every new connection.
type pragmaConnector struct {
	driver.Connector
	replica bool
}

func (p *pragmaConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := p.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if p.replica {
		return c, nil
	}
	q, ok := c.(driver.QueryerContext)
	if !ok {
		return c, nil
	}
	for _, stmt := range []string{"PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"} {
		rows, err := q.QueryContext(ctx, stmt, nil)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: %w", stmt, err)
		}
		rows.Close()
	}
	return c, nil
}

// querier is what reads need: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Snapshot runs fn with a store whose reads all happen in one read
// transaction, so they agree with each other (a recap's totals with its
// per-play numbers) however many writes commit meanwhile. The store given
// to fn refuses writes.
func (s *Store) Snapshot(ctx context.Context, fn func(*Store) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	snap := &Store{db: s.db, rd: tx, observe: s.observe, log: s.log, closed: true}
	return fn(snap)
}

// Close flushes queued writes and closes the database.
func (s *Store) Close() error {
	_, err := s.CloseContext(context.Background())
	return err
}

// CloseContext flushes queued writes and closes the database. If ctx ends
// first it returns how many writes were still queued or committing, with
// ctx's error, and leaves the database to the writer (the process is
// about to exit).
func (s *Store) CloseContext(ctx context.Context) (int, error) {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.ops)
		s.mu.Unlock()
	})
	select {
	case <-s.stopped:
	case <-ctx.Done():
		return int(s.pending.Load()), fmt.Errorf("close database: %w", ctx.Err())
	}
	s.closeOnce.Do(func() { s.closeErr = s.closeDB() })
	return 0, s.closeErr
}

func (s *Store) closeDB() error {
	err := s.db.Close()
	if s.connector != nil {
		if cerr := s.connector.Close(); err == nil {
			err = cerr
		}
		s.connector = nil
	}
	return err
}

func (s *Store) timed(op string, start time.Time) { s.observe(op, time.Since(start)) }

// ms stores times as Unix milliseconds: go-libsql turns any text that looks
// like a date into time.Time, so text timestamps would not round-trip.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
