package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

func FuzzNormalizeKey(f *testing.F) {
	for _, s := range []string{"8A", "Am", "F#m", "Eb major", "C#min", "", "H", "12b", "♭"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, n, ok := NormalizeKey(s)
		if !ok {
			return
		}
		// Whatever was read, its outputs read back to themselves.
		c2, n2, ok2 := NormalizeKey(c)
		c3, n3, ok3 := NormalizeKey(n)
		if !ok2 || !ok3 || c2 != c || n2 != n || c3 != c || n3 != n {
			t.Errorf("NormalizeKey(%q) = %q, %q; not stable", s, c, n)
		}
	})
}

func FuzzPathKey(f *testing.F) {
	for _, s := range []string{`C:\Music\A.mp3`, "/m/./a/../b.mp3", `\\nas\x`, "", "//", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := PathKey(s)
		if utf8.ValidString(s) && PathKey(k) != k {
			t.Errorf("PathKey(%q) = %q is not a fixed point (%q)", s, k, PathKey(k))
		}
	})
}

// FuzzImportVirtualDJ feeds arbitrary bytes as database.xml: an error or a
// clean import, never a panic, and the library stays readable.
func FuzzImportVirtualDJ(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "database.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`<VirtualDJ_Database><Song FilePath="/a.mp3"><Scan Bpm="0.5" Key="Am"/></Song></VirtualDJ_Database>`))
	f.Add([]byte(`<VirtualDJ_Database><Song FilePath="/a.mp3"><Tags Author="&#0;"/></Song>`))
	f.Add([]byte{0xef, 0xbb, 0xbf, '<'})
	dir := f.TempDir()
	lib, err := Open(context.Background(), filepath.Join(dir, "fuzz.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { lib.Close() })
	n := 0
	f.Fuzz(func(t *testing.T, data []byte) {
		n++
		p := filepath.Join(dir, fmt.Sprintf("db%d.xml", n))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(p)
		_, _ = lib.ImportVirtualDJ(context.Background(), p)
		if _, err := lib.List(context.Background(), Filter{Limit: 10}); err != nil {
			t.Fatalf("library unreadable after import: %v", err)
		}
	})
}
