package server_test

import (
	"context"
	"database/sql"
	"net/http"
	"testing"

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
	db, err := sql.Open("libsql", "file:"+r.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
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
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/healthz %d %s with the writer wedged, want 503", resp.StatusCode, body)
	}
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	locked = false
	if code := r.DoJSON(t, http.MethodPost, "/api/auth/register", "", protocol.RegisterRequest{Email: "wedged@example.com", Password: relaytest.Password, DisplayName: "W"}, nil); code != http.StatusCreated {
		t.Fatalf("register answered %d once the lock was gone", code)
	}
	if resp, body := get(t, r.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %d %s after the lock was released", resp.StatusCode, body)
	}
}
