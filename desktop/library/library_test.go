package library

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/shared/protocol"

	"github.com/pikadj/pika/desktop/internal/librarydb"
)

type protocolTrack = protocol.Track

func openTest(t *testing.T, opts Options) *Library {
	t.Helper()
	lib, err := Open(context.Background(), filepath.Join(t.TempDir(), "library.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestNormalizeKey(t *testing.T) {
	tests := []struct {
		in, camelot, name string
		ok                bool
	}{
		{"8A", "8A", "A minor", true},
		{"08a", "8A", "A minor", true},
		{"12B", "12B", "E major", true},
		{"Am", "8A", "A minor", true},
		{"A minor", "8A", "A minor", true},
		{"A", "11B", "A major", true},
		{"F#m", "11A", "F# minor", true},
		{"Gbm", "11A", "F# minor", true},
		{"Dbm", "12A", "C# minor", true},
		{"Eb major", "5B", "Eb major", true},
		{"D#", "5B", "Eb major", true},
		{"C#min", "12A", "C# minor", true},
		{"Cb", "1B", "B major", true},
		{"B#m", "5A", "C minor", true},
		{"Ab minor", "1A", "G# minor", true},
		{"", "", "", false},
		{"H", "", "", false},
		{"13A", "", "", false},
		{"A dorian", "", "", false},
	}
	for _, tt := range tests {
		c, n, ok := NormalizeKey(tt.in)
		if c != tt.camelot || n != tt.name || ok != tt.ok {
			t.Errorf("NormalizeKey(%q) = %q, %q, %v; want %q, %q, %v", tt.in, c, n, ok, tt.camelot, tt.name, tt.ok)
		}
	}
}

func TestPathKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{`C:\Users\DJ\Music\Song.MP3`, "c:/users/dj/music/song.mp3"},
		{`c:/users/dj/music/song.mp3`, "c:/users/dj/music/song.mp3"},
		{`\\NAS\Music\A.mp3`, "//nas/music/a.mp3"},
		{"/Users/DJ/Music/Song.mp3", "/Users/DJ/Music/Song.mp3"},
		{"/music/./a/../b.mp3", "/music/b.mp3"},
		{"  ", ""},
		{"/Music/Beyonce\u0301.mp3", "/Music/Beyoncé.mp3"}, // macOS NFD → NFC
	}
	for _, tt := range tests {
		if got := PathKey(tt.in); got != tt.want {
			t.Errorf("PathKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVDJBPM(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"0.5", 120}, {"0.468750", 128}, {"0.6", 100}, {"124.0", 124},
		{"", 0}, {"x", 0}, {"-0.5", 0}, {"NaN", 0}, {"0.0001", 0}, {"Inf", 0},
	}
	for _, tt := range tests {
		if got := vdjBPM(tt.in); got != tt.want {
			t.Errorf("vdjBPM(%q) = %g, want %g", tt.in, got, tt.want)
		}
	}
}

func TestOpenMigratesAndReopens(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nested", "library.db")
	lib, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := lib.DB().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	lib.Close()
	lib, err = Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	var v int
	lib.DB().QueryRow("PRAGMA user_version").Scan(&v)
	if v != librarydb.Version() {
		t.Errorf("user_version = %d, want %d", v, librarydb.Version())
	}
	if _, err := lib.DB().Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	if _, err := Open(context.Background(), p, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opening a newer schema: err = %v, want a 'newer' error", err)
	}
}

func TestVirtualDJImport(t *testing.T) {
	ctx := testCtx(t)
	lib := openTest(t, Options{})
	dir := t.TempDir()
	local := filepath.Join(dir, "Local - Real File.mp3")
	if err := os.WriteFile(local, []byte("ID3 not really audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/database.xml")
	if err != nil {
		t.Fatal(err)
	}
	xmlPath := filepath.Join(dir, "database.xml")
	if err := os.WriteFile(xmlPath, []byte(strings.Replace(string(fixture), "LOCALFILE", local, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := lib.ImportVirtualDJ(ctx, xmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if res.Songs != 5 || res.Added != 4 || res.Skipped != 1 || res.Missing != 3 {
		t.Errorf("result = %+v; want 5 songs, 4 added, 1 skipped, 3 missing", res)
	}
	tests := []struct {
		path, artist, title, camelot string
		bpm                          float64
		state                        State
	}{
		{`c:\users\dj\music\SADE - smooth operator.mp3`, "Sade", "Smooth Operator", "7A", 117.75, StateMissing},
		{"/Users/dj/Music/Earth, Wind & Fire - September.flac", "Earth, Wind & Fire", "September", "11B", 125.4, StateMissing},
		{"/Users/dj/Music/Beyoncé - Déjà Vu.m4a", "Beyoncé", "Déjà Vu", "", 0, StateMissing},
		{local, "Local", "Real File", "11A", 120, StatePending},
	}
	for _, tt := range tests {
		tr, err := lib.ByPath(ctx, tt.path)
		if err != nil {
			t.Errorf("ByPath(%q): %v", tt.path, err)
			continue
		}
		_, camelot := tr.Key()
		if tr.Tags.Artist != tt.artist || tr.Tags.Title != tt.title || tr.VDJBPM != tt.bpm || camelot != tt.camelot || tr.State != tt.state {
			t.Errorf("%s: got %q/%q bpm %g camelot %q state %s; want %q/%q %g %q %s", tt.path, tr.Tags.Artist,
				tr.Tags.Title, tr.VDJBPM, camelot, tr.State, tt.artist, tt.title, tt.bpm, tt.camelot, tt.state)
		}
	}
	// VirtualDJ's numbers reach the relay when ours are missing.
	if tr, err := lib.ByIdentity(ctx, "Beyonce\u0301", "De\u0301ja\u0300 vu"); err != nil || tr.Tags.Artist != "Beyoncé" {
		t.Errorf("decomposed accents do not match: %+v, %v", tr.Tags, err)
	}
	if found, err := lib.Search(ctx, "beyonce\u0301 DÉJÀ", 0); err != nil || len(found) != 1 {
		t.Errorf("search with accents: %d, %v", len(found), err)
	}
	tr, _ := lib.ByIdentity(ctx, "  SADE ", "smooth   operator")
	pt := tr.Protocol()
	if pt.BPM == nil || *pt.BPM != 117.8 || pt.Key != "D minor" || pt.Camelot != "7A" {
		t.Errorf("Protocol() = %+v; want 117.8 BPM, D minor, 7A", pt)
	}
	// A re-import updates, never duplicates.
	res, err = lib.ImportVirtualDJ(ctx, xmlPath)
	if err != nil || res.Added != 0 || res.Updated != 4 {
		t.Errorf("re-import: %+v, %v; want 4 updated, 0 added", res, err)
	}
	c, _ := lib.Counts(ctx)
	if c.Total != 4 {
		t.Errorf("total tracks = %d, want 4", c.Total)
	}
}

func TestVirtualDJImportHostile(t *testing.T) {
	good := `<Song FilePath="/m/a.mp3"><Tags Author="A" Title="One"/></Song>`
	tests := []struct {
		name, xml, wantErr string
		keep               int // tracks stored despite the error
	}{
		{"entity declaration", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><VirtualDJ_Database>` + good + `</VirtualDJ_Database>`, "DOCTYPE", 0},
		{"undeclared entity", `<VirtualDJ_Database><Song FilePath="/m/&lol;.mp3"/></VirtualDJ_Database>`, "not a valid", 0},
		{"wrong root", `<rss><Song FilePath="/m/a.mp3"/></rss>`, "root element", 0},
		{"truncated", `<VirtualDJ_Database>` + good + `<Song FilePath="/m/b.mp3"><Tags Auth`, "not a valid", 1},
		{"deep nesting", `<VirtualDJ_Database>` + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + `</VirtualDJ_Database>`, "too deep", 0},
		{"empty", ``, "empty", 0},
		{"binary", "\x00\x01\x02garbage", "not a valid", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx(t)
			lib := openTest(t, Options{})
			p := filepath.Join(t.TempDir(), "database.xml")
			if err := os.WriteFile(p, []byte(tt.xml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := lib.ImportVirtualDJ(ctx, p)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			c, err := lib.Counts(ctx)
			if err != nil || c.Total != tt.keep {
				t.Errorf("tracks stored = %d (%v), want %d", c.Total, err, tt.keep)
			}
		})
	}
}

func TestProtocolLeavesOutOfRangeNumbersOut(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		a    Analysis
		ok   func(p protocolTrack) bool
	}{
		{"good", Analysis{BPM: 104, Key: "A minor", Camelot: "8A", Energy: 50, LoudnessLUFS: -9, DurationS: 200},
			func(p protocolTrack) bool {
				return p.BPM != nil && p.Key == "A minor" && p.Energy != nil && p.LoudnessLUFS != nil
			}},
		{"NaN energy", Analysis{BPM: 104, Energy: nan, Danceability: 120, Brightness: -1},
			func(p protocolTrack) bool {
				return p.BPM != nil && p.Energy == nil && p.Danceability == nil && p.Brightness == nil
			}},
		{"silly BPM", Analysis{BPM: 900}, func(p protocolTrack) bool { return p.BPM == nil }},
		{"bad key", Analysis{BPM: 100, Key: "H dorian", Camelot: "99Z", KeyConfidence: 0.5}, func(p protocolTrack) bool {
			return p.Key == "" && p.Camelot == "" && p.KeyConfidence == nil
		}},
		{"key confidence", Analysis{BPM: 100, Key: "A minor", Camelot: "8A", KeyConfidence: 0.234}, func(p protocolTrack) bool {
			return p.KeyConfidence != nil && *p.KeyConfidence == 0.23
		}},
		{"no key, no confidence", Analysis{BPM: 100, KeyConfidence: 0.5}, func(p protocolTrack) bool { return p.KeyConfidence == nil }},
		{"bad camelot", Analysis{BPM: 100, Key: "A minor", Camelot: "8"}, func(p protocolTrack) bool { return p.Key == "A minor" && p.Camelot == "" }},
	}
	for _, tt := range tests {
		a := tt.a
		p := Track{Path: "/m/x.mp3", Tags: Tags{Title: "X\x07"}, Analysis: &a}.Protocol()
		if !tt.ok(p) || p.Title != "X" {
			t.Errorf("%s: %+v", tt.name, p)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: relay would refuse %+v: %v", tt.name, p, err)
		}
	}
}

// TestAnalysisReportStored: key confidence, tuning and the analysis warning
// survive the library file, and KeyUncertain follows the one threshold.
func TestAnalysisReportStored(t *testing.T) {
	ctx := context.Background()
	lib := openTest(t, Options{})
	dir := t.TempDir()
	tests := []struct {
		name      string
		a         Analysis
		uncertain bool
	}{
		{"certain", Analysis{BPM: 120, Key: "A minor", Camelot: "8A", KeyConfidence: 0.62, TuningCents: -12.5}, false},
		{"uncertain, cut short", Analysis{BPM: 98, Key: "F# major", Camelot: "2B", KeyConfidence: 0.18, TuningCents: 31,
			Warning: "file ends early: 49 s of 65 s"}, true},
		{"at the threshold", Analysis{BPM: 98, Key: "C major", Camelot: "8B", KeyConfidence: float64(protocol.MinCertainKeyConfidencePct) / 100}, false},
		{"no key", Analysis{BPM: 98, KeyConfidence: 0.01}, false},
	}
	for i, tt := range tests {
		p := filepath.Join(dir, fmt.Sprintf("%d.wav", i))
		if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
			t.Fatal(err)
		}
		tr, err := lib.ImportFile(ctx, p, SourceFolder)
		if err != nil {
			t.Fatal(err)
		}
		if err := lib.SetAnalysis(ctx, tr.ID, tt.a); err != nil {
			t.Fatal(err)
		}
		got, err := lib.Track(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Analysis == nil || *got.Analysis != tt.a {
			t.Errorf("%s: stored %+v, want %+v", tt.name, got.Analysis, tt.a)
			continue
		}
		if u := got.Analysis.KeyUncertain(); u != tt.uncertain {
			t.Errorf("%s: KeyUncertain %v, want %v", tt.name, u, tt.uncertain)
		}
	}
}
