package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/nowplaying"
)

func TestSimFeedsTheVirtualDJWatcher(t *testing.T) {
	// The corpus sits beside the repository: ../shared/corpus/dev from its root.
	corpus := "../../../../shared/corpus/dev"
	if _, err := os.Stat(corpus); err != nil {
		t.Fatalf("corpus missing: %v", err)
	}
	files, err := audioFiles([]string{corpus})
	if err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "Simon & Garfunkel - Cecilia <Live>.mp3")
	if err := os.WriteFile(named, []byte("not really audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append([]string{named}, files[:2]...)

	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	events := make(chan nowplaying.Event, 8)
	// Recent covers the first entry should the watcher look only after the
	// simulator wrote it.
	w := nowplaying.NewVirtualDJ(dir, nowplaying.Options{Recent: time.Hour, PollInterval: 20 * time.Millisecond})
	go func() { _ = w.Run(ctx, events) }()

	var out bytes.Buffer
	if err := run(ctx, options{dir: dir, interval: 300 * time.Millisecond, files: files}, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "\n"); got != 3 {
		t.Errorf("printed %d lines:\n%s", got, out.String())
	}
	for i, f := range files {
		select {
		case e := <-events:
			if e.Path != f {
				t.Errorf("event %d path %q, want %q", i, e.Path, f)
			}
			if i == 0 && (e.Artist != "Simon & Garfunkel" || e.Title != "Cecilia <Live>") {
				t.Errorf("event 0 = %+v", e)
			}
			if e.StartedAt.IsZero() || time.Since(e.StartedAt) > time.Minute {
				t.Errorf("event %d started at %v", i, e.StartedAt)
			}
		case <-ctx.Done():
			t.Fatalf("event %d never came", i)
		}
	}
}

func TestXMLEscape(t *testing.T) {
	if got := xmlEscape(`Tom & Jerry's <"Best">`); got != "Tom &amp; Jerry&apos;s &lt;&quot;Best&quot;&gt;" {
		t.Errorf("xmlEscape = %q", got)
	}
}
