package nowplaying

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// traktorNML is a collection.nml as Traktor Pro 3/4 writes it (NML
// version 19/20: HEAD, MUSICFOLDERS, COLLECTION of ENTRY with LOCATION,
// ALBUM, INFO, TEMPO and MUSICAL_KEY; PLAYLISTS), with a Windows and two
// macOS entries.
const traktorNML = `<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<NML VERSION="19"><HEAD COMPANY="www.native-instruments.com" PROGRAM="Traktor"></HEAD>
<MUSICFOLDERS></MUSICFOLDERS>
<COLLECTION ENTRIES="3">
<ENTRY MODIFIED_DATE="2026/11/30" MODIFIED_TIME="45000" AUDIO_ID="AWEAAA" TITLE="Halo" ARTIST="Beyoncé">
<LOCATION DIR="/:Users/:dj/:Music/:Beyoncé/:" FILE="Halo.mp3" VOLUME="C:" VOLUMEID="a2b3c4"></LOCATION>
<ALBUM TRACK="3" TITLE="I Am... Sasha Fierce"></ALBUM>
<MODIFICATION_INFO AUTHOR_TYPE="user"></MODIFICATION_INFO>
<INFO BITRATE="320000" GENRE="R&amp;B" KEY="3d" PLAYCOUNT="4" PLAYTIME="261" IMPORT_DATE="2026/1/2" FLAGS="12" FILESIZE="10240"></INFO>
<TEMPO BPM="79.998703" BPM_QUALITY="100.000000"></TEMPO>
<LOUDNESS PEAK_DB="-0.1" PERCEIVED_DB="0.0" ANALYZED_DB="0.0"></LOUDNESS>
<MUSICAL_KEY VALUE="3"></MUSICAL_KEY>
</ENTRY>
<ENTRY MODIFIED_DATE="2026/11/30" MODIFIED_TIME="45001" TITLE="Escape Artist" ARTIST="Zoë Keating">
<LOCATION DIR="/:Users/:dj/:Music/:Zoë Keating/:" FILE="Escape Artist.flac" VOLUME="Macintosh HD" VOLUMEID="Macintosh HD"></LOCATION>
<INFO KEY="8m"></INFO>
<TEMPO BPM="116.000000" BPM_QUALITY="100.000000"></TEMPO>
<MUSICAL_KEY VALUE="21"></MUSICAL_KEY>
</ENTRY>
<ENTRY TITLE="Propuesta Indecente" ARTIST="Romeo Santos">
<LOCATION DIR="/:Música/:Bachata/:" FILE="Propuesta Indecente.mp3" VOLUME="GIG USB" VOLUMEID="gig"></LOCATION>
<TEMPO BPM="128.5"></TEMPO>
</ENTRY>
</COLLECTION>
<PLAYLISTS><NODE TYPE="FOLDER" NAME="$ROOT"><SUBNODES COUNT="1"><NODE TYPE="PLAYLIST" NAME="Friday">
<PLAYLIST ENTRIES="1" TYPE="LIST" UUID="u1"><ENTRY><PRIMARYKEY TYPE="TRACK" KEY="C:/:Users/:dj/:Music/:Beyoncé/:Halo.mp3"></PRIMARYKEY></ENTRY></PLAYLIST>
</NODE></SUBNODES></NODE></PLAYLISTS>
</NML>
`

// traktorFolder lays out Documents/Native Instruments with two Traktor
// versions; the newest one's collection is the one read.
func traktorFolder(t *testing.T) (ni, newest string) {
	t.Helper()
	ni = filepath.Join(t.TempDir(), "Documents", "Native Instruments")
	for _, v := range []string{"Traktor 3.9.0", "Traktor 3.11.1"} {
		mkdirAll(t, filepath.Join(ni, v))
	}
	writeFile(t, filepath.Join(ni, "Traktor 3.9.0", "collection.nml"), strings.Replace(traktorNML, `TITLE="Halo"`, `TITLE="Old Halo"`, 1))
	newest = filepath.Join(ni, "Traktor 3.11.1", "collection.nml")
	writeFile(t, newest, traktorNML)
	return ni, newest
}

func TestBroadcastEnrichedFromCollection(t *testing.T) {
	ni, _ := traktorFolder(t)
	var b *Broadcast
	out := startWatcher(t, func(o Options) Watcher {
		b = NewBroadcast(0, "pw", o)
		b.nml.path = newestTraktorCollection([]string{ni})
		return b
	}, Options{})
	addr, err := b.Addr(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream(t, addr, "pw", "libvorbis", "Beyoncé", "Halo"); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, out)
	wantEvent(t, e, `C:\Users\dj\Music\Beyoncé\Halo.mp3`, "Beyoncé", "Halo", time.Time{})
	if e.BPM < 79.99 || e.BPM > 80 || e.Key != "Eb major" {
		t.Errorf("BPM %v key %q, want 79.9987 and Eb major", e.BPM, e.Key)
	}
	// An MP3 broadcast's title update, for a track on a USB drive.
	req, _ := http.NewRequest("GET", "http://"+addr+"/admin/metadata?mode=updinfo&song="+url.QueryEscape("romeo santos - propuesta indecente"), nil)
	req.SetBasicAuth("source", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e = nextEvent(t, out)
	if e.Path != "/Volumes/GIG USB/Música/Bachata/Propuesta Indecente.mp3" || e.BPM != 128.5 || e.Key != "" {
		t.Errorf("USB track enriched as %+v", e)
	}
}

func TestTraktorCollection(t *testing.T) {
	ni, newest := traktorFolder(t)
	c := &traktorCollection{path: newestTraktorCollection([]string{ni})}
	if c.path != newest {
		t.Fatalf("collection %q, want the newest version's %q", c.path, newest)
	}
	tests := []struct {
		artist, title, path, key string
		bpm                      float64
	}{
		{"Zoë Keating", "Escape Artist", "/Users/dj/Music/Zoë Keating/Escape Artist.flac", "A minor", 116},
		{"ZOË KEATING", " escape artist ", "/Users/dj/Music/Zoë Keating/Escape Artist.flac", "A minor", 116},
		{"Nobody", "Not In It", "", "", 0},
	}
	for _, tc := range tests {
		e := Event{Artist: tc.artist, Title: tc.title}
		if err := c.enrich(&e); err != nil {
			t.Fatal(err)
		}
		if e.Path != tc.path || e.Key != tc.key || e.BPM != tc.bpm {
			t.Errorf("%s – %s enriched as %+v", tc.artist, tc.title, e)
		}
	}
	// Traktor rewrites the file: half-written, it is not taken (the last
	// good one stays); whole again, the new entry is found.
	writeFile(t, newest, traktorNML[:len(traktorNML)/2])
	c.checked = time.Time{}
	e := Event{Artist: "Beyoncé", Title: "Halo"}
	if err := c.enrich(&e); err == nil || e.BPM == 0 {
		t.Errorf("half-written collection: err %v, event %+v; want an error and the last good entry", err, e)
	}
	writeFile(t, newest, strings.Replace(traktorNML, `TITLE="Halo"`, `TITLE="Halo (Live)"`, 1))
	future := time.Now().Add(time.Minute)
	os.Chtimes(newest, future, future)
	c.checked = time.Time{}
	e = Event{Artist: "Beyoncé", Title: "Halo (Live)"}
	if err := c.enrich(&e); err != nil || e.BPM == 0 {
		t.Errorf("rewritten collection: err %v, event %+v", err, e)
	}
}

func TestNMLPath(t *testing.T) {
	tests := []struct{ volume, dir, file, want string }{
		{"C:", "/:Users/:dj/:Music/:", "a.mp3", `C:\Users\dj\Music\a.mp3`},
		{"Macintosh HD", "/:Users/:dj/:Music/:", "a.mp3", "/Users/dj/Music/a.mp3"},
		{"GIG USB", "/:Sets/:", "b.mp3", "/Volumes/GIG USB/Sets/b.mp3"},
		{"C:", "/:", "c.mp3", `C:\c.mp3`},
		{"C:", "/:x/:", "", ""},
	}
	for _, tc := range tests {
		if got := nmlPath(tc.volume, tc.dir, tc.file); got != tc.want {
			t.Errorf("nmlPath(%q, %q, %q) = %q, want %q", tc.volume, tc.dir, tc.file, got, tc.want)
		}
	}
	for _, bad := range []string{"", "<html></html>", "<NML><COLLECTION><ENTRY TITLE=\"x\""} {
		if _, err := parseNML(strings.NewReader(bad)); err == nil {
			t.Errorf("parseNML(%q) took it", bad)
		}
	}
}
