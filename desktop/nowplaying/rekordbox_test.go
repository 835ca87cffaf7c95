package nowplaying

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rekordboxSchema is the part of rekordbox 6/7's master.db the watcher
// reads, with the columns every djmd table has, as the open-source readers
// (pyrekordbox's table definitions) publish it. More tables and columns
// exist; they are not read.
const rekordboxSchema = `
CREATE TABLE djmdArtist (ID VARCHAR(255) PRIMARY KEY, Name VARCHAR(255), SearchStr VARCHAR(255),
  UUID VARCHAR(255), rb_data_status INTEGER DEFAULT 0, rb_local_data_status INTEGER DEFAULT 0, rb_local_deleted TINYINT(1) DEFAULT 0,
  rb_local_synced TINYINT(1) DEFAULT 0, usn BIGINT, rb_local_usn BIGINT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE TABLE djmdContent (ID VARCHAR(255) PRIMARY KEY, FolderPath VARCHAR(255), FileNameL VARCHAR(255), FileNameS VARCHAR(255),
  Title VARCHAR(255), ArtistID VARCHAR(255), AlbumID VARCHAR(255), GenreID VARCHAR(255), BPM INTEGER, Length INTEGER,
  TrackNo INTEGER, BitRate INTEGER, BitDepth INTEGER, Commnt TEXT, FileType INTEGER, Rating INTEGER, KeyID VARCHAR(255),
  DJPlayCount VARCHAR(255), FileSize INTEGER, SampleRate INTEGER, Analysed INTEGER, DateCreated VARCHAR(255),
  UUID VARCHAR(255), rb_data_status INTEGER DEFAULT 0, rb_local_data_status INTEGER DEFAULT 0, rb_local_deleted TINYINT(1) DEFAULT 0,
  rb_local_synced TINYINT(1) DEFAULT 0, usn BIGINT, rb_local_usn BIGINT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE TABLE djmdHistory (ID VARCHAR(255) PRIMARY KEY, Seq INTEGER, Name VARCHAR(255), Attribute INTEGER, ParentID VARCHAR(255),
  DateCreated VARCHAR(255),
  UUID VARCHAR(255), rb_data_status INTEGER DEFAULT 0, rb_local_data_status INTEGER DEFAULT 0, rb_local_deleted TINYINT(1) DEFAULT 0,
  rb_local_synced TINYINT(1) DEFAULT 0, usn BIGINT, rb_local_usn BIGINT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE TABLE djmdSongHistory (ID VARCHAR(255) PRIMARY KEY, HistoryID VARCHAR(255), ContentID VARCHAR(255), TrackNo INTEGER,
  UUID VARCHAR(255), rb_data_status INTEGER DEFAULT 0, rb_local_data_status INTEGER DEFAULT 0, rb_local_deleted TINYINT(1) DEFAULT 0,
  rb_local_synced TINYINT(1) DEFAULT 0, usn BIGINT, rb_local_usn BIGINT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
CREATE INDEX djmdSongHistory_HistoryID ON djmdSongHistory (HistoryID);
INSERT INTO djmdHistory (ID, Seq, Name, Attribute, ParentID, DateCreated, created_at, updated_at)
  VALUES ('1', 1, '2026-12-03', 0, 'root', '2026-12-03', '2026-12-03 19:00:00.000 +00:00', '2026-12-03 19:00:00.000 +00:00');
`

type rbPlay struct {
	id            int
	path, artist  string
	title         string
	at            time.Time
	deleted       bool
	timeWithoutTZ bool
}

// rbInsert is the SQL with which rekordbox records a play: its artist and
// content rows and a djmdSongHistory row.
func (p rbPlay) sql() string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	at := p.at.UTC().Format("2006-01-02 15:04:05.000 -07:00")
	if p.timeWithoutTZ {
		at = p.at.Local().Format("2006-01-02 15:04:05")
	}
	del := 0
	if p.deleted {
		del = 1
	}
	file := p.path[strings.LastIndexAny(p.path, `/\`)+1:]
	return fmt.Sprintf(`INSERT OR IGNORE INTO djmdArtist (ID, Name, created_at, updated_at) VALUES ('%d', %s, %s, %s);
INSERT INTO djmdContent (ID, FolderPath, FileNameL, Title, ArtistID, BPM, FileType, created_at, updated_at) VALUES ('%d', %s, %s, %s, '%d', 12800, 1, %s, %s);
INSERT INTO djmdSongHistory (ID, HistoryID, ContentID, TrackNo, rb_local_deleted, created_at, updated_at) VALUES ('%d', '1', '%d', %d, %d, %s, %s);
`, 1000+p.id, q(p.artist), q(at), q(at), 2000+p.id, q(p.path), q(file), q(p.title), 1000+p.id, q(at), q(at), 3000+p.id, 2000+p.id, p.id, del, q(at), q(at))
}

func rbSQL(plays ...rbPlay) string {
	var b strings.Builder
	for _, p := range plays {
		b.WriteString(p.sql())
	}
	return b.String()
}

// rekordboxDir makes a master.db with the real SQLCipher 4 in a folder
// laid out as rekordbox's ("…/Pioneer/rekordbox/master.db").
func rekordboxDir(t *testing.T, key string, plays ...rbPlay) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Pioneer", "rekordbox")
	mkdirAll(t, dir)
	sqlcipher4Exec(t, filepath.Join(dir, "master.db"), key, rekordboxSchema+rbSQL(plays...))
	return dir
}

// newTestRekordbox is the watcher with the DJ's own key (rekordbox 7's
// pasted key, or PIKA_REKORDBOX_KEY).
func newTestRekordbox(dir, key string) func(Options) Watcher {
	return func(o Options) Watcher {
		o.RekordboxKey = key
		return NewRekordbox(dir, o)
	}
}

func TestRekordboxWatcher(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	const key = "dj-test-key"
	dir := rekordboxDir(t, key,
		rbPlay{id: 1, path: "C:/Users/dj/Music/Old/one.mp3", artist: "Old", title: "One", at: now.Add(-time.Hour)},
		rbPlay{id: 2, path: "C:/Users/dj/Música/Bachata/Romeo Santos - Propuesta Indecente.mp3", artist: "Romeo Santos", title: "Propuesta Indecente", at: now.Add(-2 * time.Minute)})
	out := startWatcher(t, newTestRekordbox(dir, key), Options{Recent: 5 * time.Minute})
	wantEvent(t, nextEvent(t, out), "C:/Users/dj/Música/Bachata/Romeo Santos - Propuesta Indecente.mp3", "Romeo Santos", "Propuesta Indecente", now.Add(-2*time.Minute))

	tests := []struct {
		name string
		play rbPlay
		sent bool
	}{
		{"macOS path, non-ASCII", rbPlay{id: 3, path: "/Users/dj/Music/Zoë Keating/Escape Artist.flac", artist: "Zoë Keating", title: "Escape Artist", at: now}, true},
		{"deleted history row", rbPlay{id: 4, path: "/Users/dj/Music/x.mp3", artist: "Gone", title: "Removed", at: now.Add(time.Second), deleted: true}, false},
		{"time without zone is local", rbPlay{id: 5, path: `C:/Users/dj/Music/北京/歌.m4a`, artist: "王菲", title: "红豆", at: now.Add(2 * time.Second), timeWithoutTZ: true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sqlcipher4Exec(t, filepath.Join(dir, "master.db"), key, tc.play.sql())
			if !tc.sent {
				return // the next case's event proves this one was skipped
			}
			e := nextEvent(t, out)
			wantEvent(t, e, tc.play.path, tc.play.artist, tc.play.title, tc.play.at)
			if e.Source != SourceRekordbox {
				t.Errorf("source %q", e.Source)
			}
		})
	}
}

// rekordbox keeps master.db in WAL mode while it runs: plays still in the
// -wal (not yet checkpointed into master.db) are read, without writing.
func TestRekordboxReadsWAL(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	const key = "wal-key"
	dir := rekordboxDir(t, key)
	db := filepath.Join(dir, "master.db")
	out := startWatcher(t, newTestRekordbox(dir, key), Options{})

	// A writer that stays open, as rekordbox does: its WAL is not
	// checkpointed until it closes.
	w := openSQLCipher4(t, db, key, "WAL")
	closed := false
	t.Cleanup(func() {
		if !closed {
			w.Close()
		}
	})
	if _, err := w.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []rbPlay{
		{id: 1, path: "C:/Users/dj/Music/Ñandú.mp3", artist: "Los Ñandúes", title: "Ñandú", at: now},
		{id: 2, path: "/Users/dj/Music/Ça va.aiff", artist: "Zaz", title: "Ça va", at: now.Add(time.Second)},
	} {
		if _, err := w.Exec(p.sql()); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(db + "-wal"); err != nil || fi.Size() == 0 {
			t.Fatalf("no -wal file while the writer is open: %v", err)
		}
		wantEvent(t, nextEvent(t, out), p.path, p.artist, p.title, p.at)
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("master.db changed: the plays were checkpointed, so the -wal was not what was read")
	}
	// rekordbox quits: the -wal is checkpointed into master.db and
	// removed. Nothing is announced again.
	closed = true
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db + "-wal"); err == nil {
		t.Fatal("the -wal is still there after the writer closed")
	}
	settle()
	select {
	case e := <-out:
		t.Errorf("announced again after rekordbox quit: %+v", e)
	default:
	}
}

func TestRekordboxWrongKey(t *testing.T) {
	dir := rekordboxDir(t, "the-right-key", rbPlay{id: 1, path: "/a.mp3", artist: "A", title: "B", at: time.Now()})
	plain := filepath.Join(t.TempDir(), "plain.db")
	pdb, err := sql.Open("sqlite", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pdb.Exec(`PRAGMA page_size = 4096; CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	pdb.Close()
	for _, tc := range []struct{ name, src, key string }{
		{"wrong key", filepath.Join(dir, "master.db"), "not-the-key"},
		{"published key on a database with another", filepath.Join(dir, "master.db"), rekordboxKey},
		{"not encrypted", plain, "the-right-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &cipherCopy{src: tc.src, dst: filepath.Join(t.TempDir(), "copy.db"), pass: tc.key, p: sqlcipher4}
			if _, err := c.refresh(); !errors.Is(err, ErrWrongKey) {
				t.Fatalf("refresh = %v, want ErrWrongKey", err)
			}
		})
	}
}

// A master.db caught mid-write (a torn page, a half-written last page) is
// not read until it is whole again; nothing is lost.
func TestRekordboxPartialWrite(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	const key = "k"
	dir := rekordboxDir(t, key, rbPlay{id: 1, path: "/Users/dj/a.mp3", artist: "A", title: "First", at: now.Add(-time.Minute)})
	db := filepath.Join(dir, "master.db")
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	c := &cipherCopy{src: db, dst: filepath.Join(t.TempDir(), "copy.db"), pass: key, p: sqlcipher4}
	torn := append([]byte(nil), good...)
	torn[len(torn)-100] ^= 0xff
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"torn last page", torn},
		{"half a page", good[:len(good)-1000]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(db, tc.b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := c.refresh(); err == nil || errors.Is(err, ErrWrongKey) {
				t.Fatalf("refresh of a %s = %v, want a retryable error", tc.name, err)
			}
		})
	}
	if err := os.WriteFile(db, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.refresh(); err != nil {
		t.Fatal(err)
	}
	out := startWatcher(t, newTestRekordbox(dir, key), Options{Recent: 5 * time.Minute})
	wantEvent(t, nextEvent(t, out), "/Users/dj/a.mp3", "A", "First", now.Add(-time.Minute))
}

// rekordbox 6 and 7 open master.db with SQLCipher 4's defaults and the
// published key: a database SQLCipher 4 wrote so is read by the watcher
// with nothing set.
func TestRekordboxPublishedKey(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	play := rbPlay{id: 1, path: "C:/Users/dj/Music/Beyoncé/Halo.mp3", artist: "Beyoncé", title: "Halo", at: now.Add(-time.Minute)}
	dir := rekordboxDir(t, rekordboxKey, play)
	out := startWatcher(t, func(o Options) Watcher { return NewRekordbox(filepath.Join(dir, "master.db"), o) }, Options{Recent: 5 * time.Minute})
	wantEvent(t, nextEvent(t, out), play.path, play.artist, play.title, play.at)
}

// In rollback-journal mode a transaction being written leaves a journal
// with a valid header: master.db is not read until it is gone. A copy
// that did not read back is decrypted again from scratch.
func TestRekordboxHotJournalAndInvalidate(t *testing.T) {
	const key = "k"
	dir := rekordboxDir(t, key, rbPlay{id: 1, path: "/a.mp3", artist: "A", title: "B", at: time.Now()})
	db := filepath.Join(dir, "master.db")
	c := &cipherCopy{src: db, dst: filepath.Join(t.TempDir(), "copy.db"), pass: key, p: sqlcipher4}
	journal := []byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 0}
	if err := os.WriteFile(db+"-journal", journal, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.refresh(); err == nil || !strings.Contains(err.Error(), "being written") {
		t.Fatalf("refresh with a hot journal = %v", err)
	}
	// A journal whose header was zeroed (journal_mode PERSIST) is over.
	if err := os.WriteFile(db+"-journal", make([]byte, 512), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := c.refresh(); err != nil || !changed {
		t.Fatalf("refresh after the journal: %v %v", changed, err)
	}
	if changed, err := c.refresh(); err != nil || changed {
		t.Fatalf("refresh of an unchanged file: %v %v", changed, err)
	}
	c.invalidate()
	if changed, err := c.refresh(); err != nil || !changed {
		t.Fatalf("refresh after invalidate: %v %v; want every page decrypted again", changed, err)
	}
}
