package gui

import (
	"fmt"
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

func TestTrackTableSortAndSelection(t *testing.T) {
	test.NewTempApp(t)
	tt := newTrackTable()
	test.NewTempWindow(t, tt.table)
	an := func(bpm float64, camelot, key string) *library.Analysis {
		return &library.Analysis{BPM: bpm, Camelot: camelot, Key: key, Energy: bpm / 2}
	}
	tracks := []library.Track{
		{ID: 1, Tags: library.Tags{Artist: "b", Title: "Two"}, Analysis: an(120, "9B", "G major"), State: library.StateAnalysed},
		{ID: 2, Tags: library.Tags{Artist: "A", Title: "One"}, Analysis: an(96, "12A", "C# minor"), State: library.StateAnalysed},
		{ID: 3, Tags: library.Tags{Artist: "c", Title: "Three"}, State: library.StatePending},
		{ID: 4, Tags: library.Tags{Artist: "d", Title: "Four"}, Analysis: an(104, "1A", "Ab minor"), State: library.StateAnalysed},
	}
	tt.SetTracks(tracks)
	ids := func() (out []int64) {
		for _, t := range tt.tracks {
			out = append(out, t.ID)
		}
		return out
	}
	tests := []struct {
		col  string
		want []int64
	}{
		{"Artist", []int64{4, 3, 1, 2}}, // Artist is the default: tapping it reverses (case-insensitive)
		{"BPM", []int64{3, 2, 4, 1}},    // not analysed (0) first, then by tempo
		{"BPM", []int64{1, 4, 2, 3}},    // again: reversed
		{"Key", []int64{4, 1, 2, 3}},    // Camelot wheel order: 1A, 9B, 12A, none
		{"Title", []int64{4, 2, 3, 1}},
	}
	for _, tc := range tests {
		tt.SortBy(colIndex(tc.col))
		if got := ids(); !slicesEqual(got, tc.want) {
			t.Fatalf("sorted by %s: %v, want %v", tc.col, got, tc.want)
		}
	}

	// The selection follows the track through a refresh and a re-sort.
	tt.table.Select(widget.TableCellID{Row: 1, Col: 0}) // ID 2
	tt.SetTracks(append(tracks, library.Track{ID: 5, Tags: library.Tags{Title: "Aaa"}}))
	if sel, ok := tt.Selected(); !ok || sel.ID != 2 {
		t.Fatalf("selection after refresh: %+v %v", sel.ID, ok)
	}
	tt.SetTracks(tracks[:1])
	if _, ok := tt.Selected(); ok {
		t.Fatal("a track that left the table stays selected")
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProblemText(t *testing.T) {
	tests := []struct {
		path, err, want string
	}{
		{"/m/bad.mp3", "analysis: audio: bad.mp3: unsupported audio format: empty file", "unsupported audio format: empty file"},
		{"/m/bad.mp3", "analysis: decode: frame 12 is damaged", "decode: frame 12 is damaged"},
		{"/m/bad.mp3", "read tags: permission denied", "read tags: permission denied"},
		{"/m/other.mp3", "audio: bad.mp3: x", "bad.mp3: x"}, // another file's name stays
		{"/m/bad.mp3", "analysis: ", "analysis: "},          // nothing left: the whole message
		{"/m/ok.mp3", "", ""},
	}
	for _, tc := range tests {
		if got := problemText(library.Track{Path: tc.path, Error: tc.err}); got != tc.want {
			t.Errorf("problemText(%q, %q) = %q, want %q", tc.path, tc.err, got, tc.want)
		}
	}
	cut := library.Track{Path: "/m/cut.mp3", State: library.StateAnalysed,
		Analysis: &library.Analysis{BPM: 120, Warning: "file ends early: 49 s of 65 s"}}
	if got, want := problemText(cut), "warning: file ends early: 49 s of 65 s"; got != want {
		t.Errorf("problemText(analysed with warning) = %q, want %q", got, want)
	}
}

func TestKeyTextMarksUncertainKey(t *testing.T) {
	tests := []struct {
		name string
		a    *library.Analysis
		tag  string
		want string
	}{
		{"certain", &library.Analysis{Key: "A minor", Camelot: "8A", KeyConfidence: 0.7}, "", "8A · A minor"},
		{"uncertain", &library.Analysis{Key: "A minor", Camelot: "8A", KeyConfidence: 0.12}, "", "8A? · A minor"},
		{"from the tag", &library.Analysis{KeyConfidence: 0.01}, "Am", "8A · A minor"},
		{"none", nil, "", ""},
	}
	for _, tc := range tests {
		tr := library.Track{Analysis: tc.a, Tags: library.Tags{Key: tc.tag}}
		if got := keyText(tr); got != tc.want {
			t.Errorf("%s: keyText = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// drawnCellTexts are the texts of the table's data cells that it draws.
// (Positions would not tell more: the test driver places cells in the
// scrolled content's coordinates.)
func drawnCellTexts(tt *trackTable) []string {
	var out []string
	for _, o := range drawnObjects(tt.table) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			out = append(out, l.Text)
		}
	}
	return out
}

// A search while scrolled down the library drew a blank table or one row
// floating in the middle: Fyne's table keeps its own copy of the scroll
// offset, which the shrinking content never corrected.
func TestTrackTableShrinksWhileScrolledDown(t *testing.T) {
	test.NewTempApp(t)
	tt := newTrackTable()
	w := test.NewTempWindow(t, tt.table)
	w.Resize(fyne.NewSize(1100, 500))
	var long []library.Track
	for i := range 300 {
		long = append(long, library.Track{ID: int64(i + 1), Tags: library.Tags{Artist: fmt.Sprintf("Artist %03d", i), Title: fmt.Sprintf("Song %03d", i)}, State: library.StatePending})
	}
	tt.SetTracks(long)
	tt.table.ScrollToBottom()
	if got := drawnCellTexts(tt); !slices.Contains(got, "Song 299") {
		t.Fatalf("scrolled to the bottom, the last row is not shown: %v", got)
	}
	tt.SetTracks(long[:3]) // the search found three
	got := drawnCellTexts(tt)
	writePNG(filepath.Join(screenshotDir(t), "library-after-search.png"), w.Canvas().Capture())
	for _, want := range []string{"Song 000", "Song 001", "Song 002"} {
		if !slices.Contains(got, want) {
			t.Errorf("after the search the table shows %v; %q is missing", got, want)
		}
	}
}

// drawnObjects are o and what it draws, through the widgets' live
// renderers (test.LaidOutObjects makes new ones, which a table does not
// survive), skipping what is hidden.
func drawnObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	if !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	case *fyne.Container:
		children = c.Objects
	}
	for _, child := range children {
		out = append(out, drawnObjects(child)...)
	}
	return out
}
