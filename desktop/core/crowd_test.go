package core

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// Two sets against a real relay: after each ends the app fetches its
// recap, and the library shows every track's crowd memory across both;
// the first set exports as M3U with the library's files and as CSV.
func TestCrowdMemoryAndSetExport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "cro@example.com", "DJ Cro")
	core := openCore(t, ctx, t.TempDir(), relay, token, 0)
	defer core.Close()
	lib := knownTracks(t, ctx, core, map[string]library.Analysis{
		"Band - One":   {BPM: 98, Key: "A minor", Camelot: "8A"},
		"Band - Two":   {BPM: 100, Key: "A minor", Camelot: "8A"},
		"Band - Three": {BPM: 102, Key: "A minor", Camelot: "8A"},
	})
	events, stop := core.Events()
	defer stop()

	type play struct {
		track string
		likes int
		votes []string
	}
	sets := []struct {
		dancers int
		plays   []play
	}{
		{3, []play{
			{track: "Band - One", likes: 2, votes: []string{protocol.VoteSlower, protocol.VoteSlower, protocol.VotePerfect}},
			{track: "Band - Two", likes: 1},
		}},
		{2, []play{
			{track: "Band - One", likes: 1, votes: []string{protocol.VoteFaster, protocol.VoteFaster}},
		}},
	}
	var sessions []string
	peak := 0
	for i, set := range sets {
		if err := core.GoLive(ctx, "manual", fmt.Sprintf("Set %d", i+1), ""); err != nil {
			t.Fatal(err)
		}
		sess := nextEvent[SessionChanged](t, ctx, events, func(e SessionChanged) bool { return !e.Ended && e.ID != "" }).Session
		sessions = append(sessions, sess.ID)
		var dancers []*relaytest.Client
		for d := range set.dancers {
			c, _ := relay.Join(t, sess.ID, fmt.Sprintf("dancer-cro-%d-%d", i, d), "")
			dancers = append(dancers, c)
		}
		for _, p := range set.plays {
			if err := core.SendManual(ctx, lib[p.track].ID); err != nil {
				t.Fatal(err)
			}
			pl := dancers[0].ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
				return f.Payload.(*protocol.Play).Track.Title == lib[p.track].Tags.Title
			}).Payload.(*protocol.Play)
			for d := range p.likes {
				dancers[d].MustOK(t, protocol.TypeLike, protocol.Like{PlayID: pl.PlayID})
			}
			for d, v := range p.votes {
				dancers[d].MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: pl.PlayID, Vote: v})
			}
		}
		var rc protocol.Recap
		if s := relay.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", token, nil, &rc); s != http.StatusOK {
			t.Fatalf("recap: %d", s)
		}
		peak += rc.PeakListeners
		if err := core.End(ctx); err != nil {
			t.Fatal(err)
		}
		n := i + 1
		until(t, ctx, fmt.Sprintf("the recap of set %d in the crowd memory", n), func() bool {
			ts, err := core.Tracks(ctx, library.Filter{Text: "One"})
			return err == nil && len(ts) == 1 && ts[0].Crowd != nil && ts[0].Crowd.Sessions == n
		})
	}

	tracks, err := core.Tracks(ctx, library.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"One":   fmt.Sprintf("played 2×, %.1f likes per 10 listeners, room wanted it slower 1×, room wanted it faster 1×", 30/float64(peak)),
		"Two":   fmt.Sprintf("played 1×, %.1f likes per 10 listeners", 10/float64(peak-2)),
		"Three": "",
	}
	for _, tr := range tracks {
		got := ""
		if tr.Crowd != nil {
			got = tr.Crowd.Text()
		}
		if got != want[tr.Tags.Title] {
			t.Errorf("%s: crowd %q, want %q", tr.Tags.Title, got, want[tr.Tags.Title])
		}
	}

	var m3u, sheet bytes.Buffer
	if n, err := core.ExportSet(ctx, sessions[0], "m3u", &m3u); err != nil || n != 2 {
		t.Fatalf("export m3u: %d, %v", n, err)
	}
	wantM3U := "#EXTM3U\n#EXTINF:-1,Band - One\n" + lib["Band - One"].Path + "\n#EXTINF:-1,Band - Two\n" + lib["Band - Two"].Path + "\n"
	if m3u.String() != wantM3U {
		t.Errorf("m3u:\n%s\nwant:\n%s", m3u.String(), wantM3U)
	}
	if _, err := core.ExportSet(ctx, sessions[0], "csv", &sheet); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&sheet).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv rows %q, %v", rows, err)
	}
	if got := strings.Join(rows[1][2:10], "|"); got != "Band|One|98.0|8A|2|0|2|1" {
		t.Errorf("csv row %q", got)
	}
	if _, err := time.Parse(time.RFC3339, rows[1][1]); err != nil || rows[1][10] != lib["Band - One"].Path {
		t.Errorf("csv row %q", rows[1])
	}
	if _, err := core.ExportSet(ctx, sessions[0], "xls", &sheet); err == nil {
		t.Error("an unknown format is taken")
	}

	// The relay gone, the export comes from the crowd memory.
	relay.Stop()
	m3u.Reset()
	if _, err := core.ExportSet(ctx, sessions[1], "m3u", &m3u); err != nil || !strings.Contains(m3u.String(), lib["Band - One"].Path) {
		t.Errorf("offline export: %q, %v", m3u.String(), err)
	}
}

func TestWriteSetHostileNames(t *testing.T) {
	set := []SetTrack{
		{SetPlay: library.SetPlay{Artist: "=HYPERLINK(\"x\")", Title: "Line\nbreak"}, Path: "/m/a.mp3"},
		{SetPlay: library.SetPlay{Title: "Not here"}},
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
		want  string
	}{
		{"m3u", func(b *bytes.Buffer) error { return WriteM3U(b, set) },
			"#EXTM3U\n#EXTINF:-1,=HYPERLINK(\"x\") - Line break\n/m/a.mp3\n# not in the library: Not here\n"},
		{"csv", func(b *bytes.Buffer) error { return WriteCSV(b, set) },
			"position,started_at,artist,title,bpm,key,likes,faster,slower,perfect,path\n" +
				"1,0001-01-01T00:00:00Z,\"'=HYPERLINK(\"\"x\"\")\",\"Line\nbreak\",,,0,0,0,0,/m/a.mp3\n" +
				"2,0001-01-01T00:00:00Z,,Not here,,,0,0,0,0,\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := tt.write(&b); err != nil || b.String() != tt.want {
			t.Errorf("%s:\n%q\nwant\n%q (%v)", tt.name, b.String(), tt.want, err)
		}
	}
}
