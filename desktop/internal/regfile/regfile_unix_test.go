//go:build unix

package regfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/audio"
	"github.com/pikadj/pika/desktop/internal/regfile"
	"github.com/pikadj/pika/desktop/library"
)

// specials makes a folder with one of each kind of path the app meets.
func specials(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "song.mp3"), []byte("ID3"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.mp3"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.mp3"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"link.mp3": "song.mp3", "fifolink.mp3": "fifo.mp3", "dirlink.mp3": "folder.mp3",
		"dangling.mp3": "gone.mp3", "null.mp3": os.DevNull,
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckWalkedOpen(t *testing.T) {
	dir := specials(t)
	tests := []struct {
		name         string
		check, open  error // nil: accepted
		walked       error
		skipInWalked bool // the walk never hands folders to Walked
	}{
		{name: "song.mp3"},
		{name: "link.mp3"},
		{name: "fifo.mp3", check: regfile.ErrNotRegular, open: regfile.ErrNotRegular, walked: regfile.ErrNotRegular},
		{name: "fifolink.mp3", check: regfile.ErrNotRegular, open: regfile.ErrNotRegular, walked: regfile.ErrNotRegular},
		{name: "null.mp3", check: regfile.ErrNotRegular, open: regfile.ErrNotRegular, walked: regfile.ErrNotRegular},
		{name: "folder.mp3", check: regfile.ErrNotRegular, open: regfile.ErrNotRegular, skipInWalked: true},
		{name: "dirlink.mp3", check: regfile.ErrNotRegular, open: regfile.ErrNotRegular, walked: regfile.ErrLinkToDir},
		{name: "dangling.mp3", check: fs.ErrNotExist, open: fs.ErrNotExist, walked: fs.ErrNotExist},
	}
	entries := map[string]fs.DirEntry{}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range des {
		entries[d.Name()] = d
	}
	is := func(err, want error) bool { return want == nil && err == nil || want != nil && errors.Is(err, want) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := regfile.Check(p); !is(err, tt.check) {
				t.Errorf("Check: %v, want %v", err, tt.check)
			}
			if !tt.skipInWalked {
				if err := regfile.Walked(p, entries[tt.name]); !is(err, tt.walked) {
					t.Errorf("Walked: %v, want %v", err, tt.walked)
				}
			}
			done := make(chan error, 1)
			go func() {
				f, err := regfile.Open(p)
				if f != nil {
					f.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if !is(err, tt.open) {
					t.Errorf("Open: %v, want %v", err, tt.open)
				}
			case <-time.After(time.Minute): // a hang guard, not a speed check
				t.Fatal("Open hung")
			}
		})
	}
}

// The decoders' and the library's refusals are one error, so a caller
// holding either can test for it.
func TestOneErrNotRegularAcrossPackages(t *testing.T) {
	fifo := filepath.Join(specials(t), "fifo.mp3")
	_, audioErr := audio.OpenFile(fifo)
	_, libErr := library.ContentHash(fifo)
	for _, tt := range []struct {
		name string
		err  error
	}{{"audio.OpenFile", audioErr}, {"library.ContentHash", libErr}} {
		for _, want := range []error{regfile.ErrNotRegular, audio.ErrNotRegular, library.ErrNotRegular} {
			if !errors.Is(tt.err, want) {
				t.Errorf("%s: %v is not %v", tt.name, tt.err, want)
			}
		}
	}
}
