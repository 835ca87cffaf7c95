//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/analysis"
	"github.com/pikadj/pika/desktop/internal/testenv"
)

// hangGuard is how long a run may take before the test calls it hung; the
// runs here take well under a second, a hang takes forever.
const hangGuard = 60 * time.Second

// runJSON runs the command and returns its lines by path, failing the test
// if the run does not return (a FIFO open blocks forever).
func runJSON(t *testing.T, args ...string) map[string]map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(append([]string{"-json"}, args...), &stdout, &stderr) }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d, stderr %s", code, stderr.String())
		}
	case <-time.After(hangGuard):
		t.Fatalf("run %q hung", args)
	}
	got := map[string]map[string]any{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		p, _ := m["path"].(string)
		if _, dup := got[p]; dup {
			t.Errorf("two lines for %s", p)
		}
		got[p] = m
	}
	return got
}

func TestSpecialFiles(t *testing.T) {
	td, err := filepath.Abs(filepath.Join("..", "..", "analysis", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	song := filepath.Join(td, "tagged.mp3")
	type want struct {
		artist string // success with these tags
		errHas string // or an error line mentioning this
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		arg   string // relative to dir; "" = dir itself
		want  map[string]want
	}{
		{
			name:  "explicit FIFO",
			setup: func(t *testing.T, dir string) { testenv.Mkfifo(t, filepath.Join(dir, "fifo.mp3")) },
			arg:   "fifo.mp3",
			want:  map[string]want{"fifo.mp3": {errHas: "not a regular file"}},
		},
		{
			name: "FIFO in a folder",
			setup: func(t *testing.T, dir string) {
				testenv.Mkfifo(t, filepath.Join(dir, "x.mp3"))
				testenv.CopyFile(t, song, filepath.Join(dir, "y.mp3"))
			},
			want: map[string]want{"x.mp3": {errHas: "not a regular file"}, "y.mp3": {artist: "MP3 Artist"}},
		},
		{
			name: "explicit link to a FIFO",
			setup: func(t *testing.T, dir string) {
				testenv.Mkfifo(t, filepath.Join(dir, "f"))
				testenv.Symlink(t, "f", filepath.Join(dir, "l.mp3"))
			},
			arg:  "l.mp3",
			want: map[string]want{"l.mp3": {errHas: "not a regular file"}},
		},
		{
			name:  "explicit link to a file",
			setup: func(t *testing.T, dir string) { testenv.Symlink(t, song, filepath.Join(dir, "l.mp3")) },
			arg:   "l.mp3",
			want:  map[string]want{"l.mp3": {artist: "MP3 Artist"}},
		},
		{
			name: "links in a folder",
			setup: func(t *testing.T, dir string) {
				testenv.Symlink(t, song, filepath.Join(dir, "abs.mp3"))
				testenv.CopyFile(t, song, filepath.Join(dir, "sub", "real.mp3"))
				testenv.Symlink(t, filepath.Join("sub", "real.mp3"), filepath.Join(dir, "rel.mp3"))
				testenv.Symlink(t, "nowhere.mp3", filepath.Join(dir, "dangling.mp3"))
				testenv.Symlink(t, "loop2.mp3", filepath.Join(dir, "loop1.mp3"))
				testenv.Symlink(t, "loop1.mp3", filepath.Join(dir, "loop2.mp3"))
				testenv.Mkfifo(t, filepath.Join(dir, "sub", "pipe"))
				testenv.Symlink(t, filepath.Join("sub", "pipe"), filepath.Join(dir, "pipe.flac"))
				testenv.Symlink(t, ".", filepath.Join(dir, "sub", "self"))  // a folder loop: not followed
				testenv.Symlink(t, "sub", filepath.Join(dir, "folder.mp3")) // a folder link: not followed, not reported
			},
			want: map[string]want{
				"abs.mp3":      {artist: "MP3 Artist"},
				"rel.mp3":      {artist: "MP3 Artist"},
				"sub/real.mp3": {artist: "MP3 Artist"},
				"dangling.mp3": {errHas: "no such file"},
				"loop1.mp3":    {errHas: "too many levels"},
				"loop2.mp3":    {errHas: "too many levels"},
				"pipe.flac":    {errHas: "not a regular file"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			got := runJSON(t, filepath.Join(dir, tc.arg))
			for rel, w := range tc.want {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				m, ok := got[p]
				if !ok {
					t.Errorf("no line for %s", rel)
					continue
				}
				errStr, _ := m["error"].(string)
				if w.errHas == "" {
					if errStr != "" || m["artist"] != w.artist {
						t.Errorf("%s: error %q artist %v, want success with artist %q", rel, errStr, m["artist"], w.artist)
					}
				} else if !strings.Contains(errStr, w.errHas) {
					t.Errorf("%s: error %q, want it to mention %q", rel, errStr, w.errHas)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("got lines for %d paths, want %d: %v", len(got), len(tc.want), keys(got))
			}
		})
	}
}

// TestInterruptLeavesStuckWorker: after Ctrl-C the command returns 130
// even though a worker sits in a read that ignores its context, as an open
// of a FIFO swapped in after the walk would.
func TestInterruptLeavesStuckWorker(t *testing.T) {
	song, err := filepath.Abs(filepath.Join("..", "..", "analysis", "testdata", "tagged.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		workers int
		files   int
	}{
		{"one worker, queued files never start", 1, 5},
		{"all workers stuck", 3, 3},
		{"more workers than files", 4, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			started := make(chan string, tc.files)
			old := analyzeFile
			analyzeFile = func(_ context.Context, p string, _ analysis.Options) (analysis.Result, error) {
				started <- p
				<-release // blocks like open(2) on a FIFO: deaf to the context
				return analysis.Result{}, nil
			}
			defer func() { analyzeFile = old }()

			var paths []string
			for range tc.files {
				paths = append(paths, song)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- analyzeAll(ctx, paths, tc.workers, analysis.DefaultOptions(), newPrinter(&stdout, true), &stderr)
			}()
			stuck := min(tc.workers, tc.files)
			for range stuck {
				<-started
			}
			cancel()
			select {
			case code := <-done:
				if code != 130 {
					t.Errorf("exit %d, want 130", code)
				}
			case <-time.After(hangGuard):
				t.Fatal("interrupted run waited for the stuck worker")
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr %q, want it to say interrupted", stderr.String())
			}
			if n := len(started); n != 0 {
				t.Errorf("%d more files started after the interrupt", n)
			}
		})
	}
}

func keys(m map[string]map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
