package nowplaying

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startWatcher runs w until the test ends and returns its events once its
// first look at the source is done.
func startWatcher(t *testing.T, mk func(Options) Watcher, opt Options) <-chan Event {
	t.Helper()
	ready := make(chan struct{})
	opt.PollInterval = 20 * time.Millisecond
	opt.ready = func() { close(ready) }
	w := mk(opt)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Event, 64)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("watcher stopped before it was ready: %v", err)
	case <-time.After(eventWait):
		t.Fatal("watcher never became ready")
	}
	return out
}

// eventWait is a hang guard, not a timing assertion: rekordbox's first
// read derives SQLCipher's key (PBKDF2-HMAC-SHA512, 256,000 rounds), which
// under the race detector on a busy CI machine takes seconds.
const eventWait = time.Minute

func nextEvent(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(eventWait):
		t.Fatalf("no event within %s", eventWait)
	}
	return Event{}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// settle gives the watcher a few poll rounds to look at a state that must
// not produce an event (a half-written line); correctness is asserted by
// the event that follows, not by timing.
func settle() { time.Sleep(100 * time.Millisecond) }

func vdjEntry(artist, title string, at time.Time) string {
	return fmt.Sprintf("#EXTVDJ:<time>%s</time><lastplaytime>%d</lastplaytime><filesize>8123456</filesize><artist>%s</artist><title>%s</title><songlength>215.3</songlength>\r\n",
		at.Format("15:04"), at.Unix(), artist, title)
}

func wantEvent(t *testing.T, got Event, path, artist, title string, at time.Time) {
	t.Helper()
	if got.Path != path || got.Artist != artist || got.Title != title || (!at.IsZero() && !got.StartedAt.Equal(at)) {
		t.Fatalf("event = %+v\nwant path %q artist %q title %q at %v", got, path, artist, title, at)
	}
}

func TestVirtualDJWatcher(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "History")
	if err := os.Mkdir(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	day1 := filepath.Join(hist, "2026-11-24.m3u")
	appendFile(t, day1, vdjEntry("Old", "Track One", now.Add(-2*time.Hour))+`C:\Music\old1.mp3`+"\r\n"+
		vdjEntry("Old", "Track Two", now.Add(-90*time.Minute))+`C:\Music\old2.mp3`+"\r\n"+
		vdjEntry("Marc Anthony", "Vivir Mi Vida", now.Add(-time.Minute))+`C:\Music\Salsa\Vivir.mp3`+"\r\n")

	ch := startWatcher(t, func(o Options) Watcher { return NewVirtualDJ(dir, o) }, Options{Recent: 5 * time.Minute})

	// Only the entry that started less than Recent ago is sent at start.
	wantEvent(t, nextEvent(t, ch), `C:\Music\Salsa\Vivir.mp3`, "Marc Anthony", "Vivir Mi Vida", now.Add(-time.Minute))

	// Entries appended line by line, the path in two writes.
	tracks := []struct{ artist, title, path string }{
		{"Simon &amp; Garfunkel", "Cecilia", `D:\Música\Simon & Garfunkel - Cecilia.flac`},
		{"Beyoncé", "Crazy in Love", `C:\Users\Marta\Music\Beyoncé - Crazy in Love.m4a`},
		{"Romeo Santos", "Propuesta Indecente &lt;Live&gt;", `\\NAS\share\Bachata\Propuesta.mp3`},
	}
	wantArtist := []string{"Simon & Garfunkel", "Beyoncé", "Romeo Santos"}
	wantTitle := []string{"Cecilia", "Crazy in Love", "Propuesta Indecente <Live>"}
	for i, tr := range tracks {
		at := now.Add(time.Duration(i) * time.Second)
		appendFile(t, day1, vdjEntry(tr.artist, tr.title, at))
		settle()
		half := len(tr.path) / 2
		appendFile(t, day1, tr.path[:half])
		settle()
		appendFile(t, day1, tr.path[half:]+"\r\n")
		wantEvent(t, nextEvent(t, ch), tr.path, wantArtist[i], wantTitle[i], at)
	}

	// Midnight: the last track of the old day, then the new day's file.
	appendFile(t, day1, vdjEntry("Before", "Midnight", now.Add(10*time.Second))+`C:\Music\before.mp3`+"\r\n")
	day2 := filepath.Join(hist, "2026-11-25.m3u")
	appendFile(t, day2, vdjEntry("After", "Midnight", now.Add(20*time.Second))+`C:\Music\after.mp3`+"\r\n")
	wantEvent(t, nextEvent(t, ch), `C:\Music\before.mp3`, "Before", "Midnight", now.Add(10*time.Second))
	wantEvent(t, nextEvent(t, ch), `C:\Music\after.mp3`, "After", "Midnight", now.Add(20*time.Second))

	// The file is truncated and rewritten: read again from its start, and
	// an entry already sent is not sent twice.
	if err := os.WriteFile(day2, []byte(vdjEntry("After", "Midnight", now.Add(20*time.Second))+`C:\Music\after.mp3`+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(day2, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, day2, vdjEntry("After", "Midnight", now.Add(20*time.Second))+`C:\Music\after.mp3`+"\r\n"+
		vdjEntry("Fresh", "Start", now.Add(30*time.Second))+`C:\Music\fresh.mp3`+"\r\n")
	wantEvent(t, nextEvent(t, ch), `C:\Music\fresh.mp3`, "Fresh", "Start", now.Add(30*time.Second))
}

func TestVirtualDJWatcherWithoutHistoryYet(t *testing.T) {
	dir := t.TempDir()
	ch := startWatcher(t, func(o Options) Watcher { return NewVirtualDJ(dir, o) }, Options{})
	// VirtualDJ creates History and the day's file only when the first
	// track plays: that first track is new.
	if err := os.Mkdir(filepath.Join(dir, "History"), 0o755); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Truncate(time.Second)
	appendFile(t, filepath.Join(dir, "History", "2026-11-25.m3u"), vdjEntry("First", "Song", at)+"/music/first.mp3\n")
	wantEvent(t, nextEvent(t, ch), "/music/first.mp3", "First", "Song", at)
}

func TestVirtualDJTracklist(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "History")
	if err := os.Mkdir(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	tl := filepath.Join(hist, "tracklist.txt")
	now := time.Now()
	appendFile(t, tl, "VirtualDJ History 2026/11/25\r\n------------------------------\r\n\r\n"+now.Format("15:04")+" : Buena Vista Social Club - Chan Chan\r\n")
	ch := startWatcher(t, func(o Options) Watcher { return NewVirtualDJ(dir, o) }, Options{Recent: 5 * time.Minute})
	e := nextEvent(t, ch)
	wantEvent(t, e, "", "Buena Vista Social Club", "Chan Chan", time.Time{})
	appendFile(t, tl, now.Format("15:04")+" : Beyonc\xe9 - Crazy in Love")
	settle()
	appendFile(t, tl, "\r\n")
	e = nextEvent(t, ch)
	wantEvent(t, e, "", "Beyoncé", "Crazy in Love", time.Time{})
	if e.StartedAt.Format("15:04") != now.Format("15:04") {
		t.Errorf("started at %v, want %s", e.StartedAt, now.Format("15:04"))
	}
}

func TestM3UWatcher(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.m3u8")
	fixture, err := os.ReadFile("testdata/playlist.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	ch := startWatcher(t, func(o Options) Watcher { return NewM3U(path, o) }, Options{Recent: time.Hour})
	appendFile(t, path, "#EXTINF:245,Prince Royce - Darte un Beso\n")
	settle()
	appendFile(t, path, "/home/marta/Music/Bachata/Prince Royce - Darte un Beso.mp3\n")
	e := nextEvent(t, ch)
	// Plain M3U has no times and existing lines are never sent, even with
	// Recent set: the first event is the appended line.
	wantEvent(t, e, "/home/marta/Music/Bachata/Prince Royce - Darte un Beso.mp3", "Prince Royce", "Darte un Beso", time.Time{})
	if e.Source != SourceM3U || e.StartedAt.Before(before) {
		t.Errorf("event = %+v", e)
	}
	// Replaced by a shorter file (a new playlist): read from the start.
	if err := os.WriteFile(path, []byte("#EXTM3U\n/x/new.mp3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, nextEvent(t, ch), "/x/new.mp3", "", "", time.Time{})
}

func TestM3UWatcherFileCreatedLater(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "later.m3u")
	ch := startWatcher(t, func(o Options) Watcher { return NewM3U(path, o) }, Options{})
	appendFile(t, path, "#EXTM3U\n#EXTINF:200,Kaysha - Dîner aux chandelles\n/m/Kaysha.mp3\n")
	wantEvent(t, nextEvent(t, ch), "/m/Kaysha.mp3", "Kaysha", "Dîner aux chandelles", time.Time{})
}

func TestManual(t *testing.T) {
	m := NewManual()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := make(chan Event)
	go func() { _ = m.Run(ctx, ch) }()
	at := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	go func() { _ = m.Play(ctx, Event{Path: "/m/a.mp3", Artist: "A", Title: "T", StartedAt: at}) }()
	e := nextEvent(t, ch)
	wantEvent(t, e, "/m/a.mp3", "A", "T", at)
	if e.Source != SourceManual {
		t.Errorf("source = %q", e.Source)
	}
}

func TestM3UWatcherHostileInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.m3u")
	ch := startWatcher(t, func(o Options) Watcher { return NewM3U(path, o) }, Options{})
	// A megabyte without a newline, binary junk, an absurd VirtualDJ line:
	// skipped, and the entry after them still arrives.
	appendFile(t, path, strings.Repeat("x", 1<<20))
	settle()
	appendFile(t, path, "\n\x00\xff\xfe\x01garbage\n#EXTVDJ:<lastplaytime>-1</lastplaytime><artist>"+strings.Repeat("&amp;", 5000)+"</artist>\n/m/amp.mp3\n")
	appendFile(t, path, "#EXTINF:10,Orphan - Description\n#EXTINF:10,Ok - Fine\n/m/fine.mp3\n")
	var got []Event
	for len(got) == 0 || got[len(got)-1].Path != "/m/fine.mp3" {
		got = append(got, nextEvent(t, ch))
	}
	// The junk lines are not M3U comments, so they count as (odd) paths;
	// the long run of x's is dropped, never buffered.
	for _, e := range got {
		if strings.HasPrefix(e.Path, "xxxx") {
			t.Errorf("the over-long line was delivered (%d bytes)", len(e.Path))
		}
		if e.Path == "/m/amp.mp3" && e.Artist != strings.Repeat("&", 300) {
			t.Errorf("a 5000-character artist was not cut to 300: %d", len(e.Artist))
		}
	}
	last := got[len(got)-1]
	if last.Artist != "Ok" || last.Title != "Fine" {
		t.Errorf("last event = %+v", last)
	}
}
