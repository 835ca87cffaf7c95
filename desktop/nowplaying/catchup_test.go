package nowplaying

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A restart of Pika! within a session: what the DJ software logged while
// it was closed is sent with its real times, and what was relayed before
// (at or before Since) is not sent again.
func TestSinceCatchesUpAfterRestart(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	relayed := now.Add(-6 * time.Minute) // the last play relayed before quitting
	played := []struct {
		artist, title, path string
		at                  time.Time
	}{
		{"Old", "Relayed Long Ago", `C:\Music\a.mp3`, now.Add(-40 * time.Minute)},
		{"Marc Anthony", "Vivir Mi Vida", `C:\Music\b.mp3`, relayed},
		{"Zoë Keating", "Escape Artist", `C:\Música\c.flac`, now.Add(-4 * time.Minute)},
		{"Beyoncé", "Halo", `C:\Music\d.mp3`, now.Add(-30 * time.Second)},
	}
	sources := []struct {
		name  string
		setup func(t *testing.T) (mk func(Options) Watcher, add func(artist, title, path string, at time.Time))
	}{
		{"virtualdj", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			dir := t.TempDir()
			hist := filepath.Join(dir, "History")
			mkdirAll(t, hist)
			file := filepath.Join(hist, now.Format("2006-01-02")+".m3u")
			return func(o Options) Watcher { return NewVirtualDJ(dir, o) }, func(a, ti, p string, at time.Time) {
				appendFile(t, file, vdjEntry(a, ti, at)+p+"\r\n")
			}
		}},
		{"engine", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			lib, db := engineDB(t)
			return func(o Options) Watcher { return NewEngineDJ(lib, o) }, func(a, ti, p string, at time.Time) {
				enginePlay(t, db, p, a, ti, at)
			}
		}},
		{"rekordbox", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			dir := rekordboxDir(t, "k")
			n := 0
			return newTestRekordbox(dir, "k"), func(a, ti, p string, at time.Time) {
				n++
				sqlcipher4Exec(t, filepath.Join(dir, "master.db"), "k", rbPlay{id: n, path: p, artist: a, title: ti, at: at}.sql())
			}
		}},
		{"djay", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			dir, db := djayDB(t)
			return func(o Options) Watcher { return NewDjay(dir, o) }, func(a, ti, p string, at time.Time) {
				djayPlays(t, db, newDjayPlay(ti, a, "file:///"+url.PathEscape(p), at))
			}
		}},
		{"seratodb", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			dir, db := seratoDBAt(t)
			return func(o Options) Watcher { return NewSeratoDB(dir, o) }, func(a, ti, p string, at time.Time) {
				seratoDBLoad(t, db, 1, p, a, ti, 1, at, 1)
			}
		}},
		{"serato", func(t *testing.T) (func(Options) Watcher, func(string, string, string, time.Time)) {
			dir := filepath.Join(t.TempDir(), "_Serato_")
			sess := filepath.Join(dir, "History", "Sessions")
			mkdirAll(t, sess)
			file := filepath.Join(sess, "42.session")
			b := seratoHeader()
			one := byte(1)
			row := uint32(0)
			return func(o Options) Watcher { return NewSerato(dir, o) }, func(a, ti, p string, at time.Time) {
				row++
				b = append(b, seratoOent(seratoTrack{row: row, path: p, artist: a, title: ti, start: at, played: &one})...)
				if err := os.WriteFile(file, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			mk, add := src.setup(t)
			for _, p := range played[:3] {
				add(p.artist, p.title, p.path, p.at)
			}
			out := startWatcher(t, mk, Options{Recent: 6 * time.Minute, Since: relayed})
			e := nextEvent(t, out)
			if e.Artist != played[2].artist || e.Title != played[2].title || !e.StartedAt.Equal(played[2].at) {
				t.Fatalf("caught up %+v, want %s at %v", e, played[2].title, played[2].at)
			}
			// Then what is played next, and nothing relayed before.
			add(played[3].artist, played[3].title, played[3].path, played[3].at)
			e = nextEvent(t, out)
			if e.Title != played[3].title || !e.StartedAt.Equal(played[3].at) {
				t.Fatalf("next %+v, want %s", e, played[3].title)
			}
			select {
			case e := <-out:
				t.Errorf("sent again: %+v", e)
			case <-time.After(150 * time.Millisecond):
			}
		})
	}
}

func TestStartEventsBoundsCatchUp(t *testing.T) {
	since := time.Now().Add(-time.Hour)
	var all []Event
	for i := range MaxCatchUp + 50 {
		all = append(all, Event{Title: "t", StartedAt: since.Add(time.Duration(i-10) * time.Second)})
	}
	got := Options{Since: since}.withDefaults().startEvents(all)
	if len(got) != MaxCatchUp || !got[len(got)-1].StartedAt.Equal(all[len(all)-1].StartedAt) {
		t.Errorf("caught up %d, want the newest %d", len(got), MaxCatchUp)
	}
	if got := (Options{Recent: time.Minute}).withDefaults().startEvents(all); len(got) != 0 {
		t.Errorf("without Since, old entries sent: %d", len(got))
	}
}
