package nowplaying

import (
	"database/sql"
	"net/url"
	"strings"
	"testing"

	// The real SQLCipher 4 (Zetetic's code with libtomcrypt, through cgo),
	// in tests only: rekordbox fixtures are encrypted by SQLCipher itself,
	// with the defaults rekordbox 6/7 use, so the pure-Go reader is
	// checked against the format as SQLCipher writes it, not as this
	// package reads its documentation.
	_ "github.com/mutecomm/go-sqlcipher/v4"
)

// openSQLCipher4 opens (or creates) an encrypted database with the real
// SQLCipher 4 and its defaults (PBKDF2-HMAC-SHA512 256000, 4096-byte
// pages, HMAC-SHA512), on one connection so the key and journal mode
// hold for every statement. journal is "" or a journal mode ("WAL").
func openSQLCipher4(t testing.TB, path, key, journal string) *sql.DB {
	t.Helper()
	if strings.ContainsAny(key, `"?&#`) || strings.ContainsAny(path, "?#") {
		t.Fatalf("test key %q or path %q needs quoting the driver does not do", key, path)
	}
	dsn := path + "?_pragma_key=" + url.QueryEscape(key) + "&_busy_timeout=5000"
	if journal != "" {
		dsn += "&_journal_mode=" + journal
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatalf("sqlcipher 4: %v", err)
	}
	db.SetMaxOpenConns(1)
	var v string
	if err := db.QueryRow(`PRAGMA cipher_version`).Scan(&v); err != nil || !strings.HasPrefix(v, "4.") {
		db.Close()
		t.Fatalf("SQLCipher version %q (%v), want 4.x", v, err)
	}
	return db
}

// sqlcipher4Exec runs stmts on an encrypted database with the real
// SQLCipher 4 and closes it, as a DJ program writing and quitting does.
func sqlcipher4Exec(t testing.TB, path, key, stmts string) {
	t.Helper()
	db := openSQLCipher4(t, path, key, "")
	defer db.Close()
	if _, err := db.Exec(stmts); err != nil {
		t.Fatalf("sqlcipher 4: %v", err)
	}
}
