// Package library is the DJ's local music library: one SQLite database of
// tracks (tags, our analysis and VirtualDJ's own numbers side by side), the
// folders they were imported from, folder scanning and watching, VirtualDJ
// database import, search, and the analysis queue that fills it in.
package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Library is an open library database. Its methods are safe for concurrent
// use.
type Library struct {
	db       *sql.DB
	path     string
	readTags TagReader
	importMu sync.Mutex // one file import at a time: scans and the watcher race on paths
}

// TagReader reads a file's tags. The desktop app passes
// analysis.ReadTags; a nil reader titles tracks after their file names.
type TagReader func(path string) (Tags, error)

// Options configure Open.
type Options struct {
	// ReadTags reads tags during imports; nil means file names only.
	ReadTags TagReader
}

// DefaultPath is where the library lives: the user's config folder, Pika.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config folder: %w", err)
	}
	return filepath.Join(dir, "Pika", "library.db"), nil
}

// Open opens (creating when missing) the library at path and migrates it to
// the current schema.
func Open(ctx context.Context, path string, opts Options) (*Library, error) {
	if path == "" {
		return nil, errors.New("open library: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	// The library holds the live link's outbox too: keep it private. SQLite
	// gives its -wal and -shm files the database file's permissions.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, fmt.Errorf("open library: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	return &Library{db: db, path: path, readTags: opts.ReadTags}, nil
}

// DB is the underlying database, shared with the live link's outbox.
func (l *Library) DB() *sql.DB { return l.db }

// Path is the database file.
func (l *Library) Path() string { return l.path }

// Close closes the database.
func (l *Library) Close() error { return l.db.Close() }

// migrations upgrade the schema one version at a time; PRAGMA user_version
// records how many have run. Append only: never edit a released step.
var migrations = []string{
	`CREATE TABLE folders (
		id       INTEGER PRIMARY KEY,
		path     TEXT NOT NULL UNIQUE,
		added_at INTEGER NOT NULL
	);
	CREATE TABLE tracks (
		id            INTEGER PRIMARY KEY,
		path          TEXT NOT NULL UNIQUE,
		path_key      TEXT NOT NULL,
		source        TEXT NOT NULL,
		size          INTEGER NOT NULL DEFAULT 0,
		mtime         INTEGER NOT NULL DEFAULT 0,
		hash          TEXT NOT NULL DEFAULT '',
		artist        TEXT NOT NULL DEFAULT '',
		title         TEXT NOT NULL DEFAULT '',
		album         TEXT NOT NULL DEFAULT '',
		genre         TEXT NOT NULL DEFAULT '',
		year          INTEGER NOT NULL DEFAULT 0,
		tag_bpm       REAL NOT NULL DEFAULT 0,
		tag_key       TEXT NOT NULL DEFAULT '',
		identity      TEXT NOT NULL,
		search_text   TEXT NOT NULL,
		bpm           REAL,
		bpm_conf      REAL,
		key_name      TEXT,
		camelot       TEXT,
		key_conf      REAL,
		energy        REAL,
		danceability  REAL,
		brightness    REAL,
		loudness_lufs REAL,
		duration_s    REAL,
		vdj_bpm       REAL,
		vdj_key       TEXT NOT NULL DEFAULT '',
		vdj_camelot   TEXT NOT NULL DEFAULT '',
		state         TEXT NOT NULL,
		error         TEXT NOT NULL DEFAULT '',
		added_at      INTEGER NOT NULL,
		analysed_at   INTEGER
	);
	CREATE INDEX tracks_path_key ON tracks(path_key);
	CREATE INDEX tracks_identity ON tracks(identity);
	CREATE INDEX tracks_hash ON tracks(hash);
	CREATE INDEX tracks_state ON tracks(state);
	CREATE INDEX tracks_bpm ON tracks(bpm);`,
}

func migrate(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("library schema version %d is newer than this app (%d): update Pika", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
	}
	return nil
}
