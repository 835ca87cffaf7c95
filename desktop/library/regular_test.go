//go:build unix

package library

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// hangGuard is how long a call may take before the test calls it hung: the
// calls here take milliseconds, an open of a FIFO takes forever.
const hangGuard = 60 * time.Second

// noHang runs f and fails the test if it does not return.
func noHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatalf("%s hung", what)
	}
}

func TestImportSpecialFiles(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, music, outside string)
		added  []string          // relative paths of the tracks the import adds
		errors map[string]string // relative path -> part of its FileError
	}{
		{
			name: "FIFO named like a track",
			setup: func(t *testing.T, music, _ string) {
				testenv.Mkfifo(t, filepath.Join(music, "x.mp3"))
				writeFiles(t, music, "y.mp3")
			},
			added:  []string{"y.mp3"},
			errors: map[string]string{"x.mp3": "not a regular file"},
		},
		{
			name: "FIFO without an audio name is ignored",
			setup: func(t *testing.T, music, _ string) {
				testenv.Mkfifo(t, filepath.Join(music, "pipe"))
				writeFiles(t, music, "y.mp3")
			},
			added: []string{"y.mp3"},
		},
		{
			name: "links to files inside and outside",
			setup: func(t *testing.T, music, outside string) {
				writeFiles(t, outside, "far.flac")
				writeFiles(t, music, "sub/near.mp3")
				testenv.Symlink(t, filepath.Join(outside, "far.flac"), filepath.Join(music, "far.flac"))
				testenv.Symlink(t, filepath.Join("sub", "near.mp3"), filepath.Join(music, "alias.mp3"))
			},
			added: []string{"alias.mp3", "far.flac", "sub/near.mp3"},
		},
		{
			name: "bad links",
			setup: func(t *testing.T, music, outside string) {
				testenv.Symlink(t, "nowhere.mp3", filepath.Join(music, "dangling.mp3"))
				testenv.Symlink(t, "loop2.mp3", filepath.Join(music, "loop1.mp3"))
				testenv.Symlink(t, "loop1.mp3", filepath.Join(music, "loop2.mp3"))
				testenv.Mkfifo(t, filepath.Join(outside, "pipe"))
				testenv.Symlink(t, filepath.Join(outside, "pipe"), filepath.Join(music, "pipe.ogg"))
				testenv.Symlink(t, "/dev/zero", filepath.Join(music, "zero.wav"))
			},
			errors: map[string]string{
				"dangling.mp3": "no such file",
				"loop1.mp3":    "too many levels",
				"loop2.mp3":    "too many levels",
				"pipe.ogg":     "not a regular file",
				"zero.wav":     "not a regular file",
			},
		},
		{
			name: "folder links are not followed",
			setup: func(t *testing.T, music, outside string) {
				writeFiles(t, music, "sub/a.mp3")
				writeFiles(t, outside, "b.mp3")
				testenv.Symlink(t, "..", filepath.Join(music, "sub", "up")) // a loop
				testenv.Symlink(t, outside, filepath.Join(music, "elsewhere"))
				testenv.Symlink(t, "sub", filepath.Join(music, "folder.mp3"))
			},
			added: []string{"sub/a.mp3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			lib := openTest(t, Options{})
			music, outside := t.TempDir(), t.TempDir()
			tc.setup(t, music, outside)
			var res ImportResult
			var err error
			noHang(t, "import", func() { res, err = lib.ImportFolder(ctx, music) })
			if err != nil {
				t.Fatal(err)
			}
			tracks, err := lib.List(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tk := range tracks {
				rel, _ := filepath.Rel(music, tk.Path)
				got = append(got, filepath.ToSlash(rel))
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.added, ",") || res.Added != len(tc.added) {
				t.Errorf("tracks %v (added %d), want %v", got, res.Added, tc.added)
			}
			gotErr := map[string]string{}
			for _, fe := range res.Errors {
				rel, _ := filepath.Rel(music, fe.Path)
				gotErr[filepath.ToSlash(rel)] = fe.Err
			}
			for rel, want := range tc.errors {
				if !strings.Contains(gotErr[rel], want) {
					t.Errorf("%s: error %q, want it to mention %q", rel, gotErr[rel], want)
				}
			}
			if len(gotErr) != len(tc.errors) {
				t.Errorf("errors %v, want %d", gotErr, len(tc.errors))
			}
		})
	}
}

func TestContentHashRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, "a.mp3")
	want, err := ContentHash(filepath.Join(dir, "a.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Mkfifo(t, filepath.Join(dir, "fifo.mp3"))
	testenv.Symlink(t, "a.mp3", filepath.Join(dir, "link.mp3"))
	testenv.Symlink(t, "fifo.mp3", filepath.Join(dir, "fifolink.mp3"))
	testenv.Symlink(t, "gone.mp3", filepath.Join(dir, "dangling.mp3"))
	tests := []struct {
		path    string
		wantErr error // nil: the hash of a.mp3
	}{
		{filepath.Join(dir, "link.mp3"), nil},
		{filepath.Join(dir, "fifo.mp3"), ErrNotRegular},
		{filepath.Join(dir, "fifolink.mp3"), ErrNotRegular},
		{"/dev/zero", ErrNotRegular},
		{filepath.Join(dir, "dangling.mp3"), fs.ErrNotExist},
		{dir, ErrNotRegular},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			var got string
			var err error
			noHang(t, "ContentHash", func() { got, err = ContentHash(tc.path) })
			switch {
			case tc.wantErr == nil && (err != nil || got != want):
				t.Errorf("hash %q, %v; want %q", got, err, want)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestQueueRefusesSwappedFile: a file replaced by a FIFO or a device link
// between import and analysis fails with a clear error instead of hanging
// the worker in open.
func TestQueueRefusesSwappedFile(t *testing.T) {
	tests := []struct {
		name string
		swap func(t *testing.T, p string)
	}{
		{"FIFO", func(t *testing.T, p string) { testenv.Mkfifo(t, p) }},
		{"link to a FIFO", func(t *testing.T, p string) {
			testenv.Mkfifo(t, p+".pipe")
			testenv.Symlink(t, p+".pipe", p)
		}},
		{"link to a device", func(t *testing.T, p string) { testenv.Symlink(t, "/dev/zero", p) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			lib := openTest(t, Options{})
			music := t.TempDir()
			writeFiles(t, music, "good.mp3", "swapped.mp3")
			if _, err := lib.ImportFolder(ctx, music); err != nil {
				t.Fatal(err)
			}
			swapped := filepath.Join(music, "swapped.mp3")
			if err := os.Remove(swapped); err != nil {
				t.Fatal(err)
			}
			tc.swap(t, swapped)
			// Reads the whole file, as a decoder does: blocks on a FIFO,
			// never ends on /dev/zero.
			readAll := func(ctx context.Context, p string) (Analysis, error) {
				if _, err := os.ReadFile(p); err != nil {
					return Analysis{}, err
				}
				return Analysis{BPM: 100, Key: "A minor", Camelot: "8A"}, nil
			}
			q := NewQueue(lib, readAll, 2)
			prog, stop := q.Subscribe()
			defer stop()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, hangGuard)
			defer cancel()
			waitFor(t, wctx, prog, "both files done", func(p Progress) bool { return p.Done == 2 })
			q.Cancel()
			for name, want := range map[string]State{"good.mp3": StateAnalysed, "swapped.mp3": StateFailed} {
				tk, err := lib.ByPath(ctx, filepath.Join(music, name))
				if err != nil {
					t.Fatal(err)
				}
				if tk.State != want {
					t.Errorf("%s: state %s (%q), want %s", name, tk.State, tk.Error, want)
				}
				if want == StateFailed && !strings.Contains(tk.Error, "not a regular file") {
					t.Errorf("%s: error %q, want it to say not a regular file", name, tk.Error)
				}
			}
		})
	}
}

// TestWatcherSpecialFiles: links to files are picked up, also inside a
// folder that appears with them already there; FIFOs beside them neither
// hang the watcher nor enter the library.
func TestWatcherSpecialFiles(t *testing.T) {
	tests := []struct {
		name string
		add  func(t *testing.T, music, outside string) // makes want and some FIFOs
		want string                                    // relative path of the track that must appear
	}{
		{"link added to the folder", func(t *testing.T, music, outside string) {
			testenv.Mkfifo(t, filepath.Join(music, "pipe.mp3"))
			testenv.Symlink(t, filepath.Join(outside, "song.mp3"), filepath.Join(music, "link.mp3"))
		}, "link.mp3"},
		{"folder arriving with a link inside", func(t *testing.T, music, outside string) {
			sub := filepath.Join(outside, "New")
			testenv.Mkfifo(t, filepath.Join(sub, "pipe.mp3"))
			testenv.Symlink(t, filepath.Join(outside, "song.mp3"), filepath.Join(sub, "link.mp3"))
			if err := os.Rename(sub, filepath.Join(music, "New")); err != nil {
				t.Fatal(err)
			}
		}, "New/link.mp3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			lib := openTest(t, Options{})
			music, outside := t.TempDir(), t.TempDir()
			writeFiles(t, outside, "song.mp3")
			if _, err := lib.ImportFolder(ctx, music); err != nil {
				t.Fatal(err)
			}
			got := make(chan Track, 10)
			w, err := lib.Watch(ctx, func(tk Track) { got <- tk })
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			tc.add(t, music, outside)
			wctx, cancel := context.WithTimeout(ctx, hangGuard)
			defer cancel()
			select {
			case tk := <-got:
				if rel, _ := filepath.Rel(music, tk.Path); filepath.ToSlash(rel) != tc.want {
					t.Errorf("watcher added %s, want %s", rel, tc.want)
				}
			case <-wctx.Done():
				t.Fatalf("watcher did not add %s", tc.want)
			}
		})
	}
}

func TestImportVirtualDJRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	testenv.Mkfifo(t, filepath.Join(dir, "database.xml"))
	testenv.Symlink(t, "database.xml", filepath.Join(dir, "link.xml"))
	tests := []struct{ name, path string }{
		{"FIFO", filepath.Join(dir, "database.xml")},
		{"link to a FIFO", filepath.Join(dir, "link.xml")},
		{"device", "/dev/zero"},
		{"folder", dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib := openTest(t, Options{})
			var err error
			noHang(t, "ImportVirtualDJ", func() { _, err = lib.ImportVirtualDJ(testCtx(t), tc.path) })
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("error %v, want %v", err, ErrNotRegular)
			}
		})
	}
}
