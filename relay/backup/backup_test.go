package backup

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
)

// holdEnv makes the test binary a stand-in relay process: it opens the
// database with the relay's store and keeps it open until its stdin closes.
const holdEnv = "PIKA_BACKUP_TEST_HOLD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		os.Exit(holdDatabase(path))
	}
	os.Exit(m.Run())
}

func holdDatabase(path string) int {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URL: "file:" + path})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 1
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 1
	}
	fmt.Println("ready")
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
	}
	return 0
}

// startHolder runs a separate process that has the database open as a
// relay would; POSIX locks are per process, so only another process shows
// what a restore would meet.
func startHolder(t *testing.T, path string) (stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("holder process did not open the database: %q %v", line, err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("holder process: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// newRelayDB creates a database with the relay's schema (through its
// store) and one DJ, session and play, and returns its path and play id.
func newRelayDB(t *testing.T, dir string) (path, playID string) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(dir, "relay.db")
	s, err := store.Open(ctx, store.Options{URL: "file:" + path})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := openWriter(t, path)
	defer db.Close()
	now := time.Now().UnixMilli()
	playID = "play-" + store.NewID()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO djs (id, email, password_hash, display_name, created_at) VALUES ('dj1', 'dj@example.com', 'x', 'DJ Ana', ?)", []any{now}},
		{"INSERT INTO sessions (id, dj_id, name, started_at) VALUES ('s1', 'dj1', 'Friday social', ?)", []any{now}},
		{"INSERT INTO tracks (id, identity, artist, title) VALUES (1, 'a\x1ft', 'A', 'T')", nil},
		{"INSERT INTO plays (id, session_id, track_id, started_at) VALUES (?, 's1', 1, ?)", []any{playID, now}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return path, playID
}

// openWriter opens the database the way the relay's store does: a busy
// timeout, synchronous FULL (the store has already made it WAL).
func openWriter(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA busy_timeout=10000", "PRAGMA synchronous=FULL"} {
		rows, err := db.Query(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rows.Close()
	}
	return db
}

func likesIn(t *testing.T, path, playID string) map[string]bool {
	t.Helper()
	db, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT client_id FROM likes WHERE play_id = ?", playID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		got[c] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// A backup taken while likes pour in holds every like committed before it
// started, and a restore brings them all back.
func TestBackupUnderWriteLoadKeepsEveryCommittedLike(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, playID := newRelayDB(t, dir)

	var (
		mu        sync.Mutex
		committed []string // likes whose INSERT returned
		attempted = map[string]bool{}
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		writeErr  error
	)
	const writers = 4
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := openWriter(t, dbPath)
			defer db.Close()
			for i := 0; i < 20000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				client := fmt.Sprintf("client-%d-%05d", w, i)
				mu.Lock()
				attempted[client] = true
				mu.Unlock()
				_, err := db.Exec("INSERT INTO likes (play_id, client_id, created_at) VALUES (?, ?, ?)", playID, client, time.Now().UnixMilli())
				mu.Lock()
				if err != nil && writeErr == nil {
					writeErr = err
				}
				if err == nil {
					committed = append(committed, client)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	waitFor := func(n int) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			mu.Lock()
			got, err := len(committed), writeErr
			mu.Unlock()
			if err != nil {
				t.Fatalf("writer: %v", err)
			}
			if got >= n {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("writers did not reach %d likes", n)
	}

	waitFor(200)
	mu.Lock()
	before := append([]string(nil), committed...)
	mu.Unlock()
	res, err := Create(ctx, dbPath, filepath.Join(dir, "backups"), DefaultKeep, time.Now())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	mu.Lock()
	atEnd := len(committed)
	mu.Unlock()
	waitFor(atEnd + 100) // the writers kept going during and after the copy
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}

	restored := filepath.Join(t.TempDir(), "restored.db")
	rres, err := Restore(ctx, res.Path, restored, time.Now())
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if rres.Saved != "" {
		t.Errorf("Saved = %q for a fresh restore", rres.Saved)
	}
	got := likesIn(t, restored, playID)
	missing := 0
	for _, c := range before {
		if !got[c] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d likes committed before the backup are missing from it", missing, len(before))
	}
	for c := range got {
		if !attempted[c] {
			t.Errorf("restored database holds like %q that was never written", c)
		}
	}
	if len(got) >= len(committed) {
		t.Errorf("backup holds %d likes, all %d ever written: it was not taken while writes went on", len(got), len(committed))
	}
	t.Logf("%d likes committed before the backup, %d in it, %d written in all", len(before), len(got), len(committed))

	// The relay opens the restored file as its own.
	s, err := store.Open(ctx, store.Options{URL: "file:" + restored})
	if err != nil {
		t.Fatalf("relay store cannot open the restored database: %v", err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
		t.Errorf("schema version %d, %v", v, err)
	}
	s.Close()
}

func TestCreateNamesAndPrunes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, _ := newRelayDB(t, dir)
	backups := filepath.Join(dir, "backups")
	if err := os.MkdirAll(backups, 0o755); err != nil {
		t.Fatal(err)
	}
	// Files that are not this database's backups must survive pruning.
	unrelated := []string{"notes.txt", "other-20200101T000000Z.db", "relay-20200101T000000Z.db.bak", "relay-latest.db"}
	for _, f := range unrelated {
		if err := os.WriteFile(filepath.Join(backups, f), []byte("keep me"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 11, 20, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	var made []string
	for day := range 5 {
		res, err := Create(ctx, "file:"+dbPath, backups, 3, base.Add(time.Duration(day)*24*time.Hour))
		if err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		made = append(made, filepath.Base(res.Path))
		if res.Size <= 0 {
			t.Errorf("day %d: size %d", day, res.Size)
		}
	}
	if made[0] != "relay-20261120T223000Z.db" {
		t.Errorf("first backup named %q, want the UTC stamp relay-20261120T223000Z.db", made[0])
	}
	left, err := List(backups, "relay")
	if err != nil {
		t.Fatal(err)
	}
	if want := made[2:]; strings.Join(left, ",") != strings.Join(want, ",") {
		t.Errorf("kept %v, want the newest three %v", left, want)
	}
	for _, f := range unrelated {
		if _, err := os.Stat(filepath.Join(backups, f)); err != nil {
			t.Errorf("pruning touched %s: %v", f, err)
		}
	}
	entries, _ := os.ReadDir(backups)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".partial") {
			t.Errorf("leftover %s", e.Name())
		}
	}
	// One backup per second: a second one in the same second is refused,
	// not silently overwritten.
	if _, err := Create(ctx, dbPath, backups, 3, base.Add(4*24*time.Hour)); err == nil {
		t.Error("a second backup with the same stamp was accepted")
	}
}

func TestCreateRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, _ := newRelayDB(t, dir)
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, db string
		keep     int
		want     string
	}{
		{"missing database is not created", filepath.Join(dir, "nope.db"), 3, "no such file"},
		{"not a database", notDB, 3, "not a SQLite database"},
		{"a directory", dir, 3, "not a regular file"},
		{"keep zero", dbPath, 0, "keep"},
		{"empty path", "file:", 3, "no database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(ctx, tt.db, filepath.Join(dir, "b"), tt.keep, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backing up a missing database created it: %v", err)
	}
}

func TestVerifyRejectsBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, _ := newRelayDB(t, dir)
	res, err := Create(ctx, dbPath, filepath.Join(dir, "b"), 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	damaged := append([]byte(nil), good...)
	// Scribble over the first half of the plays table's root page (its
	// page header and cell pointers). Found through the schema, so a
	// migration that adds a table cannot move the damage onto unused
	// space, as "the middle of the file" could.
	var root, pageSize int
	{
		db, err := sql.Open("libsql", "file:"+res.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'plays'").Scan(&root); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for i := (root - 1) * pageSize; i < (root-1)*pageSize+pageSize/2 && i < len(damaged); i++ {
		damaged[i] = 0x5a
	}
	otherDB := filepath.Join(dir, "other.db")
	{
		db, err := sql.Open("libsql", "file:"+otherDB)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "missing.db"), "no such file"},
		{"empty", write("empty.db", nil), "not a SQLite database"},
		{"text", write("text.db", []byte("SQLite format 2 – not really")), "not a SQLite database"},
		{"truncated", write("truncated.db", good[:len(good)/2]), ""},
		{"damaged", write("damaged.db", damaged), ""},
		{"another program's database", otherDB, "not a Pika! relay database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(ctx, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := Verify(ctx, res.Path); err != nil {
		t.Errorf("Verify of a good backup: %v", err)
	}
}

func TestRestoreReplacesAndKeepsTheOldFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, playID := newRelayDB(t, dir)
	res, err := Create(ctx, dbPath, filepath.Join(dir, "b"), 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the backup: the restore must undo them, and keep them
	// in the saved copy.
	db := openWriter(t, dbPath)
	if _, err := db.Exec("INSERT INTO likes (play_id, client_id, created_at) VALUES (?, 'after-backup', 1)", playID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(dbPath, 0o640); err != nil {
		t.Fatal(err)
	}

	stamp := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	rres, err := Restore(ctx, res.Path, dbPath, stamp)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if want := dbPath + ".before-restore-20261125T180000Z"; rres.Saved != want {
		t.Errorf("Saved = %q, want %q", rres.Saved, want)
	}
	if likesIn(t, dbPath, playID)["after-backup"] {
		t.Error("restored database still holds the like written after the backup")
	}
	if !likesIn(t, rres.Saved, playID)["after-backup"] {
		t.Error("the saved copy lost the like written after the backup")
	}
	st, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("restored file mode %v, want the replaced file's 0640", st.Mode().Perm())
	}
	if err := Verify(ctx, dbPath); err != nil {
		t.Errorf("restored database: %v", err)
	}
	// Restoring a second time in the same second would overwrite the
	// saved copy: refused, nothing changed.
	if _, err := Restore(ctx, res.Path, dbPath, stamp); err == nil {
		t.Error("a restore that would overwrite the saved copy was accepted")
	}
	if err := Verify(ctx, dbPath); err != nil {
		t.Errorf("database after the refused restore: %v", err)
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, _ := newRelayDB(t, dir)
	res, err := Create(ctx, dbPath, filepath.Join(dir, "b"), 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte("SQLite format 3\x00 and then nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, backup, db, want string
	}{
		{"backup is not a database", garbage, dbPath, "backup refused"},
		{"backup missing", filepath.Join(dir, "none.db"), dbPath, "backup refused"},
		{"same file", dbPath, dbPath, "same file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.db)
			_, err := Restore(ctx, tt.backup, tt.db, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Restore = %v, want an error containing %q", err, tt.want)
			}
			after, _ := os.ReadFile(tt.db)
			if string(before) != string(after) {
				t.Error("a refused restore changed the database")
			}
		})
	}
	_ = res
}

// A restore never swaps the file under a running relay (another process,
// seen by its locks and by /proc).
func TestRestoreRefusesWhileTheDatabaseIsOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, _ := newRelayDB(t, dir)
	res, err := Create(ctx, dbPath, filepath.Join(dir, "b"), 3, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("another process", func(t *testing.T) {
		stop := startHolder(t, dbPath)
		pid, err := lockHolder(dbPath+"-shm", shmDMSByte, 1)
		if err != nil || pid == 0 {
			t.Errorf("lockHolder found no lock on the -shm file of an open database (pid %d, %v)", pid, err)
		}
		if _, err := Restore(ctx, res.Path, dbPath, time.Now()); !errors.Is(err, ErrInUse) {
			t.Errorf("Restore = %v, want ErrInUse", err)
		}
		stop()
		if pid, err := lockHolder(dbPath+"-shm", shmDMSByte, 1); err != nil || pid != 0 {
			t.Errorf("lock still held after the holder exited (pid %d, %v)", pid, err)
		}
	})

	if _, err := Restore(ctx, res.Path, dbPath, time.Now()); err != nil {
		t.Errorf("Restore once nothing holds the database: %v", err)
	}
}
