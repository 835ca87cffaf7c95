package analysis

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func TestReadTags(t *testing.T) {
	tests := []struct {
		file string
		want Tags
	}{
		{"tagged.mp3", Tags{Artist: "MP3 Artist", Title: "MP3 Title", Album: "MP3 Album", Genre: "West Coast Swing", Year: 2021, BPM: 101, Key: "Am"}},
		{"tagged.flac", Tags{Artist: "FLAC Artist", Title: "FLAC Title", Year: 2005, BPM: 96.5, Key: "8A"}},
		{"tagged.m4a", Tags{Artist: "Tag Artist", Title: "M4A Title", Album: "M4A Album", Genre: "Blues", Year: 1999}},
	}
	for _, tc := range tests {
		got, err := ReadTags(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.file, got, tc.want)
		}
	}
}

// writeWAV writes 16-bit PCM with the given channels (the mono signal
// copied to each).
func writeWAV(t *testing.T, path string, x []float32, rate, channels int) {
	t.Helper()
	data := make([]byte, 0, 44+len(x)*2*channels)
	le := binary.LittleEndian
	data = append(data, "RIFF"...)
	data = le.AppendUint32(data, uint32(36+len(x)*2*channels))
	data = append(data, "WAVEfmt "...)
	data = le.AppendUint32(data, 16)
	data = le.AppendUint16(data, 1)
	data = le.AppendUint16(data, uint16(channels))
	data = le.AppendUint32(data, uint32(rate))
	data = le.AppendUint32(data, uint32(rate*2*channels))
	data = le.AppendUint16(data, uint16(2*channels))
	data = le.AppendUint16(data, 16)
	data = append(data, "data"...)
	data = le.AppendUint32(data, uint32(len(x)*2*channels))
	for _, v := range x {
		s := int16(math.Round(math.Max(-1, math.Min(1, float64(v))) * 32767))
		for range channels {
			data = le.AppendUint16(data, uint16(s))
		}
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAnalyzeFileErrors(t *testing.T) {
	dir := t.TempDir()
	mp3, err := os.ReadFile(filepath.Join("testdata", "tagged.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 50000)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wavPath := filepath.Join(dir, "ok.wav")
	writeWAV(t, wavPath, clickTrack(100, 10, 22050, 1), 22050, 2)
	wav, _ := os.ReadFile(wavPath)
	badHeader := append([]byte(nil), wav...)
	binary.LittleEndian.PutUint16(badHeader[22:], 0) // zero channels

	tests := []struct {
		name        string
		path        string
		unsupported bool
		wantArtist  string
	}{
		{"m4a keeps tags", filepath.Join("testdata", "tagged.m4a"), true, "Tag Artist"},
		{"random bytes named mp3", write("noise.mp3", garbage), false, ""},
		{"random bytes named bin", write("noise.bin", garbage), true, ""},
		{"text file", write("notes.txt", []byte("not audio at all\n")), true, ""},
		{"empty file", write("empty.flac", nil), true, ""},
		{"wav header with zero channels", write("bad.wav", badHeader), false, ""},
		{"wav truncated in the header", write("short.wav", wav[:30]), false, ""},
		{"missing file", filepath.Join(dir, "does-not-exist.mp3"), false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := AnalyzeFile(context.Background(), tc.path, DefaultOptions())
			if err == nil {
				t.Fatalf("no error; result %+v", r)
			}
			if got := errors.Is(err, ErrUnsupportedFormat); got != tc.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupportedFormat) = %v, want %v", err, got, tc.unsupported)
			}
			if r.Path != tc.path || r.Tags.Artist != tc.wantArtist {
				t.Errorf("result path %q artist %q, want %q %q", r.Path, r.Tags.Artist, tc.path, tc.wantArtist)
			}
			if r.BPM != 0 || r.Key != "" || r.DurationS != 0 {
				t.Errorf("measures reported for a failed file: %+v", r)
			}
		})
	}

	// Truncated audio data: every cut of a valid file is either a clean
	// error or an analysis of what is there, never a panic or NaN.
	for _, src := range []struct {
		name string
		b    []byte
	}{{"mp3", mp3}, {"wav", wav}} {
		for _, frac := range []float64{0.1, 0.37, 0.5, 0.93} {
			p := write("cut."+src.name, src.b[:int(frac*float64(len(src.b)))])
			r, err := AnalyzeFile(context.Background(), p, DefaultOptions())
			if err == nil {
				checkSane(t, r, DefaultOptions())
			}
		}
	}
}

func TestAnalyzeFileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := AnalyzeFile(ctx, filepath.Join("testdata", "tagged.mp3"), DefaultOptions())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestAnalyzeFileDeterministic(t *testing.T) {
	paths := []string{filepath.Join("testdata", "tagged.mp3"), filepath.Join("testdata", "tagged.flac")}
	if _, err := os.Stat(filepath.Join(testenv.CorpusPath(), "00-rnb-104-Amin.mp3")); err == nil && !testing.Short() {
		paths = append(paths, filepath.Join(testenv.CorpusPath(), "00-rnb-104-Amin.mp3"))
	}
	for _, p := range paths {
		a, err := AnalyzeFile(context.Background(), p, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		b, err := AnalyzeFile(context.Background(), p, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s analysed twice:\n%+v\n%+v", p, a, b)
		}
		checkSane(t, a, DefaultOptions())
	}
}

var ebur128I = regexp.MustCompile(`I:\s+(-?[0-9.]+) LUFS`)

// ffmpegLoudness runs ffmpeg's ebur128 filter (the reference
// implementation) on path.
func ffmpegLoudness(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	m := ebur128I.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("no integrated loudness in ffmpeg output:\n%s", out)
	}
	v, err := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Integrated loudness against ffmpeg's ebur128 on files where the mono
// decode loses nothing: mono files and stereo files with equal channels,
// at several rates, with programme material that exercises both gates.
func TestLoudnessAgainstFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		testenv.SkipUnlessCI(t, "ffmpeg not installed (Debian package ffmpeg): reference loudness unavailable")
	}
	dir := t.TempDir()
	music := func(rate float64) []float32 {
		x := clickTrack(96, 20, rate, 5)
		for i, v := range progression(9, true, rate) {
			if i < len(x) {
				x[i] += v
			}
		}
		// A quiet passage the relative gate must drop, and silence.
		x = append(x, sine(440, -50, 5, rate)...)
		return append(x, make([]float32, int(3*rate))...)
	}
	tests := []struct {
		name     string
		x        []float32
		rate     int
		channels int
	}{
		{"sine -20 dBFS mono 48k", sine(1000, -20, 10, 48000), 48000, 1},
		{"sine -23 dBFS stereo 44.1k", sine(1000, -23, 10, 44100), 44100, 2},
		{"music mono 22.05k", music(22050), 22050, 1},
		{"music stereo 44.1k", music(44100), 44100, 2},
		{"music stereo 48k", music(48000), 48000, 2},
		{"music mono 8k", music(8000), 8000, 1},
	}
	for i, tc := range tests {
		p := filepath.Join(dir, strconv.Itoa(i)+".wav")
		writeWAV(t, p, tc.x, tc.rate, tc.channels)
		r, err := AnalyzeFile(context.Background(), p, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		ref := ffmpegLoudness(t, p)
		if math.Abs(r.LoudnessLUFS-ref) > 0.5 {
			t.Errorf("%s: %.1f LUFS, ffmpeg ebur128 says %.1f", tc.name, r.LoudnessLUFS, ref)
		} else {
			t.Logf("%s: %.1f LUFS, ffmpeg %.1f", tc.name, r.LoudnessLUFS, ref)
		}
	}
}
