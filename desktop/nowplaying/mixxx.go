package nowplaying

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Mixxx watches the history playlists in Mixxx's mixxxdb.sqlite: Mixxx
// adds a row to PlaylistTracks of the current history playlist
// (Playlists.hidden = 2) when a track is played. The database is opened
// read-only (never immutable: Mixxx writes it while we read) with a busy
// timeout, and rows newer than the last one seen are events.
type Mixxx struct {
	path string
	opt  Options
}

// NewMixxx returns a watcher for the Mixxx database at path.
func NewMixxx(path string, opt Options) *Mixxx { return &Mixxx{path: path, opt: opt.withDefaults()} }

// mixxxHistory is Mixxx's PLHT_SET_LOG: the hidden value of history
// playlists.
const mixxxHistory = 2

const mixxxQuery = `
SELECT pt.id, COALESCE(CAST(pt.pl_datetime_added AS TEXT), ''),
       COALESCE(l.artist, ''), COALESCE(l.title, ''), COALESCE(tl.location, '')
FROM PlaylistTracks pt
JOIN Playlists p ON p.id = pt.playlist_id
LEFT JOIN library l ON l.id = pt.track_id
LEFT JOIN track_locations tl ON tl.id = l.location
WHERE p.hidden = ? AND pt.id > ?
ORDER BY pt.id
LIMIT 500`

// mixxxDSN makes a read-only SQLite URI for path (also a Windows path).
func mixxxDSN(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: "mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"}
	return u.String()
}

// Run implements Watcher.
func (w *Mixxx) Run(ctx context.Context, out chan<- Event) error {
	var db *sql.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	started := false
	var lastID int64
	return watchLoop(ctx, []string{filepath.Dir(w.path)}, w.opt, func() error {
		if db == nil {
			if _, err := os.Stat(w.path); err != nil {
				return fmt.Errorf("mixxx database: %w", err)
			}
			d, err := sql.Open("sqlite", mixxxDSN(w.path))
			if err != nil {
				return fmt.Errorf("open mixxx database %s: %w", w.path, err)
			}
			d.SetMaxOpenConns(1)
			db = d
		}
		if !started {
			id, last, err := w.latest(ctx, db)
			if err != nil {
				return err
			}
			started, lastID = true, id
			if last != nil && w.opt.recentEnough(last.StartedAt) {
				if !send(ctx, out, *last) {
					return ctx.Err()
				}
			}
			return nil
		}
		for {
			evs, id, err := w.since(ctx, db, lastID)
			if err != nil {
				return err
			}
			lastID = id
			if err := sendAll(ctx, out, evs); err != nil {
				return err
			}
			if len(evs) < 500 {
				return nil
			}
		}
	})
}

// latest returns the newest history row's id and entry.
func (w *Mixxx) latest(ctx context.Context, db *sql.DB) (int64, *Event, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(pt.id), 0) FROM PlaylistTracks pt
		JOIN Playlists p ON p.id = pt.playlist_id WHERE p.hidden = ?`, mixxxHistory).Scan(&id)
	if err != nil {
		return 0, nil, fmt.Errorf("read mixxx history: %w", err)
	}
	if id == 0 {
		return 0, nil, nil
	}
	evs, _, err := w.since(ctx, db, id-1)
	if err != nil || len(evs) == 0 {
		return id, nil, err
	}
	return id, &evs[0], nil
}

// since returns history entries with ids above after, and the last id.
func (w *Mixxx) since(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error) {
	rows, err := db.QueryContext(ctx, mixxxQuery, mixxxHistory, after)
	if err != nil {
		return nil, after, fmt.Errorf("read mixxx history: %w", err)
	}
	defer rows.Close()
	var evs []Event
	last := after
	for rows.Next() {
		var id int64
		var added, artist, title, loc string
		if err := rows.Scan(&id, &added, &artist, &title, &loc); err != nil {
			return evs, last, fmt.Errorf("read mixxx history row: %w", err)
		}
		last = id
		t, ok := parseMixxxTime(added)
		if !ok {
			t = w.opt.Now()
		}
		if artist == "" && title == "" && loc == "" {
			continue // a track row deleted since
		}
		evs = append(evs, Event{Source: SourceMixxx, Path: loc, Artist: clip(strings.TrimSpace(artist)), Title: clip(strings.TrimSpace(title)), StartedAt: t})
	}
	if err := rows.Err(); err != nil {
		return evs, last, fmt.Errorf("read mixxx history: %w", err)
	}
	return evs, last, nil
}

// parseMixxxTime reads pl_datetime_added: Mixxx stores UTC, as Qt's ISO
// form ("2024-05-01T21:03:04.123Z") or SQLite's ("2024-05-01 21:03:04").
func parseMixxxTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
