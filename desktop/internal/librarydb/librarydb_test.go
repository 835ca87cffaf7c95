package librarydb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/internal/librarydb"
	"github.com/pikadj/pika/desktop/library"
)

// fixture copies a library.db written by an earlier release (see
// testdata/README) into a fresh folder, so the upgrade never touches it.
func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "library.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type outboxRow struct{ session, payload string }

func outbox(t *testing.T, db *sql.DB) []outboxRow {
	t.Helper()
	rows, err := db.Query(`SELECT session_id, payload FROM livelink_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.session, &r.payload); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Every library.db an earlier release could leave behind opens at the
// current version with its tracks, its outbox (each row with the session
// it was queued for) and its session state intact.
func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	one := `{"track":{"artist":"A","title":"One"}}`
	two := `{"track":{"artist":"B","title":"Two"}}`
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		tracks  []string
		outbox  []outboxRow
		session string
	}{
		{"new file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "new", "library.db") }, nil, nil, ""},
		// Written by the release before outbox rows were tagged (81cf142^):
		// its rows belong to the stored session.
		{"outbox without session_id", func(t *testing.T) string { return fixture(t, "v1-outbox-untagged.db") },
			[]string{"Funk Night - Groove.mp3"}, []outboxRow{{"s-old-1", one}, {"s-old-1", two}}, "s-old-1"},
		// Written by the release whose live link added session_id itself.
		{"outbox with session_id", func(t *testing.T) string { return fixture(t, "v1-outbox-tagged.db") },
			[]string{"Funk Night - Groove.mp3"}, []outboxRow{{"s-old-1", one}, {"pending:x", two}}, "s-old-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.path(t)
			db, err := librarydb.Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if v := userVersion(t, db); v != librarydb.Version() {
				t.Errorf("user_version %d, want %d", v, librarydb.Version())
			}
			if got := outbox(t, db); fmt.Sprint(got) != fmt.Sprint(tt.outbox) {
				t.Errorf("outbox %v, want %v", got, tt.outbox)
			}
			var session string
			err = db.QueryRow(`SELECT value FROM livelink_state WHERE key = 'session_id'`).Scan(&session)
			if err != nil && err != sql.ErrNoRows {
				t.Fatal(err)
			}
			if session != tt.session {
				t.Errorf("stored session %q, want %q", session, tt.session)
			}
			// Opening again changes nothing.
			if err := librarydb.Migrate(ctx, db); err != nil {
				t.Fatalf("second migration: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}

			// The library reads the upgraded file as its own.
			lib, err := library.Open(ctx, p, library.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			tracks, err := lib.List(ctx, library.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tr := range tracks {
				names = append(names, filepath.Base(tr.Path))
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.tracks) {
				t.Errorf("tracks %v, want %v", names, tt.tracks)
			}
		})
	}
}

// A file from a newer Pika is refused, not written with this build's idea
// of its tables.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	p := fixture(t, "v1-outbox-tagged.db")
	db, err := librarydb.Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", librarydb.Version()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = librarydb.Open(ctx, p)
	if err == nil || !strings.Contains(err.Error(), "newer than this app") {
		t.Fatalf("opening a newer file: %v; want a 'newer than this app' error", err)
	}
}

// A new file is private: it holds the DJ's outbox.
func TestNewFileIsPrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "library.db")
	db, err := librarydb.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}

// Every connection of the pool commits durably (synchronous=FULL, 2) in
// WAL mode: the outbox's queued plays survive a power cut.
func TestCommitsAreDurable(t *testing.T) {
	ctx := context.Background()
	db, err := librarydb.Open(ctx, filepath.Join(t.TempDir(), "library.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Hold several connections at once so each one is a separate one.
	var conns []*sql.Conn
	for range 4 {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var sync int
		var mode string
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if sync != 2 || mode != "wal" {
			t.Errorf("connection %d: synchronous=%d journal_mode=%s, want 2 (FULL) and wal", i, sync, mode)
		}
		c.Close()
	}
}
