package nowplaying

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// SeratoDB follows Serato DJ Pro 4's library database, master.sqlite
// (Library folder under Application Support on macOS, LOCALAPPDATA on
// Windows), beside the session files older Serato versions write. Serato
// adds a history_entry row when a track is loaded on a deck and sets its
// played column to 1 once the track is really played out; only played
// rows count, so a track loaded, cued or previewed and taken off again is
// never reported. A row can turn played long after it was added (loaded
// early, played later): rows not yet played are looked at again until
// they are, or until they are older than seratoPending.
type SeratoDB struct {
	db  string
	opt Options
}

// seratoPending is how long a loaded, unplayed entry is still watched for
// turning played.
const seratoPending = 2 * time.Hour

// NewSeratoDB returns a watcher for loc: master.sqlite or its folder.
func NewSeratoDB(loc string, opt Options) *SeratoDB {
	db := loc
	if !strings.EqualFold(filepath.Ext(loc), ".sqlite") {
		db = filepath.Join(loc, "master.sqlite")
	}
	return &SeratoDB{db: db, opt: opt.withDefaults()}
}

const seratoDBQuery = `
SELECT h.rowid, COALESCE(h.played, 0), COALESCE(h.start_time, 0), COALESCE(h.artist, ''), COALESCE(h.name, ''),
       COALESCE(h.portable_id, ''), COALESCE(h.file_name, ''), COALESCE(l.database_uri, '')
FROM history_entry h
LEFT JOIN location_connections l ON l.location_id = h.location_id
WHERE h.rowid > ?
ORDER BY h.rowid
LIMIT 2000`

type seratoDBRow struct {
	id     int64
	played bool
	ev     Event
}

// Run implements Watcher.
func (w *SeratoDB) Run(ctx context.Context, out chan<- Event) error {
	var db *sql.DB
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	var (
		started bool
		low     int64              // every row at or below is done with
		done    = map[int64]bool{} // rows above low already handled
		seen    = map[int64]time.Time{}
	)
	return watchLoop(ctx, []string{filepath.Dir(w.db)}, w.opt, func() error {
		if db == nil {
			if _, err := os.Stat(w.db); err != nil {
				return fmt.Errorf("Serato database: %w", err)
			}
			d, err := sql.Open("sqlite", mixxxDSN(w.db))
			if err != nil {
				return fmt.Errorf("open Serato database %s: %w", w.db, err)
			}
			d.SetMaxOpenConns(1)
			db = d
		}
		rows, err := w.rows(ctx, db, low)
		if err != nil {
			return err
		}
		now := w.opt.Now()
		var evs []Event
		if !started {
			var played []Event
			for _, r := range rows {
				if r.played {
					played = append(played, r.ev)
					done[r.id] = true
				}
			}
			evs = w.opt.startEvents(played)
			started = true
		} else {
			for _, r := range rows {
				if r.played && !done[r.id] {
					done[r.id] = true
					evs = append(evs, r.ev)
				}
			}
		}
		// Move low past the rows that are over: played and sent, or
		// loaded so long ago that they will not be played any more.
		for _, r := range rows {
			if _, ok := seen[r.id]; !ok {
				seen[r.id] = now
			}
			over := done[r.id] || now.Sub(seen[r.id]) > seratoPending
			if !over {
				break
			}
			low = r.id
			delete(done, r.id)
			delete(seen, r.id)
		}
		return sendAll(ctx, out, evs)
	})
}

func (w *SeratoDB) rows(ctx context.Context, db *sql.DB, after int64) ([]seratoDBRow, error) {
	rs, err := db.QueryContext(ctx, seratoDBQuery, after)
	if err != nil {
		return nil, fmt.Errorf("read Serato history: %w", err)
	}
	defer rs.Close()
	var out []seratoDBRow
	for rs.Next() {
		var r seratoDBRow
		var played, start int64
		var artist, title, portable, file, uri string
		if err := rs.Scan(&r.id, &played, &start, &artist, &title, &portable, &file, &uri); err != nil {
			return out, fmt.Errorf("read Serato history row: %w", err)
		}
		r.played = played == 1
		t := time.Time{}
		switch {
		case start > 1e11 && start < 1e14: // milliseconds
			t = time.UnixMilli(start)
		case start > 946684800 && start < 1<<36:
			t = time.Unix(start, 0)
		default:
			t = w.opt.Now()
		}
		p := seratoDBPath(portable, uri)
		if p == "" {
			p = file
		}
		r.ev = Event{Source: SourceSeratoDB, Path: p, Artist: clip(strings.TrimSpace(artist)), Title: clip(strings.TrimSpace(title)), StartedAt: t}
		if r.ev.Path == "" && r.ev.Artist == "" && r.ev.Title == "" {
			r.played = false
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return out, fmt.Errorf("read Serato history: %w", err)
	}
	return out, nil
}

// seratoDBPath makes a file path of an entry's portable_id: relative to
// its library's location. An external drive's library lives in
// "<drive>/_Serato_/…", so the drive is the base; the computer's own
// library stores the path from the root without its leading "/" (or with
// a drive letter on Windows).
func seratoDBPath(portable, databaseURI string) string {
	if portable == "" {
		return ""
	}
	p := strings.ReplaceAll(portable, `\`, "/")
	if len(p) > 1 && p[1] == ':' {
		return p // C:/Users/…
	}
	uri := strings.ReplaceAll(databaseURI, `\`, "/")
	if i := strings.Index(uri, "/_Serato_/"); i >= 0 {
		base := uri[:i]
		return path.Join(base, p)
	}
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}
