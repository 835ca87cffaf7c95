package nowplaying

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// EngineDJ follows Engine DJ's history database, "Engine Library/Database2/
// hm.db" (Engine DJ desktop, and the same folder on a drive exported to a
// Denon or Numark player). Engine adds a HistorylistEntity row (listId,
// trackId, startTime in Unix seconds) when a track has played on air, not
// when it is loaded or previewed; hm.db carries its own Track table (path
// relative to the Engine Library folder, title, artist). Rows newer than
// the last one seen are events; the file is opened read-only while Engine
// writes it.
type EngineDJ struct {
	db  string // hm.db
	lib string // the Engine Library folder, base of relative paths
	opt Options
}

// NewEngineDJ returns a watcher for loc: the Engine Library folder, its
// Database2 folder, or hm.db itself.
func NewEngineDJ(loc string, opt Options) *EngineDJ {
	db := loc
	switch {
	case strings.EqualFold(filepath.Ext(loc), ".db"):
	case strings.EqualFold(filepath.Base(loc), "Database2"):
		db = filepath.Join(loc, "hm.db")
	default:
		db = filepath.Join(loc, "Database2", "hm.db")
	}
	return &EngineDJ{db: db, lib: filepath.Dir(filepath.Dir(db)), opt: opt.withDefaults()}
}

const engineQuery = `
SELECT h.id, COALESCE(h.startTime, 0), COALESCE(t.artist, ''), COALESCE(t.title, ''), COALESCE(t.path, '')
FROM HistorylistEntity h
LEFT JOIN Track t ON t.id = h.trackId
WHERE h.id > ?
ORDER BY h.id
LIMIT 500`

// Run implements Watcher.
func (w *EngineDJ) Run(ctx context.Context, out chan<- Event) error {
	f := &sqlFollower{path: w.db, what: "Engine DJ history", opt: w.opt,
		maxID: `SELECT COALESCE(MAX(id), 0) FROM HistorylistEntity`,
		since: func(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error) {
			return w.since(ctx, db, after)
		}}
	return f.run(ctx, out)
}

func (w *EngineDJ) since(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error) {
	rows, err := db.QueryContext(ctx, engineQuery, after)
	if err != nil {
		return nil, after, fmt.Errorf("read Engine DJ history: %w", err)
	}
	defer rows.Close()
	var evs []Event
	last := after
	for rows.Next() {
		var id, start int64
		var artist, title, path string
		if err := rows.Scan(&id, &start, &artist, &title, &path); err != nil {
			return evs, last, fmt.Errorf("read Engine DJ history row: %w", err)
		}
		last = id
		if artist == "" && title == "" && path == "" {
			continue
		}
		t := w.opt.Now()
		if start > 946684800 && start < 1<<36 {
			t = time.Unix(start, 0)
		}
		evs = append(evs, Event{Source: SourceEngineDJ, Path: w.absPath(path),
			Artist: clip(strings.TrimSpace(artist)), Title: clip(strings.TrimSpace(title)), StartedAt: t})
	}
	if err := rows.Err(); err != nil {
		return evs, last, fmt.Errorf("read Engine DJ history: %w", err)
	}
	return evs, last, nil
}

// absPath resolves Engine's paths, stored relative to the Engine Library
// folder with forward slashes ("../Music/a.mp3"); absolute ones are kept.
func (w *EngineDJ) absPath(p string) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") || (len(p) > 2 && p[1] == ':') {
		return p
	}
	return filepath.Clean(filepath.Join(w.lib, filepath.FromSlash(p)))
}

// sqlFollower follows a table of a SQLite database that another program
// writes: rows with ids above the last seen are events. It opens the file
// read-only (never immutable) with a busy timeout, waits for the file to
// exist, and at start sends only the newest row when it is recent.
type sqlFollower struct {
	path  string
	what  string
	opt   Options
	maxID string
	since func(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error)
	// open, when set, replaces opening path read-only (SQLCipher).
	open func() (*sql.DB, error)
	// refresh, when set, runs before each look (SQLCipher: decrypt what
	// changed); unchanged, nothing is read; changed, the database is
	// opened again.
	refresh func() (changed bool, err error)
	// invalidate, with refresh, is called when the database did not read
	// back, so the next refresh starts over.
	invalidate func()

	// Run state.
	db      *sql.DB
	started bool
	lastID  int64
}

func (f *sqlFollower) run(ctx context.Context, out chan<- Event) error {
	defer func() {
		if f.db != nil {
			f.db.Close()
		}
	}()
	return watchLoop(ctx, []string{filepath.Dir(f.path)}, f.opt, func() error {
		err := f.check(ctx, out)
		if err != nil && f.invalidate != nil && ctx.Err() == nil {
			f.invalidate()
		}
		return err
	})
}

// check reads the rows written since the last check.
func (f *sqlFollower) check(ctx context.Context, out chan<- Event) error {
	if _, err := os.Stat(f.path); err != nil && f.db == nil {
		return fmt.Errorf("%s: %w", f.what, err)
	}
	if f.refresh != nil {
		changed, err := f.refresh()
		if err != nil {
			return err
		}
		if changed && f.db != nil {
			f.db.Close()
			f.db = nil
		}
		if !changed && f.db != nil {
			return nil
		}
	}
	if f.db == nil {
		open := f.open
		if open == nil {
			open = func() (*sql.DB, error) { return sql.Open("sqlite", mixxxDSN(f.path)) }
		}
		d, err := open()
		if err != nil {
			return fmt.Errorf("open %s %s: %w", f.what, f.path, err)
		}
		d.SetMaxOpenConns(1)
		f.db = d
	}
	if !f.started {
		var id int64
		if err := f.db.QueryRowContext(ctx, f.maxID).Scan(&id); err != nil {
			return fmt.Errorf("read %s: %w", f.what, err)
		}
		evs, last, err := f.catchUp(ctx, f.db, id)
		if err != nil {
			return err
		}
		f.started, f.lastID = true, last
		return sendAll(ctx, out, evs)
	}
	for {
		evs, id, err := f.since(ctx, f.db, f.lastID)
		if err != nil {
			return err
		}
		f.lastID = id
		if err := sendAll(ctx, out, evs); err != nil {
			return err
		}
		if len(evs) < 500 {
			return nil
		}
	}
}

// catchUp returns what to send at start, up to row id: the newest entry
// when recent, or with Options.Since every entry after it (read in pages
// from the first row: a history table holds thousands of rows at most).
func (f *sqlFollower) catchUp(ctx context.Context, db *sql.DB, id int64) ([]Event, int64, error) {
	if id == 0 {
		return nil, 0, nil
	}
	if f.opt.Since.IsZero() {
		evs, _, err := f.since(ctx, db, id-1)
		if err != nil || len(evs) == 0 {
			return nil, id, err
		}
		return f.opt.startEvents(evs[:1]), id, nil
	}
	var all []Event
	after := int64(0)
	for after < id {
		evs, last, err := f.since(ctx, db, after)
		if err != nil {
			return nil, id, err
		}
		all = append(all, evs...)
		if last == after {
			break
		}
		after = last
	}
	// Rows written meanwhile (past id) are in all: continue after them.
	return f.opt.startEvents(all), max(after, id), nil
}
