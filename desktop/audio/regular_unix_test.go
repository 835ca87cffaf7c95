//go:build unix

package audio

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.ogg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       error
	}{
		{"FIFO", fifo, ErrNotRegular},
		{"device", os.DevNull, ErrNotRegular},
		{"folder", dir, ErrNotRegular},
		{"missing", filepath.Join(dir, "none.mp3"), os.ErrNotExist},
		{"regular", filepath.Join("testdata", "tone.ogg"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.path, Options{})
			if s != nil {
				s.Close()
			}
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Open: %v, want %v", err, tc.want)
			}
		})
	}
}
