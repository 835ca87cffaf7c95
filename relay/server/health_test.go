package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestHealthzFailsWhenTheWriterIsWedged: another process holds the
// database's write lock; reads still work, but /healthz must say 503
// because nothing can be written. Once the lock goes, writes queued
// meanwhile commit and it is healthy again.
func TestHealthzFailsWhenTheWriterIsWedged(t *testing.T) {
	r := relaytest.Start(t)
	if resp, _ := get(t, r.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %d before the wedge", resp.StatusCode)
	}
	time.Sleep(1100 * time.Millisecond) // a passed check stands for a second
	ctx := context.Background()
	lock := openDB(t, r.DBPath)
	if _, err := lock.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			lock.ExecContext(ctx, "ROLLBACK")
		}
	}()
	resp, body := get(t, r.URL+"/healthz", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"database":"writes do not complete"`) {
		t.Fatalf("/healthz %d %s with the writer wedged, want 503 saying writes do not complete", resp.StatusCode, body)
	}
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	locked = false
	if code := r.DoJSON(t, http.MethodPost, "/api/auth/register", "", protocol.RegisterRequest{Email: "wedged@example.com", Password: relaytest.Password, DisplayName: "W"}, nil); code != http.StatusAccepted {
		t.Fatalf("register answered %d once the lock was gone", code)
	}
	if resp, body := get(t, r.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %d %s after the lock was released", resp.StatusCode, body)
	}
}

// openDB opens a connection of its own to a relay's database file, as
// another process would, waiting up to 10 s for locks the relay holds.
func openDB(t *testing.T, path string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rows, err := c.QueryContext(context.Background(), "PRAGMA busy_timeout=10000")
	if err != nil {
		t.Fatal(fmt.Errorf("busy_timeout: %w", err))
	}
	rows.Close()
	return c
}
