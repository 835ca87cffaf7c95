package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gate is an analyzer the test releases file by file, to drive the
// queue's pause, resume and cancel through exact states.
type gate struct {
	mu      sync.Mutex
	calls   []string
	started chan string
	release chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan string, 100), release: make(chan struct{}, 100)}
}

func (g *gate) analyze(ctx context.Context, p string) (Analysis, error) {
	g.mu.Lock()
	g.calls = append(g.calls, p)
	g.mu.Unlock()
	g.started <- p
	select {
	case <-g.release:
	case <-ctx.Done():
		return Analysis{}, ctx.Err()
	}
	if strings.Contains(p, "bad") {
		return Analysis{}, errors.New("corrupt frame at 0:42")
	}
	if strings.Contains(p, "panic") {
		panic("decoder index out of range")
	}
	return Analysis{BPM: 100, Key: "A minor", Camelot: "8A", Energy: 50}, nil
}

func (g *gate) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

// writeFiles makes small distinct audio-named files.
func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("content of "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor reads progress until cond holds.
func waitFor(t *testing.T, ctx context.Context, ch <-chan Progress, what string, cond func(Progress) bool) Progress {
	t.Helper()
	for {
		select {
		case p := <-ch:
			if cond(p) {
				return p
			}
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
	}
}

func TestQueuePauseResumeCancelAndRestart(t *testing.T) {
	ctx := testCtx(t)
	dbPath := filepath.Join(t.TempDir(), "library.db")
	lib, err := Open(ctx, dbPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	music := t.TempDir()
	var names []string
	for i := range 8 {
		names = append(names, fmt.Sprintf("track%02d.mp3", i))
	}
	writeFiles(t, music, names...)
	if _, err := lib.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}

	g := newGate()
	q := NewQueue(lib, g.analyze, 2)
	prog, stop := q.Subscribe()
	defer stop()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	<-g.started
	<-g.started
	q.Pause()
	g.release <- struct{}{}
	g.release <- struct{}{}
	p := waitFor(t, ctx, prog, "two files done while paused", func(p Progress) bool { return p.Done == 2 })
	if !p.Paused || p.Total != 8 {
		t.Errorf("progress = %+v; want paused with total 8", p)
	}
	if n := g.count(); n != 2 {
		t.Fatalf("%d files started while paused; want 2", n)
	}

	q.Resume()
	<-g.started
	<-g.started
	g.release <- struct{}{}
	g.release <- struct{}{}
	waitFor(t, ctx, prog, "four done", func(p Progress) bool { return p.Done == 4 })
	<-g.started // the workers picked up files 5 and 6; cancel mid-way
	<-g.started
	q.Cancel()
	p = q.Progress()
	if p.Running || !p.Finished || p.Done != 4 {
		t.Errorf("after cancel: %+v; want finished, not running, 4 done", p)
	}
	c, _ := lib.Counts(ctx)
	if c.Analysed != 4 || c.Pending != 4 {
		t.Fatalf("after cancel: %+v; want 4 analysed, 4 pending", c)
	}

	// The app closes and opens again: the pending files are analysed then.
	lib.Close()
	lib, err = Open(ctx, dbPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	g2 := newGate()
	for range 4 {
		g2.release <- struct{}{}
	}
	q2 := NewQueue(lib, g2.analyze, 3)
	if err := q2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ = lib.Counts(ctx)
	if c.Analysed != 8 || c.Pending != 0 || g2.count() != 4 {
		t.Errorf("after restart: %+v, %d analysed now; want 8 analysed, 4 analysed now", c, g2.count())
	}
}

func TestQueueBadFilesDoNotStopIt(t *testing.T) {
	ctx := testCtx(t)
	lib := openTest(t, Options{})
	music := t.TempDir()
	writeFiles(t, music, "a.mp3", "bad.mp3", "b.flac", "panic.ogg", "sub/c.wav")
	res, err := lib.ImportFolder(ctx, music)
	if err != nil || res.Added != 5 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	g := newGate()
	for range 5 {
		g.release <- struct{}{}
	}
	q := NewQueue(lib, g.analyze, 0)
	prog, stop := q.Subscribe()
	defer stop()
	var errs []FileError
	q.Start(ctx)
	p := waitFor(t, ctx, prog, "the run to finish", func(p Progress) bool {
		if p.LastErr != nil {
			errs = append(errs, *p.LastErr)
		}
		return p.Finished
	})
	if p.Done != 5 || p.Failed != 2 {
		t.Errorf("final progress %+v; want 5 done, 2 failed", p)
	}
	failed, err := lib.List(ctx, Filter{State: StateFailed})
	if err != nil || len(failed) != 2 {
		t.Fatalf("failed tracks: %d, %v", len(failed), err)
	}
	for _, f := range failed {
		want := "corrupt frame"
		if strings.Contains(f.Path, "panic") {
			want = "crashed"
		}
		if !strings.Contains(f.Error, want) {
			t.Errorf("%s: error %q, want %q", f.Path, f.Error, want)
		}
	}
	if len(errs) == 0 {
		t.Error("no per-file error reached the progress stream")
	}
	analysed, _ := lib.List(ctx, Filter{Key: "Am", MinBPM: 99, MaxBPM: 101})
	if len(analysed) != 3 {
		t.Errorf("tracks at 100 BPM in A minor: %d, want 3", len(analysed))
	}
}
