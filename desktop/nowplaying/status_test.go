package nowplaying

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// statusLog records what a watcher reports, through a Tracker.
type statusLog struct {
	mu  sync.Mutex
	all []Status
	tr  *Tracker
}

func newStatusLog(spec Spec) *statusLog {
	l := &statusLog{}
	l.tr = NewTracker(spec, func(s Status) {
		l.mu.Lock()
		l.all = append(l.all, s)
		l.mu.Unlock()
	})
	return l
}

// wait returns the first status in state, failing after eventWait.
func (l *statusLog) wait(t *testing.T, state State) Status {
	t.Helper()
	deadline := time.Now().Add(eventWait)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, s := range l.all {
			if s.State == state {
				l.mu.Unlock()
				return s
			}
		}
		l.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("no status %d within 10 s; got %+v", state, l.all)
	return Status{}
}

func TestStatusFromWatchers(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	t.Run("rekordbox wrong key", func(t *testing.T) {
		dir := rekordboxDir(t, "right", rbPlay{id: 1, path: "/a.mp3", artist: "A", title: "B", at: now})
		l := newStatusLog(Spec{Kind: SourceRekordbox, Location: dir})
		startWatcher(t, newTestRekordbox(dir, "wrong"), Options{OnStatus: l.tr.Report})
		s := l.wait(t, StateWrongKey)
		if !strings.Contains(s.Text(), "wrong key") || !strings.Contains(s.Text(), "key box") {
			t.Errorf("text %q does not say wrong key and where to paste it", s.Text())
		}
	})
	t.Run("not found, then found, then a play", func(t *testing.T) {
		lib := filepath.Join(t.TempDir(), "Engine Library")
		l := newStatusLog(Spec{Kind: SourceEngineDJ, Location: lib})
		out := startWatcher(t, func(o Options) Watcher { return NewEngineDJ(lib, o) }, Options{OnStatus: l.tr.Report})
		s := l.wait(t, StateNotFound)
		if want := filepath.Join(lib, "Database2", "hm.db"); s.Location != want || !strings.Contains(s.Text(), want+" not found") {
			t.Errorf("not found status %+v / %q, want the path %s", s, s.Text(), want)
		}
		_, db := engineDBAt(t, lib)
		l.wait(t, StateWaiting)
		enginePlay(t, db, "../Music/Ça.mp3", "Zaz", "Ça va", now)
		e := nextEvent(t, out)
		l.tr.Played(e)
		s = l.tr.Status()
		if s.State != StateFollowing || !s.LastTrack.Equal(now) || !strings.Contains(s.Text(), "Zaz – Ça va") || !strings.Contains(s.Text(), now.Format("15:04")) {
			t.Errorf("after a play: %+v / %q", s, s.Text())
		}
	})
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"another program's database", func(t *testing.T, path string) { engineDBAt(t, filepath.Dir(filepath.Dir(path))) }},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("Artist - Title\n", 400)), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run("djay: "+tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x", "Database2", "hm.db")
			mkdirAll(t, filepath.Dir(path))
			tc.write(t, path)
			l := newStatusLog(Spec{Kind: SourceDjay, Location: path})
			startWatcher(t, func(o Options) Watcher { return NewDjay(path, o) }, Options{OnStatus: l.tr.Report})
			if s := l.wait(t, StateWrongFile); !strings.Contains(s.Text(), "is not djay Pro's database") {
				t.Errorf("text %q", s.Text())
			}
		})
	}
	t.Run("database locked", func(t *testing.T) {
		lib := filepath.Join(t.TempDir(), "Engine Library")
		path, db := engineDBAt(t, lib)
		if _, err := db.Exec(`PRAGMA journal_mode = DELETE`); err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`BEGIN EXCLUSIVE`); err != nil {
			t.Fatal(err)
		}
		defer db.Exec(`COMMIT`)
		l := newStatusLog(Spec{Kind: SourceEngineDJ, Location: path})
		startWatcher(t, func(o Options) Watcher { return NewEngineDJ(path, o) }, Options{OnStatus: l.tr.Report})
		if s := l.wait(t, StateLocked); !strings.Contains(s.Text(), "locked") {
			t.Errorf("text %q", s.Text())
		}
	})
}

// engineDBAt creates hm.db under lib (rollback or WAL as engineDB).
func engineDBAt(t *testing.T, lib string) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(lib, "Database2", "hm.db")
	mkdirAll(t, filepath.Dir(path))
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(engineSchema); err != nil {
		t.Fatal(err)
	}
	return path, db
}

func TestStatusText(t *testing.T) {
	at := time.Date(2026, 12, 3, 21, 4, 0, 0, time.Local)
	tests := []struct {
		st   Status
		want []string
	}{
		{Status{Kind: SourceRekordbox, State: StateStarting}, []string{"Looking for rekordbox"}},
		{Status{Kind: SourceMixxx, Location: "/x/mixxxdb.sqlite", State: StateWaiting}, []string{"Following Mixxx", "/x/mixxxdb.sqlite", "no track played yet"}},
		{Status{Kind: SourceVirtualDJ, State: StateFollowing, LastTrack: at, LastTitle: "Beyoncé – Halo"}, []string{"Following VirtualDJ", "21:04", "Beyoncé – Halo"}},
		{Status{Kind: SourceSerato, Location: `C:\Users\dj\Music\_Serato_`, State: StateNotFound}, []string{`C:\Users\dj\Music\_Serato_ not found`, "Is Serato installed"}},
		{Status{Kind: SourceEngineDJ, State: StateLocked}, []string{"locked", "tries again"}},
		{Status{Kind: SourceRekordbox, State: StateWrongKey}, []string{"wrong key", "key box of the Live pane", "PIKA_REKORDBOX_KEY", "go live again"}},
		{Status{Kind: SourceTraktor, Location: "127.0.0.1:8000", State: StateNoBroadcast}, []string{"no broadcast yet on 127.0.0.1:8000", "Port 8000"}},
		{Status{Kind: SourceM3U, State: StateUnreadable, Problem: "permission denied"}, []string{"cannot read", "permission denied"}},
		{Status{Kind: SourceDjay, Location: "/Users/dj/Music/mixxxdb.sqlite", State: StateWrongFile}, []string{"/Users/dj/Music/mixxxdb.sqlite is not djay Pro's database", "leave it empty"}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.st.State), func(t *testing.T) {
			got := tc.st.Text()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Text() = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func TestStatusOf(t *testing.T) {
	_, notExist := os.Stat(filepath.Join(t.TempDir(), "nope.db"))
	tests := []struct {
		err  error
		want State
	}{
		{nil, StateWaiting},
		{fmt.Errorf("open: %w", notExist), StateNotFound},
		{fmt.Errorf("x: %w", ErrWrongKey), StateWrongKey},
		{fmt.Errorf("read: database is locked (5) (SQLITE_BUSY)"), StateLocked},
		{fmt.Errorf("read djay library: SQL logic error: no such table: database2 (1)"), StateWrongFile},
		{fmt.Errorf("open: file is not a database (26)"), StateWrongFile},
		{fmt.Errorf("garbage"), StateUnreadable},
	}
	for _, tc := range tests {
		if got := statusOf("", "", tc.err).State; got != tc.want {
			t.Errorf("statusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
