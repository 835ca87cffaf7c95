package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusPath is the rendered test corpus, $PIKA_CORPUS or
// ../shared/corpus/dev beside the checkout (found from the go.work file
// above the working directory). It does not check that the folder exists.
func CorpusPath() string {
	if d := os.Getenv("PIKA_CORPUS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("..", "shared", "corpus", "dev")
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "corpus", "dev")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Join("..", "shared", "corpus", "dev")
		}
		dir = parent
	}
}

// CorpusDir is CorpusPath after checking that it holds truth.json; a
// missing corpus skips the test (fails under CI).
func CorpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(CorpusPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "truth.json")); err != nil {
		SkipUnlessCI(t, "corpus not found at %s: %v", dir, err)
	}
	return dir
}

// CorpusFile is the named file of the corpus.
func CorpusFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(CorpusDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpus file: %v", err)
	}
	return p
}
