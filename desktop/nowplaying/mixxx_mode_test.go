package nowplaying

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Mixxx may be closed when the watcher starts (no -wal/-shm files) and
// open later; the database may use rollback or WAL journaling.
func TestMixxxWatcherJournalModes(t *testing.T) {
	for _, mode := range []string{"DELETE", "WAL"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mixxxdb.sqlite")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			schema := strings.Replace(mixxxSchema, "PRAGMA journal_mode=WAL;", "PRAGMA journal_mode="+mode+";", 1)
			if _, err := db.Exec(schema); err != nil {
				t.Fatal(err)
			}
			addMixxxTrack(t, db, 1, "Kaysha", "Dîner aux chandelles", "/m/kaysha.mp3")
			if err := db.Close(); err != nil { // Mixxx is not running
				t.Fatal(err)
			}
			ch := startWatcher(t, func(o Options) Watcher { return NewMixxx(path, o) }, Options{})
			db, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)") // Mixxx starts
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			addMixxxPlay(t, db, 2, 1, "2026-11-25T22:00:00.000Z")
			wantEvent(t, nextEvent(t, ch), "/m/kaysha.mp3", "Kaysha", "Dîner aux chandelles", time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC))
		})
	}
}
