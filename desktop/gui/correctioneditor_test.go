package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// The DJ selects a track read at double time, halves it with one click,
// types a key by name, and goes back to the analysis: each step is stored
// beside the analysis and shown in the table.
func TestCorrectionEditor(t *testing.T) {
	h := newHarness(t, pikaConfig())
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "Band - Fast.wav")
	if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib := h.core.Library()
	tr, err := lib.ImportFile(ctx, p, library.SourceFolder)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.SetAnalysis(ctx, tr.ID, library.Analysis{BPM: 196, Key: "A minor", Camelot: "8A", KeyConfidence: 0.9}); err != nil {
		t.Fatal(err)
	}
	h.show(paneLibrary)
	lp := h.g.library
	h.ui(func() { lp.refresh() })
	h.waitFor("the track in the table", time.Minute, func() bool { return len(lp.table.tracks) == 1 }, nil)
	h.ui(func() {
		if !lp.correct.save.Disabled() {
			t.Error("the editor is open with no track selected")
		}
		lp.table.table.Select(widget.TableCellID{Row: 0, Col: 0})
	})

	steps := []struct {
		name      string
		act       func(e *correctionEditor)
		bpm, cell string // stored correction, the table's BPM cell
		key       string // stored key correction
	}{
		{"÷2", func(e *correctionEditor) { test.Tap(e.fixes[1]) }, "98.0", "98.0", ""},
		{"×3⁄2 of the typed tempo", func(e *correctionEditor) { test.Tap(e.fixes[2]) }, "147.0", "147.0", ""},
		{"a typed tempo and key", func(e *correctionEditor) {
			e.bpm.SetText("")
			test.Type(e.bpm, "99,5")
			e.key.SetText("")
			test.Type(e.key, "C major")
			test.Tap(e.save)
		}, "99.5", "99.5", "8B"},
		{"back to the analysis", func(e *correctionEditor) { test.Tap(e.reset) }, "", "196.0", ""},
	}
	for _, st := range steps {
		h.ui(func() { st.act(lp.correct) })
		var got library.Track
		h.waitFor(st.name+" stored", time.Minute, func() bool {
			got, err = lib.Track(ctx, tr.ID)
			return err == nil && bpmText(got.ManualBPM) == st.bpm && got.ManualKey == st.key &&
				len(lp.table.tracks) == 1 && cellText(colIndex("BPM"), lp.table.tracks[0]) == st.cell
		}, func() string { return lp.correct.errLabel.Text + " | " + lp.correct.bpm.Text })
		if got.Analysis == nil || got.Analysis.BPM != 196 {
			t.Fatalf("%s: the analysis changed: %+v", st.name, got.Analysis)
		}
	}
	h.ui(func() {
		lp.correct.bpm.SetText("fast")
		test.Tap(lp.correct.save)
		if lp.correct.errLabel.Text == "" {
			t.Error("a tempo that is not a number is taken")
		}
	})
}

// The track detail shows what the analysis measured beside the tempo and
// key: the key's confidence (an uncertain key marked as in the table), the
// tuning off A = 440 Hz and the analysis' warning, read back from the
// library file after selecting the track in the pane.
func TestCorrectionAboutShowsAnalysis(t *testing.T) {
	tests := []struct {
		name string
		a    library.Analysis
		want string
	}{
		{"certain, in tune", library.Analysis{BPM: 120, Key: "A minor", Camelot: "8A", KeyConfidence: 0.62},
			"analysed 120.0 BPM 8A (key confidence 62 %)"},
		{"uncertain, sharp, cut short", library.Analysis{BPM: 98, Key: "F# major", Camelot: "2B", KeyConfidence: 0.18,
			TuningCents: 31.4, Warning: "file ends early: 33 s of 49 s"},
			"analysed 98.0 BPM 2B? (key confidence 18 %, uncertain, tuned +31 cents from A 440); warning: file ends early: 33 s of 49 s"},
		{"flat", library.Analysis{BPM: 100, Key: "C major", Camelot: "8B", KeyConfidence: 0.5, TuningCents: -12.6},
			"analysed 100.0 BPM 8B (key confidence 50 %, tuned -13 cents from A 440)"},
		{"no key", library.Analysis{BPM: 90}, "analysed 90.0 BPM"},
	}
	h := newHarness(t, pikaConfig())
	ctx := context.Background()
	lib := h.core.Library()
	h.show(paneLibrary)
	lp := h.g.library
	dir := t.TempDir()
	for i, tc := range tests {
		p := filepath.Join(dir, fmt.Sprintf("Band - Song %d.wav", i))
		if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
			t.Fatal(err)
		}
		tr, err := lib.ImportFile(ctx, p, library.SourceFolder)
		if err != nil {
			t.Fatal(err)
		}
		if err := lib.SetAnalysis(ctx, tr.ID, tc.a); err != nil {
			t.Fatal(err)
		}
		h.ui(func() { lp.refresh() })
		h.waitFor("the track in the table", time.Minute, func() bool { return len(lp.table.tracks) == i+1 }, nil)
		h.ui(func() {
			row := slices.IndexFunc(lp.table.tracks, func(x library.Track) bool { return x.ID == tr.ID })
			lp.table.table.Select(widget.TableCellID{Row: row, Col: 0})
			want := fmt.Sprintf("“Song %d”: %s", i, tc.want)
			if got := lp.correct.about.Text; got != want {
				t.Errorf("%s: detail %q\nwant   %q", tc.name, got, want)
			}
		})
	}
}
