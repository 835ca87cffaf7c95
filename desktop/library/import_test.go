package library

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pikadj/pika/desktop/analysis"
	"github.com/pikadj/pika/desktop/internal/testenv"
)

type truth struct {
	File    string  `json:"file"`
	BPM     float64 `json:"bpm"`
	Camelot string  `json:"camelot"`
}

func readTruth(t *testing.T, dir string) map[string]truth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []truth
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	m := map[string]truth{}
	for _, e := range list {
		m[e.File] = e
	}
	return m
}

// realAnalyzer wraps the real analysis and counts the files it analyses.
type realAnalyzer struct {
	mu    sync.Mutex
	calls map[string]int
}

func (r *realAnalyzer) analyze(ctx context.Context, p string) (Analysis, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[filepath.Base(p)]++
	r.mu.Unlock()
	res, err := analysis.AnalyzeFile(ctx, p, analysis.DefaultOptions())
	if err != nil {
		return Analysis{}, err
	}
	return Analysis{BPM: res.BPM, BPMConfidence: res.BPMConfidence, Key: res.Key, Camelot: res.Camelot,
		KeyConfidence: res.KeyConfidence, Energy: res.Energy, Danceability: res.Danceability,
		Brightness: res.Brightness, LoudnessLUFS: res.LoudnessLUFS, DurationS: res.DurationS}, nil
}

func (r *realAnalyzer) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		n += c
	}
	return n
}

func readTagsForTest(p string) (Tags, error) {
	t, err := analysis.ReadTags(p)
	return Tags(t), err
}

// tempoOK accepts the truth within 4%, or its double or half.
func tempoOK(got, want float64) bool {
	for _, f := range []float64{1, 2, 0.5} {
		if math.Abs(got-want*f) <= 0.04*want*f {
			return true
		}
	}
	return false
}

func TestImportCorpusRescanMoveAndAdd(t *testing.T) {
	ctx := testCtx(t)
	corpus := testenv.CorpusDir(t)
	tr := readTruth(t, corpus)
	lib := openTest(t, Options{ReadTags: readTagsForTest})
	music := t.TempDir()
	first := []string{"00-rnb-104-Amin.mp3", "01-blues-92-Emaj.flac", "03-8beat-120-Gmaj.ogg", "05-softrock-100-Bmin.wav", "14-bubblerock-128-Dmaj.mp3"}
	for _, f := range first {
		testenv.CopyFile(t, filepath.Join(corpus, f), filepath.Join(music, f))
	}
	// A corrupt file and an unsupported one must not stop the import.
	if err := os.WriteFile(filepath.Join(music, "broken.mp3"), []byte("ID3\x04\x00garbage garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(music, "notes.txt"), []byte("not music"), 0o644); err != nil {
		t.Fatal(err)
	}

	res, err := lib.ImportFolder(ctx, music)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 6 || len(res.Errors) != 0 {
		t.Fatalf("import: %+v; want 6 added, no errors", res)
	}
	an := &realAnalyzer{}
	q := NewQueue(lib, an.analyze, 2)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ := lib.Counts(ctx)
	if c.Analysed != 5 || c.Failed != 1 {
		t.Fatalf("after analysis: %+v; want 5 analysed, 1 failed", c)
	}
	before := map[string]Track{}
	for _, f := range first {
		tk, err := lib.ByPath(ctx, filepath.Join(music, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if tk.Analysis == nil {
			t.Fatalf("%s: not analysed (state %s, %s)", f, tk.State, tk.Error)
		}
		if !tempoOK(tk.Analysis.BPM, tr[f].BPM) {
			t.Errorf("%s: BPM %.1f, truth %g", f, tk.Analysis.BPM, tr[f].BPM)
		}
		if c, _, ok := NormalizeKey(tk.Analysis.Camelot); !ok || c != tk.Analysis.Camelot {
			t.Errorf("%s: stored Camelot %q is not a Camelot code", f, tk.Analysis.Camelot)
		}
		if pt := tk.Protocol(); pt.Validate() != nil || pt.BPM == nil || pt.Key == "" {
			t.Errorf("%s: protocol track %+v not sendable", f, pt)
		}
		before[f] = tk
	}
	if n := an.total(); n != 6 {
		t.Errorf("analysed %d files, want 6", n)
	}

	// Move one file into a subfolder, rename another, add a new one.
	if err := os.MkdirAll(filepath.Join(music, "Blues"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(music, first[1]), filepath.Join(music, "Blues", first[1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(music, first[0]), filepath.Join(music, "renamed.mp3")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(music, first[3])); err != nil {
		t.Fatal(err)
	}
	added := "12-countryblues-108-Amaj.mp3"
	testenv.CopyFile(t, filepath.Join(corpus, added), filepath.Join(music, "New", added))

	res, err = lib.ImportFolder(ctx, music)
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != 2 || res.Added != 1 || res.Missing != 1 || res.Unchanged != 3 {
		t.Errorf("rescan: %+v; want 2 moved, 1 added, 1 missing, 3 unchanged", res)
	}
	an2 := &realAnalyzer{}
	q2 := NewQueue(lib, an2.analyze, 2)
	q2.Start(ctx)
	q2.Wait(ctx)
	if an2.total() != 1 || an2.calls[added] != 1 {
		t.Errorf("rescan analysed %v; want only %s", an2.calls, added)
	}
	for f, newPath := range map[string]string{
		first[1]: filepath.Join(music, "Blues", first[1]),
		first[0]: filepath.Join(music, "renamed.mp3"),
	} {
		tk, err := lib.ByPath(ctx, newPath)
		if err != nil {
			t.Fatalf("moved %s: %v", f, err)
		}
		if tk.ID != before[f].ID || tk.Analysis == nil || *tk.Analysis != *before[f].Analysis {
			t.Errorf("moved %s lost its analysis: %+v, was %+v", f, tk.Analysis, before[f].Analysis)
		}
	}
	gone, err := lib.ByPath(ctx, filepath.Join(music, first[3]))
	if err != nil || gone.State != StateMissing {
		t.Errorf("deleted file: state %s, %v; want missing", gone.State, err)
	}
	newTrack, err := lib.ByPath(ctx, filepath.Join(music, "New", added))
	if err != nil || newTrack.Analysis == nil || !tempoOK(newTrack.Analysis.BPM, tr[added].BPM) {
		t.Errorf("added file: %+v, %v", newTrack.Analysis, err)
	}

	// Searching and listing see the library.
	found, err := lib.Search(ctx, "countryblues", 0)
	if err != nil || len(found) != 1 {
		t.Errorf("search: %d tracks, %v", len(found), err)
	}
	inRange, err := lib.List(ctx, Filter{MinBPM: 100, MaxBPM: 112})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range inRange {
		if b := tk.BPM(); b < 100 || b > 112 {
			t.Errorf("List 100–112 returned %s at %.1f", tk.Path, b)
		}
	}
}

func TestWatcherPicksUpNewFiles(t *testing.T) {
	ctx := testCtx(t)
	corpus := testenv.CorpusDir(t)
	lib := openTest(t, Options{ReadTags: readTagsForTest})
	music := t.TempDir()
	if _, err := lib.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	got := make(chan Track, 10)
	w, err := lib.Watch(ctx, func(tk Track) { got <- tk })
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	testenv.CopyFile(t, filepath.Join(corpus, "06-dsoul-96-Fmaj.mp3"), filepath.Join(music, "06-dsoul-96-Fmaj.mp3"))
	// A new subfolder with a file already inside when it appears.
	sub := filepath.Join(t.TempDir(), "Funk")
	testenv.CopyFile(t, filepath.Join(corpus, "02-bvfunk-112-Dmin.mp3"), filepath.Join(sub, "02.mp3"))
	if err := os.Rename(sub, filepath.Join(music, "Funk")); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for len(seen) < 2 {
		select {
		case tk := <-got:
			seen[filepath.Base(tk.Path)] = true
			if tk.State != StatePending {
				t.Errorf("%s: state %s, want pending", tk.Path, tk.State)
			}
		case <-ctx.Done():
			t.Fatalf("watcher saw only %v", seen)
		}
	}
	if !seen["06-dsoul-96-Fmaj.mp3"] || !seen["02.mp3"] {
		t.Errorf("watcher saw %v", seen)
	}
}
