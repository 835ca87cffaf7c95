package core

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/relay/relaytest"
)

// Issue 12's "play lost across a restart": quit while live, tracks play in
// VirtualDJ, reopen and go live again within the resume window: those
// tracks reach the relay with their real start times, and the one relayed
// before the quit is not announced again.
func TestPlaysWhileClosedAreCaughtUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	cfgDir := t.TempDir()
	vdj := t.TempDir()
	hist := filepath.Join(vdj, "History")
	if err := os.Mkdir(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	file := filepath.Join(hist, now.Format("2006-01-02")+".m3u")
	play := func(artist, title string, at time.Time) {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "#EXTVDJ:<time>%s</time><lastplaytime>%d</lastplaytime><artist>%s</artist><title>%s</title>\r\nC:\\Music\\%s.mp3\r\n",
			at.Format("15:04"), at.Unix(), artist, title, title)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	source := "virtualdj:" + vdj

	core := openCore(t, ctx, cfgDir, relay, token, 0)
	events, stop := core.Events()
	if err := core.GoLive(ctx, source, "Saturday Social", ""); err != nil {
		t.Fatal(err)
	}
	sess := nextEvent[SessionChanged](t, ctx, events, nil)
	play("Ana", "Before Quit", now.Add(-4*time.Minute))
	nextEvent(t, ctx, events, func(e Playing) bool { return e.Track.Title == "Before Quit" })
	until(t, ctx, "the source status to show the play", func() bool {
		s := core.LiveState().SourceStatus
		return s.State == nowplaying.StateFollowing && s.LastTitle == "Ana – Before Quit" && s.LastTrack.Equal(now.Add(-4*time.Minute))
	})
	until(t, ctx, "the play to reach the relay", func() bool { st := core.LiveState(); return st.Connected && st.Outbox == 0 })
	stop()
	if err := core.Close(); err != nil {
		t.Fatal(err)
	}

	// Closed: two tracks play.
	closed := []struct {
		title string
		at    time.Time
	}{{"While Closed One", now.Add(-3 * time.Minute)}, {"While Closed Two", now.Add(-time.Minute)}}
	for _, c := range closed {
		play("Ana", c.title, c.at)
	}

	core2 := openCore(t, ctx, cfgDir, relay, token, 0)
	defer core2.Close()
	events2, stop2 := core2.Events()
	defer stop2()
	if err := core2.GoLive(ctx, source, "Saturday Social", ""); err != nil {
		t.Fatal(err)
	}
	if again := nextEvent[SessionChanged](t, ctx, events2, nil); again.ID != sess.ID || !again.Resumed {
		t.Fatalf("session %+v, want %s resumed", again, sess.ID)
	}
	// The play is in the live state before it is queued, so an empty
	// outbox alone proves nothing: the relay's echo (its play id) does.
	until(t, ctx, "the caught-up plays to reach the relay", func() bool {
		st := core2.LiveState()
		return st.Connected && st.Outbox == 0 && st.NowPlaying != nil && st.NowPlaying.Track.Title == closed[1].title && st.NowPlaying.PlayID != ""
	})
	_, state := relay.Join(t, sess.ID, "dancer-ana-1", "")
	count := map[string]int{}
	for _, h := range state.History {
		count[h.Track.Title]++
		for _, c := range closed {
			if h.Track.Title == c.title && !h.StartedAt.Equal(c.at) {
				t.Errorf("%s started at %v on the relay, really at %v", c.title, h.StartedAt, c.at)
			}
		}
	}
	for _, title := range []string{"Before Quit", closed[0].title, closed[1].title} {
		if count[title] != 1 {
			t.Errorf("%q is %d times in the history %+v, want once", title, count[title], state.History)
		}
	}
}

// The Live pane's source status: a source that is not there says so, with
// the path, as an event and in the live state.
func TestSourceStatusReachesTheUI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	missing := filepath.Join(t.TempDir(), "Pioneer", "rekordbox", "master.db")
	if err := core.GoLive(ctx, "rekordbox:"+missing, "Status", ""); err != nil {
		t.Fatal(err)
	}
	st := nextEvent(t, ctx, events, func(e SourceStatusChanged) bool { return e.State == nowplaying.StateNotFound })
	if st.Location != missing || !strings.Contains(st.Text(), missing+" not found") {
		t.Errorf("status %+v: %q", st.Status, st.Text())
	}
	if got := core.LiveState().SourceStatus; got.State != nowplaying.StateNotFound {
		t.Errorf("live state's source status %+v", got)
	}
}

// A Traktor broadcast play of a track not in the library reaches the
// dancers with the BPM and key from Traktor's collection.nml.
func TestTraktorPlayTakesNumbersFromCollection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	nml := filepath.Join(t.TempDir(), "collection.nml")
	if err := os.WriteFile(nml, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<NML VERSION="19"><HEAD COMPANY="www.native-instruments.com" PROGRAM="Traktor"></HEAD><COLLECTION ENTRIES="1">
<ENTRY TITLE="Escape Artist" ARTIST="Zoë Keating"><LOCATION DIR="/:Users/:dj/:Music/:" FILE="Escape Artist.flac" VOLUME="Macintosh HD"></LOCATION>
<TEMPO BPM="116.000000" BPM_QUALITY="100.000000"></TEMPO><MUSICAL_KEY VALUE="21"></MUSICAL_KEY></ENTRY></COLLECTION></NML>`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PIKA_TRAKTOR_COLLECTION", nml)
	t.Setenv("PIKA_BROADCAST_PASSWORD", "pw")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	events, stop := core.Events()
	defer stop()
	if err := core.GoLive(ctx, fmt.Sprintf("traktor:%d", port), "Traktor", ""); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, ctx, events, func(e SourceStatusChanged) bool { return e.State == nowplaying.StateNoBroadcast })
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("http://127.0.0.1:%d/admin/metadata?mode=updinfo&song=%s", port, url.QueryEscape("Zoë Keating - Escape Artist")), nil)
	req.SetBasicAuth("source", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p := nextEvent(t, ctx, events, func(e Playing) bool { return e.Track.Title == "Escape Artist" })
	if p.Track.BPM == nil || *p.Track.BPM != 116 || p.Track.Key != "A minor" || p.Track.Camelot != "8A" || p.Path != "/Users/dj/Music/Escape Artist.flac" {
		t.Errorf("play %+v (BPM %v)", p.NowPlaying, p.Track.BPM)
	}
}
