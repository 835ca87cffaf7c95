package library

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A correction wins over the analysis, is what the relay gets, is found by
// the BPM and key filters, survives a re-analysis and can be removed.
func TestManualCorrections(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t, Options{})
	p := filepath.Join(t.TempDir(), "Band - Song.wav")
	if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := lib.ImportFile(ctx, p, SourceFolder)
	if err != nil {
		t.Fatal(err)
	}
	measured := Analysis{BPM: 196, Key: "A minor", Camelot: "8A", KeyConfidence: 0.2}
	if err := lib.SetAnalysis(ctx, tr.ID, measured); err != nil {
		t.Fatal(err)
	}
	half := BPMFixes[1]
	if half.Label != "÷2" || half.Fixed(196) != 98 || BPMFixes[3].Fixed(147) != 98 {
		t.Fatalf("fixes %+v", BPMFixes)
	}

	steps := []struct {
		name    string
		do      func() error
		bpm     float64
		camelot string
		conf    bool // the relay gets the analysis's key confidence
		errText string
	}{
		{"as analysed", func() error { return nil }, 196, "8A", true, ""},
		{"halved", func() error { return lib.SetManualBPM(ctx, tr.ID, half.Fixed(196)) }, 98, "8A", true, ""},
		{"key by name", func() error { return lib.SetManualKey(ctx, tr.ID, "C major") }, 98, "8B", false, ""},
		{"re-analysed", func() error { return lib.SetAnalysis(ctx, tr.ID, measured) }, 98, "8B", false, ""},
		{"a tempo out of range", func() error { return lib.SetManualBPM(ctx, tr.ID, 900) }, 98, "8B", false, "outside 20–300"},
		{"not a key", func() error { return lib.SetManualKey(ctx, tr.ID, "H dorian") }, 98, "8B", false, "is not a key"},
		{"key removed", func() error { return lib.SetManualKey(ctx, tr.ID, "") }, 98, "8A", true, ""},
		{"tempo removed", func() error { return lib.SetManualBPM(ctx, tr.ID, 0) }, 196, "8A", true, ""},
		{"no such track", func() error { return lib.SetManualBPM(ctx, tr.ID+100, 100) }, 196, "8A", true, "not found"},
	}
	for _, st := range steps {
		err := st.do()
		if st.errText == "" && err != nil || st.errText != "" && (err == nil || !strings.Contains(err.Error(), st.errText)) {
			t.Fatalf("%s: error %v, want %q", st.name, err, st.errText)
		}
		got, err := lib.Track(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		pt := got.Protocol()
		if got.BPM() != st.bpm || pt.BPM == nil || *pt.BPM != st.bpm || pt.Camelot != st.camelot || (pt.KeyConfidence != nil) != st.conf {
			t.Errorf("%s: BPM %g, relay gets %v %s (confidence %v); want %g %s", st.name, got.BPM(), pt.BPM, pt.Camelot, pt.KeyConfidence, st.bpm, st.camelot)
		}
		if got.Analysis == nil || got.Analysis.BPM != 196 {
			t.Errorf("%s: the analysis was overwritten: %+v", st.name, got.Analysis)
		}
		list, err := lib.List(ctx, Filter{MinBPM: st.bpm - 1, MaxBPM: st.bpm + 1, Key: st.camelot})
		if err != nil || len(list) != 1 {
			t.Errorf("%s: the filter on %g BPM %s finds %d tracks (%v)", st.name, st.bpm, st.camelot, len(list), err)
		}
	}
}
