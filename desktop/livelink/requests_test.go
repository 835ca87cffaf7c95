package livelink

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pikadj/pika/shared/protocol"
)

// TestCatalogueChunks: every chunk fits a frame, only the first resets,
// and together they carry every track and removal once.
func TestCatalogueChunks(t *testing.T) {
	many := func(n int, title string) []protocol.CatalogueTrack {
		out := make([]protocol.CatalogueTrack, n)
		for i := range out {
			bpm := 90 + float64(i%40)
			out[i] = protocol.CatalogueTrack{ID: fmt.Sprintf("t%d", i), Artist: "Artist " + fmt.Sprint(i), Title: title, BPM: &bpm, Camelot: "8A"}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		reset  bool
		put    []protocol.CatalogueTrack
		remove []string
		chunks int // at least
	}{
		{"empty reset", true, nil, nil, 1},
		{"one", false, many(1, "Sway"), nil, 1},
		{"thousands", true, many(3000, "Feeling Good"), nil, 20},
		{"long names", true, many(200, strings.Repeat("é", protocol.MaxArtistTitleLen)), nil, 13},
		{"removals", false, nil, []string{"a", "b", "c"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunks, err := catalogueChunks(tc.reset, tc.put, tc.remove)
			if err != nil {
				t.Fatal(err)
			}
			if len(chunks) < tc.chunks {
				t.Errorf("%d chunks, want at least %d", len(chunks), tc.chunks)
			}
			tracks, removes := 0, 0
			for i, ch := range chunks {
				frame := protocol.Encode(protocol.TypeCatalogue, "ob123456789", ch)
				if len(frame) > protocol.MaxFrameBytes {
					t.Errorf("chunk %d is %d bytes", i, len(frame))
				}
				if _, _, perr := protocol.Decode(frame); perr != nil {
					t.Errorf("chunk %d refused: %v", i, perr)
				}
				if ch.Reset != (tc.reset && i == 0) {
					t.Errorf("chunk %d reset = %v", i, ch.Reset)
				}
				tracks += len(ch.Tracks)
				removes += len(ch.Remove)
			}
			if tracks != len(tc.put) || removes != len(tc.remove) {
				t.Errorf("chunks carry %d tracks and %d removals, want %d and %d", tracks, removes, len(tc.put), len(tc.remove))
			}
		})
	}
	if _, err := catalogueChunks(false, []protocol.CatalogueTrack{{ID: "a/b", Title: "x"}}, nil); err == nil {
		t.Error("a track id with a slash was accepted")
	}
}
