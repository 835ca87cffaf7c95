package nowplaying

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// mixxxSchema is the subset of Mixxx's schema (res/schema.xml) the
// watcher reads, with Mixxx's column names and types.
const mixxxSchema = `
PRAGMA journal_mode=WAL;
CREATE TABLE Playlists (
  id INTEGER PRIMARY KEY, name varchar(48), position INTEGER,
  hidden INTEGER DEFAULT 0 NOT NULL, date_created datetime, date_modified datetime,
  locked INTEGER DEFAULT 0);
CREATE TABLE track_locations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, location varchar(512) UNIQUE,
  filename varchar(512), directory varchar(512), filesize INTEGER,
  fs_deleted INTEGER, needs_verification INTEGER);
CREATE TABLE library (
  id INTEGER PRIMARY KEY AUTOINCREMENT, artist varchar(64), title varchar(64),
  album varchar(64), year varchar(16), genre varchar(64), tracknumber varchar(3),
  location integer REFERENCES track_locations(location), comment varchar(256),
  url varchar(256), duration integer, bitrate integer, samplerate integer,
  cuepoint integer, bpm float, wavesummaryhex blob, channels integer,
  datetime_added DEFAULT CURRENT_TIMESTAMP, mixxx_deleted integer, played integer,
  timesplayed integer DEFAULT 0, rating integer DEFAULT 0, key varchar(8));
CREATE TABLE PlaylistTracks (
  id INTEGER PRIMARY KEY, playlist_id INTEGER REFERENCES Playlists(id),
  track_id INTEGER REFERENCES library(id), position INTEGER,
  pl_datetime_added);
INSERT INTO Playlists (id, name, position, hidden) VALUES (1, 'Warm-up', 1, 0), (2, '2026-11-25', 2, 2);
`

func addMixxxTrack(t *testing.T, db *sql.DB, id int, artist, title, loc string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO track_locations (id, location, filename, directory) VALUES (?, ?, ?, ?)`, id, loc, filepath.Base(loc), filepath.Dir(loc)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO library (id, artist, title, location, bpm) VALUES (?, ?, ?, ?, 120)`, id, artist, title, id); err != nil {
		t.Fatal(err)
	}
}

func addMixxxPlay(t *testing.T, db *sql.DB, playlist, track int, added string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO PlaylistTracks (playlist_id, track_id, position, pl_datetime_added)
		VALUES (?, ?, (SELECT COUNT(*) + 1 FROM PlaylistTracks WHERE playlist_id = ?), ?)`, playlist, track, playlist, added); err != nil {
		t.Fatal(err)
	}
}

func TestMixxxWatcher(t *testing.T) {
	// A folder name with a space and a '#', which a naive file: URI breaks.
	dir := filepath.Join(t.TempDir(), "Application Support", "Mixxx #2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mixxxdb.sqlite")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(mixxxSchema); err != nil {
		t.Fatal(err)
	}
	addMixxxTrack(t, db, 1, "Buena Vista Social Club", "Chan Chan", "/home/marta/Music/Chan Chan.mp3")
	addMixxxTrack(t, db, 2, "Beyoncé", "Crazy in Love", `C:/Users/Marta/Music/Beyoncé - Crazy in Love.m4a`)
	addMixxxTrack(t, db, 3, "Marc Anthony", "Vivir Mi Vida", "/home/marta/Music/Vivir.flac")
	addMixxxPlay(t, db, 2, 1, "2026-11-25T20:00:00.000Z") // played before the watcher starts

	ch := startWatcher(t, func(o Options) Watcher { return NewMixxx(path, o) }, Options{})

	addMixxxPlay(t, db, 1, 3, "2026-11-25T21:00:00.000Z") // a crate, not history: ignored
	addMixxxPlay(t, db, 2, 2, "2026-11-25T21:02:03.000Z")
	wantEvent(t, nextEvent(t, ch), `C:/Users/Marta/Music/Beyoncé - Crazy in Love.m4a`, "Beyoncé", "Crazy in Love", time.Date(2026, 11, 25, 21, 2, 3, 0, time.UTC))
	addMixxxPlay(t, db, 2, 3, "2026-11-25 21:06:00")
	e := nextEvent(t, ch)
	wantEvent(t, e, "/home/marta/Music/Vivir.flac", "Marc Anthony", "Vivir Mi Vida", time.Date(2026, 11, 25, 21, 6, 0, 0, time.UTC))
	if e.Source != SourceMixxx {
		t.Errorf("source = %q", e.Source)
	}
}

func TestMixxxTimes(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-11-25T21:02:03.123Z", time.Date(2026, 11, 25, 21, 2, 3, 123e6, time.UTC), true},
		{"2026-11-25T21:02:03", time.Date(2026, 11, 25, 21, 2, 3, 0, time.UTC), true},
		{"2026-11-25 21:02:03", time.Date(2026, 11, 25, 21, 2, 3, 0, time.UTC), true},
		{"2026-11-25T22:02:03+01:00", time.Date(2026, 11, 25, 21, 2, 3, 0, time.UTC), true},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := parseMixxxTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseMixxxTime(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMixxxDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/home/dj/.mixxx/mixxxdb.sqlite", "file:///home/dj/.mixxx/mixxxdb.sqlite?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"},
		{"/home/dj/My #1 ?dir/mixxxdb.sqlite", "file:///home/dj/My%20%231%20%3Fdir/mixxxdb.sqlite?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"},
	}
	for _, tc := range tests {
		if got := mixxxDSN(tc.in); got != tc.want {
			t.Errorf("mixxxDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
