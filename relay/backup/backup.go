// Package backup makes consistent copies of the relay's embedded libSQL
// database while the relay runs, prunes old copies, and restores a copy
// in place of a stopped relay's database.
//
// A backup is `VACUUM INTO` on a fresh connection: SQLite reads one
// snapshot of the database (WAL mode lets the relay keep writing
// meanwhile) and writes it as a new, compact, self-contained file. So a
// backup holds every write committed before it started and none half
// written.
package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	_ "github.com/tursodatabase/go-libsql" // the relay's own SQLite engine
)

// stampLayout names backups by the UTC time they were taken; it sorts in
// time order as plain text.
const stampLayout = "20060102T150405Z"

// DefaultKeep is how many backups Create keeps when not told otherwise:
// two weeks of nightly copies.
const DefaultKeep = 14

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Result describes a backup Create made.
type Result struct {
	Path   string   // the new backup file
	Size   int64    // its size in bytes
	Pruned []string // older backups removed to keep Keep
}

// Create copies the database at dbPath into dir as
// NAME-YYYYMMDDTHHMMSSZ.db (NAME is the database file's name without its
// extension), checks the copy, and then removes the oldest backups of that
// database beyond keep. dir is created if missing.
func Create(ctx context.Context, dbPath, dir string, keep int, now time.Time) (Result, error) {
	if keep < 1 || keep > 100_000 {
		return Result{}, fmt.Errorf("keep must be between 1 and 100000, not %d", keep)
	}
	src, err := databasePath(dbPath)
	if err != nil {
		return Result{}, err
	}
	if err := checkHeader(src); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Result{}, fmt.Errorf("create backup directory: %w", err)
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return Result{}, fmt.Errorf("backup directory: %w", err)
	}
	name := baseName(src)
	final := filepath.Join(dir, name+"-"+now.UTC().Format(stampLayout)+".db")
	if _, err := os.Lstat(final); err == nil {
		return Result{}, fmt.Errorf("backup %s already exists (one backup per second at most)", final)
	}
	// VACUUM INTO writes to a hidden name first: a crash mid-copy must
	// never leave a file that looks like a finished backup.
	partial := filepath.Join(dir, "."+filepath.Base(final)+".partial")
	_ = os.Remove(partial) // a leftover of an earlier crash
	defer os.Remove(partial)

	if err := vacuumInto(ctx, src, partial); err != nil {
		return Result{}, err
	}
	if err := Verify(ctx, partial); err != nil {
		return Result{}, fmt.Errorf("the new copy failed its check: %w", err)
	}
	// SQLite does not fsync what VACUUM INTO writes.
	if err := syncFile(partial); err != nil {
		return Result{}, err
	}
	if err := os.Rename(partial, final); err != nil {
		return Result{}, fmt.Errorf("name the backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return Result{}, err
	}
	st, err := os.Stat(final)
	if err != nil {
		return Result{}, fmt.Errorf("stat backup: %w", err)
	}
	res := Result{Path: final, Size: st.Size()}
	res.Pruned, err = prune(dir, name, keep)
	if err != nil {
		return res, err
	}
	return res, nil
}

// vacuumInto writes a consistent copy of src to dst on its own connection.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := open(src)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", src, err)
	}
	defer conn.Close()
	// The relay's writer may hold the write lock for a moment; a reader
	// in WAL mode rarely waits, but a checkpoint can make it.
	if err := pragma(ctx, conn, "PRAGMA busy_timeout=10000"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// Verify checks that path is a readable SQLite database that passes
// PRAGMA integrity_check and holds the relay's schema.
func Verify(ctx context.Context, path string) error {
	if err := checkHeader(path); err != nil {
		return err
	}
	db, err := open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check of %s: %w", path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "…")
		}
		return fmt.Errorf("%s is damaged: %s", path, strings.Join(problems, "; "))
	}
	var version int
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return fmt.Errorf("%s is not a Pika! relay database: %w", path, err)
	}
	if version < 1 {
		return fmt.Errorf("%s is not a Pika! relay database: no schema version", path)
	}
	return nil
}

// open opens an existing database file with the relay's engine.
func open(path string) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q may not contain ? or #", path)
	}
	db, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func pragma(ctx context.Context, conn *sql.Conn, p string) error {
	rows, err := conn.QueryContext(ctx, p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	for rows.Next() {
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return rows.Err()
}

// databasePath accepts a plain path or the relay's "file:" URL form and
// returns an absolute path.
func databasePath(p string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "file:"); ok {
		p = rest
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
	}
	if p == "" {
		return "", errors.New("no database file given")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("database path: %w", err)
	}
	return abs, nil
}

// checkHeader refuses what is not a SQLite database before the engine
// sees it (libSQL would create a missing file instead of failing).
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat database: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != string(sqliteHeader) {
		return fmt.Errorf("%s is not a SQLite database", path)
	}
	return nil
}

// baseName is the database file's name without its extension.
func baseName(path string) string {
	b := filepath.Base(path)
	if ext := filepath.Ext(b); ext != "" && ext != b {
		b = strings.TrimSuffix(b, ext)
	}
	return b
}

// List returns the backups of database NAME in dir, oldest first.
func List(dir, name string) ([]string, error) {
	pattern := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `-[0-9]{8}T[0-9]{6}Z\.db$`)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && pattern.MatchString(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out) // the stamp sorts in time order
	return out, nil
}

// prune removes the oldest backups of NAME beyond keep. Only files named
// exactly like this package's backups are ever touched.
func prune(dir, name string, keep int) ([]string, error) {
	all, err := List(dir, name)
	if err != nil {
		return nil, err
	}
	var removed []string
	for len(all) > keep {
		p := filepath.Join(dir, all[0])
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("prune old backup: %w", err)
		}
		removed = append(removed, p)
		all = all[1:]
	}
	return removed, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
