package analysis

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// Real recordings shipped by Debian packages (scripts/install-deps test
// installs them): produced game soundtracks and rock/metal songs with
// vocals and distorted guitars. They carry no key annotation, so the tests
// on them are truth-free: every track gets a key, and transposed or
// time-stretched copies move or keep it as they must.
var realTracks = []string{
	"/usr/share/games/asc/music/frontiers.mp3",
	"/usr/share/games/asc/music/machine_wars.mp3",
	"/usr/share/games/asc/music/time_to_strike.mp3",
	"/usr/share/games/fretsonfire/data/songs/sectoid/Escape from chaosland/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/sectoid/Feelings/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/sectoid/Metal madness/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/sectoid/War of freedom/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/muldjord/armygeddon/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/muldjord/chaos_god/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/muldjord/internal_degeneration/song.ogg",
	"/usr/share/games/fretsonfire/data/songs/muldjord/mutilated_mime/song.ogg",
	// Orchestral/ambient game music whose Ogg files repeat the Vorbis
	// headers (hyperrogue-music; the audio package's own Ogg reader).
	"/usr/share/hyperrogue/music/hr-savino-caribbean.ogg",
	"/usr/share/hyperrogue/music/hr-savino-ivory.ogg",
	"/usr/share/hyperrogue/music/hr-savino-ocean.ogg",
	"/usr/share/hyperrogue/music/hr-savino-palace.ogg",
}

// drumKit is a real acoustic drum kit, one sample per hit (hydrogen-data).
const drumKit = "/usr/share/hydrogen/data/drumkits/GMRockKit"

// realExcerptS seconds from realExcerptStartS into each track keep the
// tests short.
const (
	realExcerptStartS = 30
	realExcerptS      = 40
)

// realDir holds the excerpts and transformed copies, made once per run.
var realDir struct {
	once sync.Once
	dir  string
	err  error
}

func runTool(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// realExcerpts cuts every real track to a 22.05 kHz stereo FLAC excerpt
// and returns their paths, in realTracks order.
func realExcerpts(t *testing.T) []string {
	t.Helper()
	testenv.NeedTools(t, "ffmpeg", "sox")
	for _, p := range realTracks {
		if _, err := os.Stat(p); err != nil {
			testenv.SkipUnlessCI(t, "real recording missing (scripts/install-deps test installs asc-music, fretsonfire-songs-* and hyperrogue-music): %v", err)
		}
	}
	realDir.once.Do(func() {
		realDir.dir, realDir.err = os.MkdirTemp("", "pika-real-")
		if realDir.err != nil {
			return
		}
		errs := make([]error, len(realTracks))
		var wg sync.WaitGroup
		for i, p := range realTracks {
			wg.Go(func() {
				out := filepath.Join(realDir.dir, fmt.Sprintf("%02d.flac", i))
				if strings.HasSuffix(p, ".ogg") {
					// sox reads Ogg through libvorbisfile, which takes the
					// hyperrogue files ffmpeg refuses.
					errs[i] = runTool("sox", p, "-r", "22050", "-c", "2", out, "trim", fmt.Sprint(realExcerptStartS), fmt.Sprint(realExcerptS))
					return
				}
				errs[i] = runTool("ffmpeg", "-nostdin", "-loglevel", "error", "-ss", fmt.Sprint(realExcerptStartS), "-t", fmt.Sprint(realExcerptS),
					"-i", p, "-ac", "2", "-ar", "22050", out)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				realDir.err = err
				return
			}
		}
	})
	if realDir.err != nil {
		t.Fatal(realDir.err)
	}
	out := make([]string, len(realTracks))
	for i := range realTracks {
		out[i] = filepath.Join(realDir.dir, fmt.Sprintf("%02d.flac", i))
	}
	return out
}

// soxCopy writes src transformed by the sox effect to a file named after
// it and returns its path.
func soxCopy(t *testing.T, src string, effect ...string) string {
	t.Helper()
	dst := strings.TrimSuffix(src, ".flac") + "-" + strings.Join(effect, "") + ".flac"
	if _, err := os.Stat(dst); err == nil {
		return dst
	}
	if err := runTool("sox", append([]string{src, dst}, effect...)...); err != nil {
		t.Fatal(err)
	}
	return dst
}

func analyzeAll(t *testing.T, paths []string) []Result {
	t.Helper()
	res := make([]Result, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, p := range paths {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i], errs[i] = AnalyzeFile(context.Background(), p, DefaultOptions())
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", paths[i], err)
		}
	}
	return res
}

func trackName(i int) string {
	p := realTracks[i]
	return filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
}

// TestRealRecordingKeys: every real tonal recording gets a key with its
// Camelot code and a confidence, however low.
func TestRealRecordingKeys(t *testing.T) {
	paths := realExcerpts(t)
	for i, r := range analyzeAll(t, paths) {
		t.Logf("%-36s key %-9s %-3s conf %.2f tuning %+5.1f | bpm %6.1f (%.2f) | %6.1f LUFS",
			trackName(i), r.Key, r.Camelot, r.KeyConfidence, r.TuningCents, r.BPM, r.BPMConfidence, r.LoudnessLUFS)
		if r.Key == "" || r.Camelot == "" || !(r.KeyConfidence > 0) {
			t.Errorf("%s: key %q %q confidence %.2f; a tonal mix must get a key", trackName(i), r.Key, r.Camelot, r.KeyConfidence)
		}
		if math.Abs(r.TuningCents) > 50 {
			t.Errorf("%s: tuning %+.1f cents outside ±50", trackName(i), r.TuningCents)
		}
	}
}

// TestRealNoKey: what has no tonal content gets no key: a real drum kit
// playing a rock beat, synthetic speech, noise and silence.
func TestRealNoKey(t *testing.T) {
	testenv.NeedTools(t, "sox", "flite")
	if _, err := os.Stat(drumKit); err != nil {
		testenv.SkipUnlessCI(t, "drum kit missing (scripts/install-deps test installs hydrogen-data): %v", err)
	}
	dir := t.TempDir()
	// One bar at 100 BPM, eighth-note hats, kick on 1 and 3, snare on 2
	// and 4, a tom fill at the end; repeated to 29 s.
	var hits []string
	add := func(sample string, eighth int) {
		hits = append(hits, fmt.Sprintf("|sox %s/%s.wav -r 44100 -c 2 -p pad %.2f", drumKit, sample, 0.3*float64(eighth)))
	}
	for i := range 8 {
		add("HatClosed-Med", i)
	}
	add("Kick-Hard", 0)
	add("Kick-Hard", 4)
	add("Snare-Hard", 2)
	add("Snare-Hard", 6)
	add("Tom1-Hard", 7)
	bar := filepath.Join(dir, "bar.wav")
	if err := runTool("sox", append(append([]string{"-m"}, hits...), bar, "trim", "0", "2.4")...); err != nil {
		t.Fatal(err)
	}
	drums := filepath.Join(dir, "drums.flac")
	if err := runTool("sox", bar, drums, "repeat", "11"); err != nil {
		t.Fatal(err)
	}
	speech := filepath.Join(dir, "speech.wav")
	if err := runTool("flite", "-t", "Good evening everyone and welcome to the dance. Tonight we have a great line up of music for you. "+
		"Please remember to stay hydrated and be kind to each other on the floor. The next song is a slow one, so grab a partner and enjoy. "+
		"We will have a short break at ten, and after that the competition starts.", "-o", speech); err != nil {
		t.Fatal(err)
	}
	signals := []struct{ name, path string }{
		{"drum kit", drums},
		{"speech", speech},
		{"pink noise", filepath.Join(dir, "pink.flac")},
		{"brown noise", filepath.Join(dir, "brown.flac")},
		{"silence", filepath.Join(dir, "silence.flac")},
	}
	for _, s := range []struct{ path, kind string }{{signals[2].path, "pinknoise"}, {signals[3].path, "brownnoise"}} {
		if err := runTool("sox", "-n", "-r", "44100", "-c", "2", s.path, "synth", "20", s.kind, "vol", "0.3"); err != nil {
			t.Fatal(err)
		}
	}
	if err := runTool("sox", "-n", "-r", "44100", "-c", "2", signals[4].path, "trim", "0", "10"); err != nil {
		t.Fatal(err)
	}
	for _, s := range signals {
		t.Run(s.name, func(t *testing.T) {
			r, err := AnalyzeFile(context.Background(), s.path, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if r.Key != "" || r.Camelot != "" || r.KeyConfidence != 0 {
				t.Errorf("key %q %q (confidence %.2f), want none", r.Key, r.Camelot, r.KeyConfidence)
			}
		})
	}
}

// TestRealTransposition: the same recording shifted by n semitones (sox
// pitch 100n) reads the same mode with its tonic moved by n. Reported as
// the share of copies that do; it must stay at least minTransposeShare.
func TestRealTransposition(t *testing.T) {
	const minTransposeShare = 0.75
	paths := realExcerpts(t)
	orig := analyzeAll(t, paths)
	shifts := []int{-2, 1, 3}
	var copies []string
	for _, p := range paths {
		for _, n := range shifts {
			copies = append(copies, soxCopy(t, p, "pitch", fmt.Sprint(100*n)))
		}
	}
	got := analyzeAll(t, copies)
	var ok int
	for i, r := range orig {
		tonic, minor, _ := parseKey(r.Key)
		for j, n := range shifts {
			c := got[i*len(shifts)+j]
			ct, cm, cok := parseKey(c.Key)
			want := ((tonic+n)%12 + 12) % 12
			good := cok && ct == want && cm == minor
			if good {
				ok++
			}
			t.Logf("%-36s %-9s (%.2f) %+d → %-9s (%.2f) %v", trackName(i), r.Key, r.KeyConfidence, n, c.Key, c.KeyConfidence, good)
		}
	}
	share := float64(ok) / float64(len(copies))
	t.Logf("transposed copies with the key moved as it must: %d/%d (%.2f)", ok, len(copies), share)
	if share < minTransposeShare {
		t.Errorf("only %.2f of transposed copies read the transposed key, want >= %.2f", share, minTransposeShare)
	}
}

// TestRealTimeStretch: the same recording 5 % slower or faster (sox tempo)
// reads the same key, and its BPM moves by the same factor (up to the
// octave folding).
func TestRealTimeStretch(t *testing.T) {
	const minStretchShare = 0.8
	paths := realExcerpts(t)
	orig := analyzeAll(t, paths)
	factors := []float64{0.95, 1.05}
	var copies []string
	for _, p := range paths {
		for _, f := range factors {
			copies = append(copies, soxCopy(t, p, "tempo", fmt.Sprint(f)))
		}
	}
	got := analyzeAll(t, copies)
	var keyOK, bpmOK, bpmN int
	for i, r := range orig {
		for j, f := range factors {
			c := got[i*len(factors)+j]
			if c.Key == r.Key {
				keyOK++
			}
			good := "-"
			if r.BPM > 0 {
				bpmN++
				want := r.BPM * f
				for _, fold := range []float64{0.5, 1, 2} {
					if math.Abs(c.BPM-want*fold) <= 0.02*want*fold {
						bpmOK++
						good = "ok"
					}
				}
			}
			t.Logf("%-36s ×%.2f key %-9s → %-9s | bpm %6.1f → %6.1f %s", trackName(i), f, r.Key, c.Key, r.BPM, c.BPM, good)
		}
	}
	ks, bs := float64(keyOK)/float64(len(copies)), float64(bpmOK)/float64(max(1, bpmN))
	t.Logf("stretched copies keeping the key: %d/%d (%.2f); BPM moved by the factor within 2 %%: %d/%d (%.2f)",
		keyOK, len(copies), ks, bpmOK, bpmN, bs)
	if ks < minStretchShare {
		t.Errorf("only %.2f of time-stretched copies keep the key, want >= %.2f", ks, minStretchShare)
	}
	if bs < minStretchShare {
		t.Errorf("only %.2f of time-stretched copies move the BPM by the factor, want >= %.2f", bs, minStretchShare)
	}
}

// TestRealTuning: a recording shifted by +30 cents reads the same key and
// a tuning 30 cents higher. Tracks whose own tuning is above +10 cents are
// left out: 30 cents more takes them near the next semitone's boundary.
func TestRealTuning(t *testing.T) {
	paths := realExcerpts(t)
	orig := analyzeAll(t, paths)
	var idx []int
	var copies []string
	for i, r := range orig {
		if r.TuningCents <= 10 {
			idx = append(idx, i)
			copies = append(copies, soxCopy(t, paths[i], "pitch", "30"))
		}
	}
	if len(idx) < 5 {
		t.Fatalf("only %d tracks tuned within reach of +30 cents", len(idx))
	}
	got := analyzeAll(t, copies)
	var keyOK int
	for j, i := range idx {
		r, c := orig[i], got[j]
		d := c.TuningCents - r.TuningCents
		t.Logf("%-36s tuning %+5.1f → %+5.1f (Δ %+5.1f) key %-9s → %-9s", trackName(i), r.TuningCents, c.TuningCents, d, r.Key, c.Key)
		if c.Key == r.Key {
			keyOK++
		}
		if math.Abs(d-30) > 6 {
			t.Errorf("%s: tuning moved by %+.1f cents, want +30 ± 6", trackName(i), d)
		}
	}
	t.Logf("+30 cent copies keeping the key: %d/%d", keyOK, len(idx))
	if keyOK < len(idx)-1 {
		t.Errorf("%d of %d +30 cent copies changed key", len(idx)-keyOK, len(idx))
	}
}

// TestMain removes the real-recording excerpts once every test has run.
func TestMain(m *testing.M) {
	code := m.Run()
	if realDir.dir != "" {
		os.RemoveAll(realDir.dir)
	}
	os.Exit(code)
}
