package analysis

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// TestTruncatedFile: a file cut short (a partial download) is analysed as
// far as it decodes and kept, with a warning, in every format that can be
// cut: the first 70 % of each corpus file measures like the whole.
func TestTruncatedFile(t *testing.T) {
	tests := []struct {
		file     string
		wantOf   bool // the headers tell the full length
		fullSecs float64
	}{
		{"00-rnb-104-Amin.mp3", true, 52},
		{"01-blues-92-Emaj.flac", true, 49},
		{"03-8beat-120-Gmaj.ogg", false, 0},
		{"05-softrock-100-Bmin.wav", true, 51},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			src := filepath.Join(testenv.CorpusPath(), tc.file)
			b, err := os.ReadFile(src)
			if os.IsNotExist(err) {
				testenv.SkipUnlessCI(t, "corpus file missing: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			full, err := AnalyzeFile(context.Background(), src, DefaultOptions())
			if err != nil || full.Warning != "" {
				t.Fatalf("whole file: %v, warning %q", err, full.Warning)
			}
			cut := filepath.Join(dir, "cut-"+tc.file)
			if err := os.WriteFile(cut, b[:len(b)*7/10], 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := AnalyzeFile(context.Background(), cut, DefaultOptions())
			if err != nil {
				t.Fatalf("truncated file refused: %v", err)
			}
			t.Logf("%.1f s of %.1f s: warning %q, BPM %.1f (whole %.1f), key %s (whole %s)",
				r.DurationS, full.DurationS, r.Warning, r.BPM, full.BPM, r.Key, full.Key)
			if !strings.HasPrefix(r.Warning, "file ends early") {
				t.Errorf("warning %q, want \"file ends early…\"", r.Warning)
			}
			if tc.wantOf && !strings.Contains(r.Warning, " of ") {
				t.Errorf("warning %q lacks the full length the headers give", r.Warning)
			}
			if tc.wantOf && math.Abs(full.DurationS-tc.fullSecs) > 1 {
				t.Errorf("whole file %.1f s, want %.0f", full.DurationS, tc.fullSecs)
			}
			if r.DurationS < 0.6*full.DurationS || r.DurationS > 0.8*full.DurationS {
				t.Errorf("decoded %.1f s of %.1f s, want about 70 %%", r.DurationS, full.DurationS)
			}
			if math.Abs(r.BPM-full.BPM) > 0.02*full.BPM || r.Key == "" {
				t.Errorf("BPM %.1f key %q, whole file BPM %.1f", r.BPM, r.Key, full.BPM)
			}
		})
	}
}
