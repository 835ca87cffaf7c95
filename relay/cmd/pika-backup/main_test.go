package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
)

func TestCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "pika.db")
	s, err := store.Open(ctx, store.Options{URL: "file:" + db})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(dir, "backups")
	clock := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Hour); return clock }
	wantBackup := filepath.Join(backups, "pika-20261125T040000Z.db")

	tests := []struct {
		name     string
		args     []string
		env      string // PIKA_BACKUP_KEEP
		code     int
		out, err string
	}{
		{"no command", nil, "", 2, "", "usage"},
		{"unknown command", []string{"copy"}, "", 2, "", `unknown command "copy"`},
		{"help", []string{"help"}, "", 0, "usage", ""},
		{"backup needs two paths", []string{"backup", db}, "", 2, "", "usage"},
		{"backup", []string{"backup", db, backups}, "", 0, "backup " + wantBackup, ""},
		{"backup keeping one prunes", []string{"backup", "-keep", "1", db, backups}, "", 0, "pruned " + wantBackup, ""},
		{"keep from the environment", []string{"backup", db, backups}, "1", 0, "pruned", ""},
		{"bad keep in the environment", []string{"backup", db, backups}, "many", 1, "", "PIKA_BACKUP_KEEP"},
		{"keep out of range", []string{"backup", "-keep", "0", db, backups}, "", 1, "", "keep must be"},
		{"backup of a missing database", []string{"backup", filepath.Join(dir, "none.db"), backups}, "", 1, "", "no such file"},
		{"verify", []string{"verify", db}, "", 0, "ok", ""},
		{"verify garbage", []string{"verify", filepath.Join(dir, "backups")}, "", 1, "", "not a regular file"},
		{"restore needs two paths", []string{"restore", db}, "", 2, "", "usage"},
		{"restore of a missing backup", []string{"restore", filepath.Join(dir, "none.db"), db}, "", 1, "", "backup refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PIKA_BACKUP_KEEP", tt.env)
			var out, errOut bytes.Buffer
			code := run(ctx, tt.args, &out, &errOut, now)
			if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					code, out.String(), errOut.String(), tt.code, tt.out, tt.err)
			}
		})
	}

	// Restore the newest backup over the database.
	left, err := filepath.Glob(filepath.Join(backups, "pika-*.db"))
	if err != nil || len(left) != 1 {
		t.Fatalf("backups left: %v %v", left, err)
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"restore", left[0], db}, &out, &errOut, now); code != 0 {
		t.Fatalf("restore: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "kept the replaced database as "+db+".before-restore-") {
		t.Errorf("restore output %q", out.String())
	}
	if _, err := os.Stat(db); err != nil {
		t.Error(err)
	}
}
