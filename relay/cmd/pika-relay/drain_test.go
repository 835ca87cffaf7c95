package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/tursodatabase/go-libsql" // the test holds the relay's database lock

	"github.com/pikadj/pika/shared/protocol"
)

// TestDrainTimeoutExitsNonZero: when SIGTERM's drain runs out of time (here
// another process holds the database's write lock, so the DJ's departure
// cannot be written) the relay says what was still pending and exits with
// an error instead of a clean 0.
func TestDrainTimeoutExitsNonZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the relay binary")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "pika.db")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := startBinary(ctx, t, dir, "-db", "file:"+dbPath, "-drain-timeout", "1s")
	addr := relay.addr
	token := registerDJ(t, "http://"+addr)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.WriteMessage(websocket.TextMessage, protocol.Encode(protocol.TypeRegisterSession, "r", protocol.RegisterSession{Token: token, Name: "Drain night"})); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.Contains(string(msg), string(protocol.TypeSessionRegistered)) {
		t.Fatalf("register session: %s %v", msg, err)
	}
	db, err := sql.Open("libsql", "file:"+dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	rows, err := lock.QueryContext(ctx, "PRAGMA busy_timeout=10000") // the relay may be mid-commit
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer lock.ExecContext(context.Background(), "ROLLBACK")
	if err := relay.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	all, err := relay.wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("relay exited with %v after a drain that timed out, want a non-zero exit:\n%s", err, all)
	}
	if !strings.Contains(all, `"msg":"drain timed out"`) || !strings.Contains(all, "DJ departures") {
		t.Fatalf("no warning naming what was pending:\n%s", all)
	}
}

func registerDJ(t *testing.T, base string) string {
	t.Helper()
	post := func(path string, body any, want int, out any) {
		b, _ := json.Marshal(body)
		resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want || (out != nil && json.NewDecoder(resp.Body).Decode(out) != nil) {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	post("/api/auth/register", protocol.RegisterRequest{Email: "drain@example.com", Password: "a long enough password", DisplayName: "DJ Drain"}, http.StatusAccepted, nil)
	var ar protocol.AuthResponse
	post("/api/auth/login", protocol.LoginRequest{Email: "drain@example.com", Password: "a long enough password"}, http.StatusOK, &ar)
	if ar.Token == "" {
		t.Fatal("login: no token")
	}
	return ar.Token
}
