package nowplaying

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// engineSchema is the part of Engine DJ 2.x/3.x's hm.db the watcher reads,
// as Engine DJ creates it (more Track columns exist; they are not read).
const engineSchema = `
CREATE TABLE Information (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT, schemaVersionMajor INTEGER, schemaVersionMinor INTEGER, schemaVersionPatch INTEGER, currentPlayedIndiciator INTEGER, lastRekordBoxLibraryImportReadCounter INTEGER);
CREATE TABLE Track (id INTEGER PRIMARY KEY AUTOINCREMENT, playOrder INTEGER, length INTEGER, bpm INTEGER, year INTEGER, path TEXT, filename TEXT, bitrate INTEGER, bpmAnalyzed REAL, albumArtId INTEGER, fileBytes INTEGER, title TEXT, artist TEXT, album TEXT, genre TEXT, comment TEXT, label TEXT, composer TEXT, remixer TEXT, key INTEGER, rating INTEGER, albumArt TEXT, timeLastPlayed DATETIME, isPlayed BOOLEAN, fileType TEXT, isAnalyzed BOOLEAN, dateCreated DATETIME, dateAdded DATETIME, isAvailable BOOLEAN, isMetadataOfPackedTrackChanged BOOLEAN, isPerfomanceDataOfPackedTrackChanged BOOLEAN, playedIndicator INTEGER, isMetadataImported BOOLEAN, pdbImportKey INTEGER, streamingSource TEXT, uri TEXT, isBeatGridLocked BOOLEAN, originDatabaseUuid TEXT, originTrackId INTEGER, streamingFlags INTEGER, explicitLyrics BOOLEAN, lastEditTime DATETIME);
CREATE TABLE Historylist (id INTEGER PRIMARY KEY AUTOINCREMENT, sessionId TEXT, title TEXT, startTime INTEGER, timezone TEXT, originDriveName TEXT, originDatabaseUuid TEXT, originListId INTEGER, isDeleted BOOLEAN, editTime INTEGER, CONSTRAINT C_UNIQUE_ORIGIN_UUID_AND_LIST_ID UNIQUE (originDatabaseUuid, originListId));
CREATE TABLE HistorylistEntity (id INTEGER PRIMARY KEY AUTOINCREMENT, listId INTEGER, trackId INTEGER, startTime INTEGER, FOREIGN KEY (listId) REFERENCES Historylist (id) ON DELETE CASCADE, FOREIGN KEY (trackId) REFERENCES Track (id) ON DELETE CASCADE);
CREATE INDEX index_HistorylistEntity_listId ON HistorylistEntity (listId);
CREATE INDEX index_HistorylistEntity_trackId ON HistorylistEntity (trackId);
INSERT INTO Information (uuid, schemaVersionMajor, schemaVersionMinor, schemaVersionPatch) VALUES ('5a3c1b2e-0000-4000-8000-000000000001', 2, 21, 2);
INSERT INTO Historylist (sessionId, title, startTime, timezone, originDriveName) VALUES ('s1', '2026-12-03', 1796300000, 'Europe/Berlin', 'Macintosh HD');
`

// engineDB creates a real hm.db in dir/Engine Library/Database2 in WAL
// mode, as Engine DJ keeps it, and returns the library folder and a
// writer connection.
func engineDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	lib := filepath.Join(t.TempDir(), "Engine Library")
	path := filepath.Join(lib, "Database2", "hm.db")
	mkdirAll(t, filepath.Dir(path))
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(engineSchema); err != nil {
		t.Fatal(err)
	}
	return lib, db
}

func enginePlay(t *testing.T, db *sql.DB, path, artist, title string, at time.Time) {
	t.Helper()
	res, err := db.Exec(`INSERT INTO Track (path, filename, title, artist, isPlayed, fileType) VALUES (?, ?, ?, ?, 1, 'mp3')`, path, filepath.Base(path), title, artist)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := db.Exec(`INSERT INTO HistorylistEntity (listId, trackId, startTime) VALUES (1, ?, ?)`, id, at.Unix()); err != nil {
		t.Fatal(err)
	}
}

func TestEngineDJWatcher(t *testing.T) {
	lib, db := engineDB(t)
	now := time.Now().Truncate(time.Second)
	enginePlay(t, db, "../Music/old.mp3", "Old", "Song", now.Add(-time.Hour))
	enginePlay(t, db, "../Music/Beyoncé - Halo.mp3", "Beyoncé", "Halo", now.Add(-2*time.Minute))
	out := startWatcher(t, func(o Options) Watcher { return NewEngineDJ(lib, o) }, Options{Recent: 5 * time.Minute})
	// At start only the newest, recent play.
	wantEvent(t, nextEvent(t, out), filepath.Join(filepath.Dir(lib), "Music", "Beyoncé - Halo.mp3"), "Beyoncé", "Halo", now.Add(-2*time.Minute))
	tests := []struct{ path, wantPath, artist, title string }{
		{"../Music/Zoë/Escape Artist.flac", filepath.Join(filepath.Dir(lib), "Music", "Zoë", "Escape Artist.flac"), "Zoë Keating", "Escape Artist"},
		{"/Volumes/USB/Music/a.mp3", "/Volumes/USB/Music/a.mp3", "A", "B"},
		{`C:/Users/dj/Music/c.mp3`, `C:/Users/dj/Music/c.mp3`, "C", "D"},
	}
	for i, tc := range tests {
		at := now.Add(time.Duration(i) * time.Second)
		enginePlay(t, db, tc.path, tc.artist, tc.title, at)
		e := nextEvent(t, out)
		wantEvent(t, e, tc.wantPath, tc.artist, tc.title, at)
		if e.Source != SourceEngineDJ {
			t.Errorf("source %q", e.Source)
		}
	}
}

func TestEngineDJWaitsForDatabase(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "Engine Library")
	out := startWatcher(t, func(o Options) Watcher { return NewEngineDJ(lib, o) }, Options{})
	path := filepath.Join(lib, "Database2", "hm.db")
	mkdirAll(t, filepath.Dir(path))
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(engineSchema); err != nil {
		t.Fatal(err)
	}
	settle()
	at := time.Now().Truncate(time.Second)
	enginePlay(t, db, "../Music/x.mp3", "X", "Y", at)
	wantEvent(t, nextEvent(t, out), filepath.Join(filepath.Dir(lib), "Music", "x.mp3"), "X", "Y", at)
}

func mkdirAll(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
