package analysis

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzAnalyzeFile feeds arbitrary bytes, under each extension, through tag
// reading, decoding and analysis: an error is fine, a panic or an insane
// result is not.
func FuzzAnalyzeFile(f *testing.F) {
	for _, name := range []string{"tagged.mp3", "tagged.flac", "tagged.m4a"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4096)], uint8(0))
	}
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), uint8(3))
	exts := []string{".mp3", ".flac", ".ogg", ".wav", ".aiff", ".m4a"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, ext uint8) {
		p := filepath.Join(dir, "f"+exts[int(ext)%len(exts)])
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := AnalyzeFile(context.Background(), p, DefaultOptions())
		if err == nil {
			checkSane(t, r, DefaultOptions())
		}
		_, _ = ReadTags(p)
	})
}
