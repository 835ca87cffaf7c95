package nowplaying

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// seratoDBSchema is the part of Serato DJ Pro 4's master.sqlite the
// watcher reads, with the columns the open-source readers (What's Now
// Playing's Serato 4 reader) query; location_connections is a view there.
const seratoDBSchema = `
CREATE TABLE location (id INTEGER PRIMARY KEY, database_uri TEXT);
CREATE VIEW location_connections AS SELECT id AS location_id, database_uri FROM location;
CREATE TABLE history_session (id INTEGER PRIMARY KEY AUTOINCREMENT, start_time INTEGER, end_time INTEGER);
CREATE TABLE history_entry (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER, location_id INTEGER, file_name TEXT,
  portable_id TEXT, artist TEXT, name TEXT, album TEXT, genre TEXT, bpm REAL, key TEXT, year TEXT, length_sec REAL,
  start_time INTEGER, played INTEGER, deck INTEGER, file_size INTEGER, file_sample_rate INTEGER, file_bit_rate INTEGER);
INSERT INTO location VALUES (1, '/Users/dj/Library/Application Support/Serato/Library/root.sqlite');
INSERT INTO location VALUES (2, '/Volumes/GIG USB/_Serato_/Library/location.sqlite');
INSERT INTO location VALUES (3, 'E:\_Serato_\Library\location.sqlite');
INSERT INTO history_session (start_time, end_time) VALUES (1796300000, -1);
`

func seratoDBAt(t *testing.T) (string, *sql.DB) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Serato", "Library")
	mkdirAll(t, dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "master.sqlite")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(seratoDBSchema); err != nil {
		t.Fatal(err)
	}
	return dir, db
}

// seratoDBLoad adds a history entry as Serato does when a deck loads a
// track (played 0) and returns its id.
func seratoDBLoad(t *testing.T, db *sql.DB, loc int, portable, artist, title string, deck int, at time.Time, played int) int64 {
	t.Helper()
	res, err := db.Exec(`INSERT INTO history_entry (session_id, location_id, file_name, portable_id, artist, name, start_time, played, deck)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`, loc, filepath.Base(portable), portable, artist, title, at.Unix(), played, deck)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func seratoMarkPlayed(t *testing.T, db *sql.DB, id int64) {
	t.Helper()
	if _, err := db.Exec(`UPDATE history_entry SET played = 1 WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
}

func TestSeratoDBWatcher(t *testing.T) {
	dir, db := seratoDBAt(t)
	now := time.Now().Truncate(time.Second)
	seratoDBLoad(t, db, 1, "Users/dj/Music/old.mp3", "Old", "Song", 1, now.Add(-time.Hour), 1)
	seratoDBLoad(t, db, 1, "Users/dj/Music/Beyoncé/Halo.mp3", "Beyoncé", "Halo", 2, now.Add(-2*time.Minute), 1)
	// Loaded before Pika! started, played after.
	early := seratoDBLoad(t, db, 2, "Música/Bachata/Propuesta Indecente.mp3", "Romeo Santos", "Propuesta Indecente", 1, now.Add(-time.Minute), 0)
	out := startWatcher(t, func(o Options) Watcher { return NewSeratoDB(dir, o) }, Options{Recent: 5 * time.Minute})
	wantEvent(t, nextEvent(t, out), "/Users/dj/Music/Beyoncé/Halo.mp3", "Beyoncé", "Halo", now.Add(-2*time.Minute))

	// A preview: loaded on deck 2, never played, taken off. Then the
	// early one is played; the preview is never reported.
	preview := seratoDBLoad(t, db, 1, "Users/dj/Music/preview.mp3", "Pre", "View", 2, now, 0)
	settle()
	seratoMarkPlayed(t, db, early)
	e := nextEvent(t, out)
	wantEvent(t, e, "/Volumes/GIG USB/Música/Bachata/Propuesta Indecente.mp3", "Romeo Santos", "Propuesta Indecente", now.Add(-time.Minute))
	if e.Source != SourceSeratoDB {
		t.Errorf("source %q", e.Source)
	}
	tests := []struct {
		loc            int
		portable, want string
		artist, title  string
		playedAtInsert int
	}{
		{3, "Music/Zoë/Escape Artist.flac", "E:/Music/Zoë/Escape Artist.flac", "Zoë Keating", "Escape Artist", 0},
		{1, `C:\Users\dj\Music\ça.mp3`, "C:/Users/dj/Music/ça.mp3", "Zaz", "Ça va", 1},
	}
	for i, tc := range tests {
		at := now.Add(time.Duration(i+1) * time.Second)
		id := seratoDBLoad(t, db, tc.loc, tc.portable, tc.artist, tc.title, 1, at, tc.playedAtInsert)
		if tc.playedAtInsert == 0 {
			seratoMarkPlayed(t, db, id)
		}
		wantEvent(t, nextEvent(t, out), tc.want, tc.artist, tc.title, at)
	}
	// Serato restarts: the entries stay, their played flags are written
	// again; nothing is announced twice.
	if _, err := db.Exec(`UPDATE history_entry SET played = played WHERE id != ?`, preview); err != nil {
		t.Fatal(err)
	}
	settle()
	select {
	case e := <-out:
		t.Errorf("announced again: %+v", e)
	default:
	}
}

func TestSeratoDBPath(t *testing.T) {
	tests := []struct{ portable, uri, want string }{
		{"Users/dj/Music/a.mp3", "/Users/dj/Library/Application Support/Serato/Library/root.sqlite", "/Users/dj/Music/a.mp3"},
		{"Music/a.mp3", "/Volumes/USB/_Serato_/Library/location.sqlite", "/Volumes/USB/Music/a.mp3"},
		{"Music/a.mp3", `F:\_Serato_\Library\location.sqlite`, "F:/Music/a.mp3"},
		{`C:\Users\dj\a.mp3`, "", "C:/Users/dj/a.mp3"},
		{"", "/x", ""},
	}
	for _, tc := range tests {
		if got := seratoDBPath(tc.portable, tc.uri); got != tc.want {
			t.Errorf("seratoDBPath(%q, %q) = %q, want %q", tc.portable, tc.uri, got, tc.want)
		}
	}
}
