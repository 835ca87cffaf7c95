// Package librarydb owns library.db, the desktop app's one database file:
// how it is opened and its schema, as one versioned list of migrations for
// every table in it (the library's and the live link's outbox). The
// packages that use the file (library, livelink) create no tables of
// their own. The relay's database has its own list, in relay/store.
package librarydb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Open opens (creating when missing) the database at path and migrates it
// to the current schema.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// The file holds the live link's outbox too: keep it private. SQLite
	// gives its -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL: a commit is on disk before it returns, WAL or not. The live
	// link's outbox promises that a queued play survives a power cut;
	// NORMAL in WAL mode may lose the last commits.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}

// Version is the schema version this build writes (PRAGMA user_version).
func Version() int { return len(migrations) }

// Migrate brings db to the current schema, one step at a time, each in its
// own transaction with its version number; a database already current is
// left alone. A database newer than this build is refused rather than
// written with an older idea of its tables.
func Migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := step(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// step runs the next migration; done when there is none. The version is
// read inside the transaction so two openers of one file cannot both run
// the same step.
func step(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return false, fmt.Errorf("library schema version %d is newer than this app (%d): update Pika", version, len(migrations))
	}
	if version == len(migrations) {
		return true, nil
	}
	m := migrations[version]
	if err := m.run(ctx, tx); err != nil {
		return false, fmt.Errorf("migrate to %d (%s): %w", version+1, m.what, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version+1)); err != nil {
		return false, fmt.Errorf("migrate to %d (%s): %w", version+1, m.what, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate to %d (%s): %w", version+1, m.what, err)
	}
	return false, nil
}
