package core

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/appversion"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestCheckForUpdate: against a real relay, with a newer release, the
// same one and none; the answer is kept for a day (the relay is not asked
// again, even when down), asked again after; off when the DJ says so.
func TestCheckForUpdate(t *testing.T) {
	defer func(v string) { appversion.Version = v }(appversion.Version)
	newer := protocol.AppRelease{Version: "1.4.0", DownloadURL: "https://pika.example/download"}
	tests := []struct {
		name     string
		release  protocol.AppRelease
		current  string
		newer    bool
		noticeOf string
	}{
		{"newer release", newer, "1.3.9", true, "1.4.0"},
		{"same release", newer, "1.4.0", false, "1.4.0"},
		{"pre-release of it", newer, "1.4.0-rc.2", true, "1.4.0"},
		{"dev build", newer, "dev", false, "1.4.0"},
		{"none announced", protocol.AppRelease{}, "1.3.9", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			appversion.Version = tc.current
			r := relaytest.Start(t, relaytest.WithAppRelease(tc.release))
			dir := t.TempDir()
			c := openCore(t, ctx, dir, r, "", 0)
			defer c.Close()
			u, err := c.CheckForUpdate(ctx)
			if err != nil || u.Newer != tc.newer || u.Latest != tc.noticeOf {
				t.Fatalf("check: %+v %v; want newer %v, latest %q", u, err, tc.newer, tc.noticeOf)
			}
			if tc.noticeOf != "" && u.DownloadURL != newer.DownloadURL {
				t.Fatalf("download URL %q", u.DownloadURL)
			}
			// Within the day the relay is not asked: down, same answer.
			r.Stop()
			again, err := c.CheckForUpdate(ctx)
			if err != nil || again.Latest != u.Latest || again.Newer != u.Newer {
				t.Fatalf("second check within the day: %+v %v, want %+v", again, err, u)
			}
			// A day later it asks again (and finds the relay down).
			path := filepath.Join(dir, updateFile)
			u.CheckedAt = time.Now().Add(-UpdateInterval - time.Minute)
			b, _ := json.Marshal(u)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := c.CheckForUpdate(ctx); err == nil {
				t.Fatal("a day later: no error with the relay down, so it did not ask")
			}
		})
	}
}

func TestUpdateCheckOff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := relaytest.Start(t, relaytest.WithAppRelease(protocol.AppRelease{Version: "9.0.0", DownloadURL: "https://pika.example/download"}))
	dir := t.TempDir()
	c := openCore(t, ctx, dir, r, "", 0)
	defer c.Close()
	s := c.Settings()
	s.NoUpdateCheck = true
	if err := c.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckForUpdate(ctx); !errors.Is(err, ErrUpdateCheckOff) {
		t.Fatalf("check with the setting off: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, updateFile)); !os.IsNotExist(err) {
		t.Fatalf("the relay was asked with the check off: %v", err)
	}
}
