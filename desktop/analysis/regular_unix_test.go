//go:build unix

package analysis

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO or device named like an audio file is refused, not opened: open
// would wait for a writer, and a device never ends.
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.mp3")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.wav")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.flac")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path string }{
		{"FIFO", fifo},
		{"link to a FIFO", link},
		{"character device", os.DevNull},
		{"folder", folder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTags(tc.path)
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("ReadTags: %v, want ErrNotRegular", err)
			}
			r, err := AnalyzeFile(t.Context(), tc.path, DefaultOptions())
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("AnalyzeFile: %v, want ErrNotRegular", err)
			}
			if r.Path != tc.path || r.BPM != 0 || r.DurationS != 0 {
				t.Errorf("result %+v", r)
			}
		})
	}
	// A regular file through a link still works.
	wav := filepath.Join(dir, "ok.wav")
	writeWAV(t, wav, clickTrack(100, 5, 22050, 1), 22050, 1)
	okLink := filepath.Join(dir, "ok-link.wav")
	if err := os.Symlink(wav, okLink); err != nil {
		t.Fatal(err)
	}
	if _, err := AnalyzeFile(t.Context(), okLink, DefaultOptions()); err != nil {
		t.Errorf("link to a regular file: %v", err)
	}
}
