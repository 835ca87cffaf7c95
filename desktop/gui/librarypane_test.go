package gui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/library"
)

// analysisLimit bounds waiting for real analysis of a few short tracks on
// a busy two-core machine; it is a hang guard, not a speed assertion.
const analysisLimit = 4 * time.Minute

func TestLibraryAddFolderShowsAnalysedTracks(t *testing.T) {
	files := []string{"00-rnb-104-Amin.mp3", "03-8beat-120-Gmaj.ogg", "05-softrock-100-Bmin.wav"}
	dir := copyCorpus(t, files...)
	// A file that is not audio at all must fail alone, in words.
	if err := os.WriteFile(filepath.Join(dir, "broken.mp3"), []byte("this is not an mp3 file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, pikaConfig())
	h.show(paneLibrary)
	lp := h.g.library

	h.typeIn(lp.path, dir)
	h.tap(lp.addBtn)

	analysed := func() int {
		n := 0
		for _, tr := range lp.table.tracks {
			if tr.State == library.StateAnalysed {
				n++
			}
		}
		return n
	}
	h.waitFor("3 analysed tracks in the table", analysisLimit, func() bool {
		return len(lp.table.tracks) == 4 && analysed() == 3
	}, func() string { return lp.summary.Text + " | " + lp.errLabel.Text + " | " + lp.message.Text })

	h.ui(func() {
		if lp.errLabel.Text != "" {
			t.Errorf("error shown: %q", lp.errLabel.Text)
		}
		if !strings.Contains(lp.message.Text, "4 new") {
			t.Errorf("import message %q does not count 4 new files", lp.message.Text)
		}
		for _, tr := range lp.table.tracks {
			bpm := cellText(colIndex("BPM"), tr)
			key := cellText(colIndex("Key"), tr)
			t.Logf("row: %s | BPM %s | key %s | %s %s", filepath.Base(tr.Path), bpm, key, tr.State, tr.Error)
			if filepath.Base(tr.Path) == "broken.mp3" {
				if tr.State != library.StateFailed || cellText(colIndex("Problem"), tr) == "" {
					t.Errorf("broken file: state %s, problem %q; want failed with a reason", tr.State, tr.Error)
				}
				continue
			}
			v, err := strconv.ParseFloat(bpm, 64)
			if err != nil || v < 70 || v > 140 {
				t.Errorf("%s: BPM cell %q is not a tempo in the default 70–140 range", filepath.Base(tr.Path), bpm)
			}
			if !strings.Contains(key, " · ") {
				t.Errorf("%s: key cell %q lacks Camelot and key name", filepath.Base(tr.Path), key)
			}
		}
	})

	// Sorting by BPM orders the analysed tracks by tempo; again reverses.
	h.ui(func() { lp.table.SortBy(colIndex("BPM")) })
	h.ui(func() { assertSorted(t, lp.table.tracks, false) })
	h.ui(func() { lp.table.SortBy(colIndex("BPM")) })
	h.ui(func() { assertSorted(t, lp.table.tracks, true) })

	// The BPM filter narrows the table to the tracks in range.
	var lo float64
	h.ui(func() { lo = lp.table.tracks[0].BPM() }) // the fastest, sorted descending
	h.typeIn(lp.minBPM, strconv.FormatFloat(lo-0.05, 'f', 1, 64))
	h.waitFor("only the fastest track", time.Minute, func() bool {
		return len(lp.table.tracks) == 1 && lp.table.tracks[0].BPM() == lo
	}, func() string { return lp.summary.Text + " " + lp.filterErr.Text })

	// The key filter keeps the tracks in that Camelot key.
	h.ui(func() { lp.minBPM.SetText("") })
	var camelot string
	h.ui(func() { _, camelot = lp.table.tracks[0].Key() })
	h.ui(func() { lp.key.SetSelected(camelot) })
	h.waitFor("only tracks in "+camelot, time.Minute, func() bool {
		if len(lp.table.tracks) == 0 {
			return false
		}
		for _, tr := range lp.table.tracks {
			if _, c := tr.Key(); c != camelot {
				return false
			}
		}
		return true
	}, func() string { return lp.summary.Text })
	h.ui(func() { lp.key.SetSelectedIndex(0) })

	// A filter that is not a number says so.
	h.ui(func() { lp.minBPM.SetText("fast") })
	h.ui(func() {
		if !strings.Contains(lp.filterErr.Text, "not a tempo") {
			t.Errorf("filter error %q", lp.filterErr.Text)
		}
	})
	h.ui(func() { lp.minBPM.SetText("") })

	// Search by title words.
	h.typeIn(lp.search, "no-such-words-anywhere")
	h.waitFor("an empty search result", time.Minute, func() bool { return len(lp.table.tracks) == 0 }, nil)

	// The Analysis pane lists the broken file with its reason.
	h.show(paneAnalysis)
	ap := h.g.analysis
	h.waitFor("the failure in the Analysis pane", time.Minute, func() bool {
		return len(ap.failures) == 1 && filepath.Base(ap.failures[0].Path) == "broken.mp3" && ap.failures[0].Error != ""
	}, func() string { return ap.failCount.Text })
	h.ui(func() {
		if ap.retryBtn.Disabled() {
			t.Error("Retry failed is disabled with a failure listed")
		}
	})
}

func TestLibraryAddRejectsWhatIsNotAFolder(t *testing.T) {
	h := newHarness(t, pikaConfig())
	lp := h.g.library
	tests := []struct{ path, want string }{
		{"", "Type or pick"},
		{filepath.Join(t.TempDir(), "nowhere"), "is not a folder"},
		{filepath.Join(t.TempDir(), "database.xml"), "Could not import the VirtualDJ database"},
	}
	for _, tc := range tests {
		h.ui(func() { lp.path.SetText(tc.path); lp.errLabel.SetText("") })
		h.tap(lp.addBtn)
		h.waitFor("the error for "+tc.path, time.Minute, func() bool {
			return strings.Contains(lp.errLabel.Text, tc.want)
		}, func() string { return lp.errLabel.Text })
	}
}

func colIndex(title string) int {
	for i, c := range trackColumns {
		if c.title == title {
			return i
		}
	}
	panic("no column " + title)
}

func cellText(col int, t library.Track) string { return trackColumns[col].text(t) }

func assertSorted(t *testing.T, ts []library.Track, desc bool) {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		a, b := ts[i-1].BPM(), ts[i].BPM()
		if (!desc && a > b) || (desc && a < b) {
			t.Fatalf("rows %d,%d not sorted (desc=%v): %v then %v", i-1, i, desc, a, b)
		}
	}
}

func TestAnalysisPauseResume(t *testing.T) {
	files := []string{"00-rnb-104-Amin.mp3", "02-bvfunk-112-Dmin.mp3", "04-popballad-78-Ebmaj.mp3", "06-dsoul-96-Fmaj.mp3",
		"09-rnb-ballad-72-Fsmin.mp3", "12-countryblues-108-Amaj.mp3", "14-bubblerock-128-Dmaj.mp3", "16-rnb-98-Cmaj.mp3"}
	dir := copyCorpus(t, files...)
	cfg := pikaConfig()
	cfg.Workers = 1
	h := newHarness(t, cfg)
	h.show(paneLibrary)
	h.typeIn(h.g.library.path, dir)
	h.tap(h.g.library.addBtn)
	h.show(paneAnalysis)
	ap := h.g.analysis
	h.waitFor("the analysis running", analysisLimit, func() bool {
		return ap.progress.Running && !ap.pauseBtn.Disabled() && ap.progress.Done < len(files)-2
	}, func() string { return ap.state.Text })
	h.tap(ap.pauseBtn)
	h.waitFor("the paused state", analysisLimit, func() bool {
		return ap.progress.Paused && ap.pauseBtn.Text == "Resume" && strings.HasPrefix(ap.state.Text, "Paused")
	}, func() string { return ap.state.Text })
	var doneAtPause int
	h.ui(func() { doneAtPause = ap.progress.Done })
	h.tap(ap.pauseBtn)
	h.waitFor("the end of the run", analysisLimit, func() bool {
		return !ap.progress.Running && ap.progress.Done == len(files) && ap.bar.Value == float64(len(files))
	}, func() string { return ap.state.Text })
	h.ui(func() {
		if doneAtPause >= len(files) {
			t.Errorf("all %d files were done at pause", doneAtPause)
		}
		if !strings.HasPrefix(ap.state.Text, "Finished: 8 analysed") {
			t.Errorf("state %q", ap.state.Text)
		}
	})
}

func TestLibraryImportsVirtualDJDatabase(t *testing.T) {
	dir := copyCorpus(t, "08-strut-88-Cmin.ogg")
	song := filepath.Join(dir, "08-strut-88-Cmin.ogg")
	db := filepath.Join(t.TempDir(), "database.xml")
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<VirtualDJ_Database Version="2024">
 <Song FilePath="` + song + `">
  <Tags Author="The Strutters &amp; Co" Title="Strut in C" />
  <Scan Version="801" Bpm="0.681818" Key="Cm" />
 </Song>
 <Song FilePath="C:\Users\Dj\Music\Elsewhere - Not Here.mp3">
  <Tags Author="Elsewhere" Title="Not Here" />
  <Scan Version="801" Bpm="0.5" Key="Am" />
 </Song>
</VirtualDJ_Database>`
	if err := os.WriteFile(db, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, pikaConfig())
	h.show(paneLibrary)
	lp := h.g.library
	h.typeIn(lp.path, db)
	h.tap(lp.addBtn)
	h.waitFor("the VirtualDJ summary", time.Minute, func() bool {
		return strings.Contains(lp.message.Text, "VirtualDJ: 2 songs read") && strings.Contains(lp.message.Text, "1 not on this computer")
	}, func() string { return lp.message.Text + " | " + lp.errLabel.Text })
	h.waitFor("the song with VirtualDJ's tags, analysed", analysisLimit, func() bool {
		for _, tr := range lp.table.tracks {
			if tr.Path == song && tr.Tags.Artist == "The Strutters & Co" && tr.State == library.StateAnalysed && bpmText(tr.BPM()) != "" {
				return true
			}
		}
		return false
	}, func() string { return lp.summary.Text })
}
