package nowplaying

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf16"
)

func seratoChunk(tag string, body []byte) []byte {
	b := make([]byte, 8, 8+len(body))
	copy(b, tag)
	binary.BigEndian.PutUint32(b[4:], uint32(len(body)))
	return append(b, body...)
}

func seratoField(id uint32, v []byte) []byte {
	b := make([]byte, 8, 8+len(v))
	binary.BigEndian.PutUint32(b, id)
	binary.BigEndian.PutUint32(b[4:], uint32(len(v)))
	return append(b, v...)
}

func seratoText(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u)+2)
	for _, c := range u {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	return append(b, 0, 0) // Serato's strings end with a NUL
}

func seratoU32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

type seratoTrack struct {
	row                 uint32
	path, artist, title string
	start               time.Time
	played              *byte
}

// seratoOent builds one entry as Serato writes it, with fields the
// watcher does not read (album, bpm, deck, end time) in between.
func seratoOent(tr seratoTrack) []byte {
	var adat []byte
	adat = append(adat, seratoField(1, seratoU32(tr.row))...)
	adat = append(adat, seratoField(2, seratoText(tr.path))...)
	adat = append(adat, seratoField(6, seratoText(tr.title))...)
	adat = append(adat, seratoField(7, seratoText(tr.artist))...)
	adat = append(adat, seratoField(8, seratoText("Album"))...)
	adat = append(adat, seratoField(15, seratoText("124.00"))...)
	adat = append(adat, seratoField(28, seratoU32(uint32(tr.start.Unix())))...)
	adat = append(adat, seratoField(31, seratoU32(1))...)
	if tr.played != nil {
		adat = append(adat, seratoField(50, []byte{*tr.played})...)
	}
	return seratoChunk("oent", seratoChunk("adat", adat))
}

func seratoHeader() []byte { return seratoChunk("vrsn", seratoText("1.0/Serato Scratch LIVE Review")) }

func TestSeratoWatcher(t *testing.T) {
	dir := t.TempDir()
	sessions := filepath.Join(dir, "History", "Sessions")
	if err := os.MkdirAll(sessions, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	one := byte(1)
	zero := byte(0)
	first := filepath.Join(sessions, "12.session")
	data := append(seratoHeader(), seratoOent(seratoTrack{row: 1, path: "Users/marta/Music/old.mp3", artist: "Old", title: "One", start: now.Add(-time.Hour), played: &one})...)
	if err := os.WriteFile(first, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ch := startWatcher(t, func(o Options) Watcher { return NewSerato(dir, o) }, Options{})

	// An entry written in two parts: nothing until it is complete.
	entry := seratoOent(seratoTrack{row: 2, path: "Users/marta/Music/Beyoncé - Crazy in Love.mp3", artist: "Beyoncé", title: "Crazy in Love", start: now, played: &one})
	appendFile(t, first, string(entry[:len(entry)/2]))
	settle()
	appendFile(t, first, string(entry[len(entry)/2:]))
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/Beyoncé - Crazy in Love.mp3", "Beyoncé", "Crazy in Love", now)

	// A track loaded but marked unplayed is skipped; an entry without the
	// played field counts.
	appendFile(t, first, string(seratoOent(seratoTrack{row: 3, path: "Users/marta/Music/skipped.mp3", artist: "Skip", title: "Me", start: now.Add(time.Second), played: &zero})))
	appendFile(t, first, string(seratoOent(seratoTrack{row: 4, path: "Users/marta/Music/Vivir.mp3", artist: "Marc Anthony", title: "Vivir Mi Vida", start: now.Add(2 * time.Second)})))
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/Vivir.mp3", "Marc Anthony", "Vivir Mi Vida", now.Add(2*time.Second))

	// A new session file: its entries are new.
	second := filepath.Join(sessions, "13.session")
	later := time.Now().Add(time.Second)
	data = append(seratoHeader(), seratoOent(seratoTrack{row: 1, path: "Users/marta/Music/next.mp3", artist: "Next", title: "Session", start: now.Add(3 * time.Second), played: &one})...)
	if err := os.WriteFile(second, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(second, later, later); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/next.mp3", "Next", "Session", now.Add(3*time.Second))
}

func TestParseSeratoSession(t *testing.T) {
	now := time.Unix(1795640520, 0)
	good := append(seratoHeader(), seratoOent(seratoTrack{row: 7, path: `C:\Música\a.mp3`, artist: "Прекрасное Далёко", title: "Вальс", start: now})...)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"one entry", good, 1},
		{"truncated entry waits", good[:len(good)-3], 0},
		{"empty", nil, 0},
		{"garbage", []byte("not a serato file at all, just text"), 0},
		{"huge length", append(seratoChunk("vrsn", nil), []byte("oent\xff\xff\xff\xff")...), 0},
		{"no start time", append(seratoHeader(), seratoChunk("oent", seratoChunk("adat", seratoField(2, seratoText("/x.mp3"))))...), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseSeratoSession(tc.data)
			if len(got) != tc.want {
				t.Fatalf("got %d entries, want %d", len(got), tc.want)
			}
		})
	}
	e := parseSeratoSession(good)[0].event
	if e.Path != `C:\Música\a.mp3` || e.Artist != "Прекрасное Далёко" || e.Title != "Вальс" || !e.StartedAt.Equal(now) {
		t.Errorf("entry = %+v", e)
	}
}

func TestSeratoPathFor(t *testing.T) {
	tests := []struct{ in, goos, want string }{
		{"Users/dj/Music/a.mp3", "darwin", "/Users/dj/Music/a.mp3"},
		{"/Volumes/USB/a.mp3", "darwin", "/Volumes/USB/a.mp3"},
		{`C:\Music\a.mp3`, "linux", `C:\Music\a.mp3`},
		{`Music\a.mp3`, "windows", `Music\a.mp3`},
		{"", "darwin", ""},
	}
	for _, tc := range tests {
		if got := seratoPathFor(tc.in, tc.goos); got != tc.want {
			t.Errorf("seratoPathFor(%q, %s) = %q, want %q", tc.in, tc.goos, got, tc.want)
		}
	}
}

func FuzzParseSerato(f *testing.F) {
	f.Add(append(seratoHeader(), seratoOent(seratoTrack{row: 1, path: "a", artist: "b", title: "c", start: time.Unix(1795640520, 0)})...))
	f.Add([]byte("oent\x00\x00\x00\x10adat\x00\x00\x00\x08\x00\x00\x00\x1c\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseSeratoSession(data)
	})
}

// Serato may write an entry when a track is loaded (played = 0) and
// rewrite the file once it plays: the entry then counts, once.
func TestSeratoEntryMarkedPlayedLater(t *testing.T) {
	dir := t.TempDir()
	sessions := filepath.Join(dir, "History", "Sessions")
	if err := os.MkdirAll(sessions, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(sessions, "40.session")
	if err := os.WriteFile(file, seratoHeader(), 0o644); err != nil {
		t.Fatal(err)
	}
	ch := startWatcher(t, func(o Options) Watcher { return NewSerato(filepath.Join(dir, "History", "Sessions"), o) }, Options{})
	now := time.Now().Truncate(time.Second)
	zero, one := byte(0), byte(1)
	loaded := seratoTrack{row: 9, path: "Users/marta/Music/cued.mp3", artist: "Cued", title: "Up", start: now, played: &zero}
	if err := os.WriteFile(file, append(seratoHeader(), seratoOent(loaded)...), 0o644); err != nil {
		t.Fatal(err)
	}
	settle()
	loaded.played = &one
	next := seratoTrack{row: 10, path: "Users/marta/Music/next.mp3", artist: "Next", title: "One", start: now.Add(time.Second), played: &one}
	data := append(append(seratoHeader(), seratoOent(loaded)...), seratoOent(next)...)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/cued.mp3", "Cued", "Up", now)
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/next.mp3", "Next", "One", now.Add(time.Second))
	// Rewritten again unchanged (plus padding): nothing new.
	if err := os.WriteFile(file, append(data, seratoChunk("pad ", nil)...), 0o644); err != nil {
		t.Fatal(err)
	}
	after := seratoTrack{row: 11, path: "Users/marta/Music/third.mp3", artist: "Third", title: "Song", start: now.Add(2 * time.Second), played: &one}
	appendFile(t, file, string(seratoOent(after)))
	wantEvent(t, nextEvent(t, ch), "/Users/marta/Music/third.mp3", "Third", "Song", now.Add(2*time.Second))
}
