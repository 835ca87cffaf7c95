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
	"os"
	"path/filepath"
	"sync"

	"github.com/pikadj/pika/desktop/internal/librarydb"
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
// the current schema (librarydb owns the file and its schema).
func Open(ctx context.Context, path string, opts Options) (*Library, error) {
	if path == "" {
		return nil, errors.New("open library: empty path")
	}
	db, err := librarydb.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	return &Library{db: db, path: path, readTags: opts.ReadTags}, nil
}

// DB is the underlying database, shared with the live link's outbox.
func (l *Library) DB() *sql.DB { return l.db }

// Path is the database file.
func (l *Library) Path() string { return l.path }

// Close closes the database.
func (l *Library) Close() error { return l.db.Close() }
