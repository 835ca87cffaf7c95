package gui

import (
	"context"
	"os"
	"path/filepath"
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
