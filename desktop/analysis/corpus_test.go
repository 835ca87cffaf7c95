package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

type truthEntry struct {
	File string  `json:"file"`
	BPM  float64 `json:"bpm"`
	Key  string  `json:"key"`
}

// corpusScores analyses every file listed in dir/truth.json and returns the
// MIREX tempo accuracies and mean weighted key score.
func corpusScores(t *testing.T, dir string) (acc1, acc2, key float64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if errors.Is(err, fs.ErrNotExist) {
		testenv.SkipUnlessCI(t, "corpus %s not present (set PIKA_CORPUS or render it with make_corpus.py): %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var truth []truthEntry
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	if len(truth) == 0 {
		t.Fatal("truth.json lists no files")
	}
	results := make([]Result, len(truth))
	errs := make([]error, len(truth))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, tr := range truth {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = AnalyzeFile(context.Background(), filepath.Join(dir, tr.File), DefaultOptions())
		}()
	}
	wg.Wait()
	var n1, n2 int
	var ks float64
	minBPMConf, minKeyConf := 1.0, 1.0
	for i, tr := range truth {
		r := results[i]
		if errs[i] != nil {
			t.Errorf("%s: %v", tr.File, errs[i])
			continue
		}
		// Every corpus track has a beat and a key: the no-pulse and
		// no-key thresholds must leave them alone.
		if r.BPM == 0 || r.Key == "" || r.Camelot == "" {
			t.Errorf("%s: BPM %.1f, key %q %q: the thresholds dropped a real track", tr.File, r.BPM, r.Key, r.Camelot)
		}
		minBPMConf, minKeyConf = math.Min(minBPMConf, r.BPMConfidence), math.Min(minKeyConf, r.KeyConfidence)
		ok1 := within(r.BPM, tr.BPM)
		ok2 := ok1 || within(r.BPM, 2*tr.BPM) || within(r.BPM, tr.BPM/2)
		if ok1 {
			n1++
		}
		if ok2 {
			n2++
		}
		s := mirexKey(r.Key, tr.Key)
		ks += s
		t.Logf("%-34s bpm %6.1f (truth %3.0f) conf %.2f | key %-9s %-3s (truth %-9s) score %.1f conf %.2f | E %5.1f D %5.1f B %5.1f | %6.1f LUFS %5.1f s",
			tr.File, r.BPM, tr.BPM, r.BPMConfidence, r.Key, r.Camelot, tr.Key, s, r.KeyConfidence,
			r.Energy, r.Danceability, r.Brightness, r.LoudnessLUFS, r.DurationS)
	}
	t.Logf("corpus: min BPM confidence %.2f (no-pulse threshold %.2f), min key confidence %.2f",
		minBPMConf, minBPMConfidence, minKeyConf)
	n := float64(len(truth))
	return float64(n1) / n, float64(n2) / n, ks / n
}

// within is the MIREX 4 % tempo tolerance.
func within(est, ref float64) bool { return math.Abs(est-ref) <= 0.04*ref }

func TestCorpusAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus analysis skipped in -short mode")
	}
	acc1, acc2, key := corpusScores(t, testenv.CorpusPath())
	t.Logf("Accuracy1 %.3f, Accuracy2 %.3f, key score %.3f", acc1, acc2, key)
	if acc1 < 0.95 {
		t.Errorf("tempo Accuracy1 = %.3f, want >= 0.95", acc1)
	}
	if acc2 < 1 {
		t.Errorf("tempo Accuracy2 = %.3f, want 1", acc2)
	}
	if key < 0.85 {
		t.Errorf("key MIREX score = %.3f, want >= 0.85", key)
	}
}
