package audio

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestStreamingMemory decodes a corpus file of each format at full rate and
// checks, at intervals, that the live heap stays far below the size of the
// decoded track: decoders must stream, not accumulate.
func TestStreamingMemory(t *testing.T) {
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3"} {
		files := corpusFiles(t, ext)
		if len(files) == 0 {
			continue
		}
		t.Run(ext[1:], func(t *testing.T) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			s, err := Open(files[0], Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			buf := make([]float32, 4096)
			var total int
			var peak uint64
			for i := 0; ; i++ {
				n, err := s.Read(buf)
				total += n
				if err != nil {
					break
				}
				if i%100 == 0 {
					runtime.GC()
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
				}
			}
			track := uint64(total) * 4
			t.Logf("%s: live heap at most %d KB while decoding %d KB of samples", filepath.Base(files[0]), peak>>10, track>>10)
			if peak > 4<<20 || peak > track/2 {
				t.Errorf("live heap grew to %d KB for a %d KB track", peak>>10, track>>10)
			}
		})
	}
}
