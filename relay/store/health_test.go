//go:build linux

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
)

// fillDisk makes every file write of this process fail, as on a full disk:
// RLIMIT_FSIZE 0 turns each write(2) to a regular file into EFBIG (Go
// ignores the SIGXFSZ that comes with it). Running as root, chmod could
// not do it. The returned func restores the limit.
func fillDisk(t testing.TB) func() {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	full := syscall.Rlimit{Cur: 0, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(restore)
	return restore
}

func TestPingWritesTheHeartbeat(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	defer s.Close()
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	beat1, at1, err := s.Heartbeat(ctx)
	if err != nil || beat1 != 1 || at1.IsZero() {
		t.Fatalf("heartbeat %d at %v, %v after the first check", beat1, at1, err)
	}
	// A check within a second reuses the last one; after that it writes.
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := s.Heartbeat(ctx); b != 1 {
		t.Fatalf("heartbeat %d after a second check at once, want 1 (reused)", b)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := s.Heartbeat(ctx); b != 2 {
		t.Fatalf("heartbeat %d after a check a second later, want 2", b)
	}
}

// TestPingFailsOnAFullDisk: with no write reaching the file, reads still
// work and a write that changes nothing still "succeeds" (what the check
// did before), but the heartbeat cannot commit and Ping says so. Once
// writes work again, so does Ping, and nothing written before is lost.
func TestPingFailsOnAFullDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pika.db")
	s := open(t, path)
	defer s.Close()
	ctx := context.Background()
	other, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, _, err := s.CreateDJ(ctx, "full@example.com", "hash", "Full", "t", "h-full"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // past the reuse of a passed check
	restore := fillDisk(t)
	if _, err := s.DJByEmail(ctx, "full@example.com"); err != nil {
		t.Fatalf("read on a full disk: %v", err)
	}
	// The old check, an update of no row, passes on a full disk.
	if _, err := other.ExecContext(ctx, "UPDATE schema_migrations SET applied_at = applied_at WHERE version < 0"); err != nil {
		restore()
		t.Fatalf("a write of nothing failed on a full disk: %v", err)
	}
	if _, _, err := s.CreateDJ(ctx, "more@example.com", "hash", "More", "t", "h-more"); err == nil {
		restore()
		t.Fatal("a real write succeeded with RLIMIT_FSIZE 0: the test cannot tell a full disk")
	}
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	err = s.Ping(cctx)
	cancel()
	restore()
	var he *store.HealthError
	if !errors.As(err, &he) || he.Reason != "cannot write" {
		t.Fatalf("Ping on a full disk = %v, want a HealthError \"cannot write\"", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping once writes work again: %v", err)
	}
	if _, err := s.DJByEmail(ctx, "full@example.com"); err != nil {
		t.Fatalf("data written before the full disk lost: %v", err)
	}
}
