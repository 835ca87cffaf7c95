package nowplaying

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Rekordbox follows rekordbox 6 and 7's library database, master.db
// (SQLCipher 4). rekordbox adds a djmdSongHistory row (ContentID, the
// djmdContent row with the file path, title and artist) when a track has
// played on a deck long enough to enter its History, not when it is
// loaded or previewed in the browser. The file is never opened for
// writing: each change is decrypted into a private temporary copy (see
// cipherCopy) that is read.
type Rekordbox struct {
	db  string
	key string
	p   cipherParams
	opt Options
}

// rekordboxKey is the passphrase rekordbox 6 and 7 open master.db with,
// the same on every computer; the open-source readers (pyrekordbox)
// publish it. A DJ whose rekordbox uses another sets Options.RekordboxKey.
const rekordboxKey = "402fd482c38817c35ffa8ffb8c7d93143b749e7d315df7a81732a1ff43608497"

// NewRekordbox returns a watcher for loc: master.db or the folder holding
// it. key empty: Options.RekordboxKey, then PIKA_REKORDBOX_KEY, then the
// published key.
func NewRekordbox(loc string, opt Options) *Rekordbox {
	db := loc
	if !strings.EqualFold(filepath.Ext(loc), ".db") {
		db = filepath.Join(loc, "master.db")
	}
	key := strings.TrimSpace(opt.RekordboxKey)
	if key == "" {
		key = strings.TrimSpace(os.Getenv("PIKA_REKORDBOX_KEY"))
	}
	if key == "" {
		key = rekordboxKey
	}
	return &Rekordbox{db: db, key: key, p: sqlcipher4, opt: opt.withDefaults()}
}

// RekordboxKeyHelp tells a DJ how to give Pika! the key when the published
// one does not open their master.db, in steps.
const RekordboxKeyHelp = "Pika! has the key rekordbox 6 and 7 publish built in, so check first that this is rekordbox's master.db. " +
	"If it is, your rekordbox uses another key: 1. find it (the documentation of the open-source pyrekordbox, page \"Rekordbox 6 Database\", " +
	"section \"Incompatible Rekordbox versions\", says where it is published); 2. paste it in the key box of the Live pane and save it " +
	"(for `pika live`, set PIKA_REKORDBOX_KEY); 3. end the session and go live again"

const rekordboxQuery = `
SELECT h.rowid, COALESCE(h.created_at, ''), COALESCE(h.rb_local_deleted, 0),
       COALESCE(a.Name, ''), COALESCE(c.Title, ''), COALESCE(c.FolderPath, '')
FROM djmdSongHistory h
LEFT JOIN djmdContent c ON c.ID = h.ContentID
LEFT JOIN djmdArtist a ON a.ID = c.ArtistID
WHERE h.rowid > ?
ORDER BY h.rowid
LIMIT 500`

// Run implements Watcher.
func (w *Rekordbox) Run(ctx context.Context, out chan<- Event) error {
	dir, err := os.MkdirTemp("", "pika-rekordbox-")
	if err != nil {
		return fmt.Errorf("rekordbox: temporary copy: %w", err)
	}
	defer os.RemoveAll(dir)
	cc := &cipherCopy{src: w.db, dst: filepath.Join(dir, "master.db"), pass: w.key, p: w.p}
	f := &sqlFollower{path: w.db, what: "rekordbox database", opt: w.opt,
		maxID: `SELECT COALESCE(MAX(rowid), 0) FROM djmdSongHistory`,
		since: w.since,
		open:  func() (*sql.DB, error) { return sql.Open("sqlite", mixxxDSN(cc.dst)) },
		refresh: func() (bool, error) {
			changed, err := cc.refresh()
			if errors.Is(err, ErrWrongKey) {
				return false, fmt.Errorf("rekordbox database %s: %w: %s", w.db, err, RekordboxKeyHelp)
			}
			return changed, err
		},
		invalidate: cc.invalidate}
	return f.run(ctx, out)
}

func (w *Rekordbox) since(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error) {
	rows, err := db.QueryContext(ctx, rekordboxQuery, after)
	if err != nil {
		return nil, after, fmt.Errorf("read rekordbox history: %w", err)
	}
	defer rows.Close()
	var evs []Event
	last := after
	for rows.Next() {
		var id, deleted int64
		var created, artist, title, path string
		if err := rows.Scan(&id, &created, &deleted, &artist, &title, &path); err != nil {
			return evs, last, fmt.Errorf("read rekordbox history row: %w", err)
		}
		last = id
		if deleted != 0 || (artist == "" && title == "" && path == "") {
			continue
		}
		t, ok := rekordboxTime(created)
		if !ok {
			t = w.opt.Now()
		}
		evs = append(evs, Event{Source: SourceRekordbox, Path: path,
			Artist: clip(strings.TrimSpace(artist)), Title: clip(strings.TrimSpace(title)), StartedAt: t})
	}
	if err := rows.Err(); err != nil {
		return evs, last, fmt.Errorf("read rekordbox history: %w", err)
	}
	return evs, last, nil
}

// rekordboxTime reads created_at: "2026-12-03 21:04:05.123 +00:00" (UTC
// with its offset); without an offset it is local time.
func rekordboxTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -07:00", "2006-01-02 15:04:05 -07:00", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
