package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	td := filepath.Join("..", "..", "analysis", "testdata")
	testenv.CopyFile(t, filepath.Join(td, "tagged.mp3"), filepath.Join(dir, "a", "song.mp3"))
	testenv.CopyFile(t, filepath.Join(td, "tagged.flac"), filepath.Join(dir, "a", "b", "song.flac"))
	testenv.CopyFile(t, filepath.Join(td, "tagged.m4a"), filepath.Join(dir, "song.m4a"))
	if err := os.WriteFile(filepath.Join(dir, "cover.jpg"), []byte("not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.wav"), []byte("RIFF\x10\x00\x00\x00WAVEjunk"), 0o644); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	code := run([]string{"-json", "-workers", "3", "-min-bpm", "80", "-max-bpm", "160", dir, filepath.Join(dir, "missing.mp3")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", stderr.String())
	}
	want := map[string]struct {
		ok     bool
		artist string
		errHas string
	}{
		filepath.Join(dir, "missing.mp3"):         {false, "", "no such file"},
		filepath.Join(dir, "a", "song.mp3"):       {true, "MP3 Artist", ""},
		filepath.Join(dir, "a", "b", "song.flac"): {true, "FLAC Artist", ""},
		filepath.Join(dir, "song.m4a"):            {false, "Tag Artist", "unsupported audio format"},
		filepath.Join(dir, "broken.wav"):          {false, "", "audio"},
	}
	sc := bufio.NewScanner(&stdout)
	seen := map[string]bool{}
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"path", "bpm", "bpmConfidence", "key", "camelot", "keyConfidence", "tuningCents", "energy",
			"danceability", "brightness", "loudnessLufs", "durationS", "artist", "title"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %q lacks %q", sc.Text(), k)
			}
		}
		p, _ := m["path"].(string)
		w, ok := want[p]
		if !ok {
			t.Errorf("unexpected line for %q", p)
			continue
		}
		seen[p] = true
		errStr, hasErr := m["error"].(string)
		if w.ok == hasErr {
			t.Errorf("%s: error %q, want success=%v", p, errStr, w.ok)
		}
		if w.errHas != "" && !strings.Contains(errStr, w.errHas) {
			t.Errorf("%s: error %q, want it to mention %q", p, errStr, w.errHas)
		}
		if m["artist"] != w.artist {
			t.Errorf("%s: artist %v, want %q", p, m["artist"], w.artist)
		}
		if w.ok {
			if d, _ := m["durationS"].(float64); d < 2.9 || d > 3.1 {
				t.Errorf("%s: durationS %v, want 3", p, m["durationS"])
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("got lines for %v, want %d files (cover.jpg skipped)", seen, len(want))
	}
}

func TestRunText(t *testing.T) {
	var stdout, stderr bytes.Buffer
	p := filepath.Join("..", "..", "analysis", "testdata", "tagged.flac")
	if code := run([]string{p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], p+"\t") || !strings.Contains(lines[0], "LUFS") {
		t.Errorf("output %q", stdout.String())
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"-workers", "0", "x.mp3"},
		{"-min-bpm", "100", "-max-bpm", "120", "x.mp3"},
		{"-max-bpm", "abc", "x.mp3"},
		{"-no-such-flag", "x.mp3"},
	}
	for _, args := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("%q: stdout %q stderr %q; want the message on stderr only", args, stdout.String(), stderr.String())
		}
	}
}

// Silence has no beat and no key: the text line says so instead of "0.0 BPM".
func TestRunTextSilence(t *testing.T) {
	p := filepath.Join(t.TempDir(), "silence.wav")
	const rate, seconds = 8000, 3
	data := make([]byte, rate*seconds*2) // 16-bit mono zeros
	hdr := new(bytes.Buffer)
	le := func(v any) { _ = binary.Write(hdr, binary.LittleEndian, v) }
	hdr.WriteString("RIFF")
	le(uint32(36 + len(data)))
	hdr.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))        // PCM
	le(uint16(1))        // mono
	le(uint32(rate))     // sample rate
	le(uint32(rate * 2)) // byte rate
	le(uint16(2))        // block align
	le(uint16(16))       // bits
	hdr.WriteString("data")
	le(uint32(len(data)))
	if err := os.WriteFile(p, append(hdr.Bytes(), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "\tno beat\t") || !strings.Contains(out, "\tno key\t") || strings.Contains(out, "0.0 BPM") {
		t.Errorf("output %q", out)
	}
}

// The text line and the usage errors say what is wrong without the
// packages' prefixes.
func TestTextErrorsAreReadable(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "Late Night.mp3")
	if err := os.WriteFile(junk, bytes.Repeat([]byte{0x55, 0x12, 0x99}, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{junk}, 0, junk + "\terror: corrupt audio data: corrupt or not an MP3 file\n", ""},
		{[]string{"-min-bpm", "100", "-max-bpm", "120", junk}, 2, "", "BPM range 100–120 is narrower than an octave; max must be at least 1.9×min\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || stdout.String() != tt.stdout || (tt.stderr != "" && stderr.String() != tt.stderr) {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q\nwant %d %q %q", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}
