package nowplaying

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// djucedSchema is the part of DJUCED.db read, as What's Now Playing's
// DJUCED reader documents it (more columns exist).
const djucedSchema = `CREATE TABLE tracks (id INTEGER PRIMARY KEY AUTOINCREMENT, artist TEXT, title TEXT, album TEXT, composer TEXT,
  genre TEXT, year INTEGER, rating INTEGER, absolutepath TEXT, filename TEXT, filetype TEXT, filesize INTEGER, bitrate INTEGER,
  samplerate INTEGER, bpm REAL, key INTEGER, playcount INTEGER, first_played TEXT, last_played TEXT, first_seen TEXT, length REAL,
  tracknumber INTEGER, comment TEXT, coverimage BLOB)`

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDJUCEDWatcher(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Documents", "DJUCED")
	mkdirAll(t, dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "DJUCED.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(djucedSchema); err != nil {
		t.Fatal(err)
	}
	for _, tr := range [][4]string{
		{"Romeo Santos", "Propuesta Indecente", "Fórmula, Vol. 2", `C:\Users\dj\Music\Bachata\Propuesta Indecente.mp3`},
		{"Zoë Keating", "Escape Artist", "Into the Trees", "/Users/dj/Music/Zoë Keating/Escape Artist.flac"},
	} {
		if _, err := db.Exec(`INSERT INTO tracks (artist, title, album, absolutepath, last_played) VALUES (?, ?, ?, ?, '2026-12-03 20:00:00')`, tr[0], tr[1], tr[2], tr[3]); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "playing.txt")
	// Two decks loaded before Pika! starts: neither is announced (which
	// one is on air is unknown).
	writeFile(t, file, "Old One | 1 | Someone | Album\nOld Two | 2 | Someone Else | Album\n")
	out := startWatcher(t, func(o Options) Watcher { return NewDJUCED(dir, o) }, Options{Recent: 5 * time.Minute})

	steps := []struct {
		name   string
		writes []string // written one after another, quickly (a partial write)
		want   *Event
	}{
		{"deck 2 plays a track from the library", []string{"Old One | 1 | Someone | Album\nPropuesta Indecente | 2 | Romeo Santos | Fórmula, Vol. 2\n"},
			&Event{Artist: "Romeo Santos", Title: "Propuesta Indecente", Path: `C:\Users\dj\Music\Bachata\Propuesta Indecente.mp3`}},
		{"DJUCED restarts and writes the same", []string{"", "Old One | 1 | Someone | Album\nPropuesta Indecente | 2 | Romeo Santos | Fórmula, Vol. 2\n"}, nil},
		{"deck 1, written in pieces", []string{"", "Escape Art", "Escape Artist | 1 | Zoë Keating | Into the Trees\nPropuesta Indecente | 2 | Romeo Santos | Fórmula, Vol. 2\n"},
			&Event{Artist: "Zoë Keating", Title: "Escape Artist", Path: "/Users/dj/Music/Zoë Keating/Escape Artist.flac"}},
		{"a track not in DJUCED.db", []string{"Escape Artist | 1 | Zoë Keating | Into the Trees\nÇa va | 2 | Zaz | \n"},
			&Event{Artist: "Zaz", Title: "Ça va"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for _, w := range st.writes {
				writeFile(t, file, w)
				time.Sleep(30 * time.Millisecond) // under textSettle: one change
			}
			if st.want == nil {
				settle()
				time.Sleep(textSettle)
				select {
				case e := <-out:
					t.Fatalf("announced again: %+v", e)
				default:
				}
				return
			}
			e := nextEvent(t, out)
			wantEvent(t, e, st.want.Path, st.want.Artist, st.want.Title, time.Time{})
			if e.Source != SourceDJUCED {
				t.Errorf("source %q", e.Source)
			}
			select {
			case e := <-out:
				t.Fatalf("a partial write gave a second event: %+v", e)
			case <-time.After(textSettle + 100*time.Millisecond):
			}
		})
	}
}

func TestTextFileRestart(t *testing.T) {
	mod := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name string
		opt  Options
		sent bool
	}{
		{"Pika! restarted; the track went on air while it was closed", Options{Since: mod.Add(-time.Minute)}, true},
		{"Pika! restarted; the track was relayed before", Options{Since: mod}, false},
		{"first start, track started recently", Options{Recent: 5 * time.Minute}, true},
		{"first start, only new plays", Options{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "nowplaying.txt")
			writeFile(t, file, "Beyoncé - Halo\r\n")
			if err := os.Chtimes(file, mod, mod); err != nil {
				t.Fatal(err)
			}
			out := startWatcher(t, func(o Options) Watcher { return NewTextFile(file, o) }, tc.opt)
			if tc.sent {
				wantEvent(t, nextEvent(t, out), "", "Beyoncé", "Halo", mod)
			}
			// The next play is sent, with nothing before it.
			writeFile(t, file, "\x93Marc Anthony\x94 - Vivir Mi Vida\n") // Windows-1252 quotes
			e := nextEvent(t, out)
			wantEvent(t, e, "", "“Marc Anthony”", "Vivir Mi Vida", time.Time{})
			writeFile(t, file, "Beyoncé - Halo\r\n")
			nextEvent(t, out)
		})
	}
}

func TestParseTextLine(t *testing.T) {
	tests := []struct {
		in   string
		want textLine
		ok   bool
	}{
		{"Halo | 2 | Beyoncé | I Am... Sasha Fierce", textLine{deck: "2", artist: "Beyoncé", title: "Halo", album: "I Am... Sasha Fierce"}, true},
		{"Halo | 1 | Beyoncé", textLine{deck: "1", artist: "Beyoncé", title: "Halo"}, true},
		{"Zoë Keating - Escape Artist", textLine{artist: "Zoë Keating", title: "Escape Artist"}, true},
		{"Just A Title", textLine{title: "Just A Title"}, true},
		{"   ", textLine{}, false},
		{" |  | ", textLine{}, false},
	}
	for _, tc := range tests {
		got, ok := parseTextLine(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseTextLine(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
