package library

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// fillLibrary stores n analysed tracks through the VirtualDJ path, the
// fastest bulk insert a real library sees.
func fillLibrary(b *testing.B, n int) *Library {
	b.Helper()
	lib, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lib.Close() })
	songs := make([]vdjSong, 0, 500)
	var res VDJResult
	for i := range n {
		var s vdjSong
		s.FilePath = fmt.Sprintf("/nowhere/Artist %d - Title %d.mp3", i%700, i)
		s.Tags.Author = fmt.Sprintf("Artist %d", i%700)
		s.Tags.Title = fmt.Sprintf("Title %d", i)
		s.Scan.Bpm = fmt.Sprintf("%g", 60/(70+float64(i%70)))
		s.Scan.Key = []string{"Am", "C", "F#m", "Eb", "G", "Dm"}[i%6]
		songs = append(songs, s)
		if len(songs) == cap(songs) {
			if err := lib.storeVDJ(context.Background(), songs, &res); err != nil {
				b.Fatal(err)
			}
			songs = songs[:0]
		}
	}
	if err := lib.storeVDJ(context.Background(), songs, &res); err != nil {
		b.Fatal(err)
	}
	return lib
}

func BenchmarkSearch20k(b *testing.B) {
	lib := fillLibrary(b, 20_000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := lib.Search(ctx, "artist 42 title", 100); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListBPMKey20k(b *testing.B) {
	lib := fillLibrary(b, 20_000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := lib.List(ctx, Filter{MinBPM: 100, MaxBPM: 110, Key: "8A", Limit: 500}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch20k(b *testing.B) {
	lib := fillLibrary(b, 20_000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := lib.Match(ctx, `C:\elsewhere\x.mp3`, "artist 42", "TITLE 12642"); err != nil {
			b.Fatal(err)
		}
	}
}
