package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// One track with known numbers in the library of config dir cfg.
func knownTrack(t *testing.T, ctx context.Context, cfg, name string, a library.Analysis) library.Track {
	t.Helper()
	pc, err := core.Open(ctx, core.Config{ConfigDir: cfg, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	p := filepath.Join(t.TempDir(), name+".wav")
	if err := os.WriteFile(p, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := pc.Library().ImportFile(ctx, p, library.SourceFolder)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Library().SetAnalysis(ctx, tr.ID, a); err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrackCorrections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	tr := knownTrack(t, ctx, dir, "Band - Fast", library.Analysis{BPM: 196, Key: "A minor", Camelot: "8A"})
	id := strconv.FormatInt(tr.ID, 10)
	cfg := []string{"--config", dir, "--no-keyring"}
	tests := []struct {
		args    []string
		code    int
		out     string // in the printed row, or the error
		wantBPM float64
	}{
		{[]string{"track", "set-bpm", id, "/2"}, 0, "98.0", 98},
		{[]string{"track", "set-bpm", id, "x3/2"}, 0, "147.0", 147},
		{[]string{"track", "set-bpm", id, "99,5"}, 0, "99.5", 99.5},
		{[]string{"track", "set-key", id, "C major"}, 0, "8B · C major", 99.5},
		{[]string{"track", "set-bpm", id, "clear"}, 0, "196.0", 196},
		{[]string{"track", "set-key", id, "clear"}, 0, "8A · A minor", 196},
		{[]string{"track", "set-bpm", id, "fast"}, 2, "is not a tempo", 196},
		{[]string{"track", "set-bpm", id, "900"}, 1, "outside 20–300", 196},
		{[]string{"track", "set-key", id, "H"}, 1, "is not a key", 196},
		{[]string{"track", "set-bpm", "abc", "98"}, 2, "is not a track id", 196},
		{[]string{"track", "set-bpm", "4242", "98"}, 1, "not found", 196},
		{[]string{"track", "turn", id, "98"}, 2, "Unknown track command", 196},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := pika(t, ctx, Env{}, append(cfg, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.out) {
				t.Errorf("exit %d, out %q %q; want %d and %q", code, out, errOut, tt.code, tt.out)
			}
			pc, err := core.Open(ctx, core.Config{ConfigDir: dir, NoKeyring: true})
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			got, err := pc.Library().Track(ctx, tr.ID)
			if err != nil || got.BPM() != tt.wantBPM || got.Analysis.BPM != 196 {
				t.Errorf("stored BPM %g (analysis %+v), want %g", got.BPM(), got.Analysis, tt.wantBPM)
			}
		})
	}
}

// A set played on a real relay: pika crowd fetch keeps its recap, pika
// export writes it as M3U with the library's file and as CSV.
func TestCrowdFetchAndExport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "exp@example.com", "DJ Exp")
	dir := t.TempDir()
	tr := knownTrack(t, ctx, dir, "Band - Kept", library.Analysis{BPM: 98, Key: "A minor", Camelot: "8A"})
	dj, reg := relay.StartSession(t, token, "Export night", "")
	bpm := 98.0
	for _, title := range []string{"Kept", "Elsewhere"} {
		dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band", Title: title, BPM: &bpm}})
	}
	dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	env := Env{Getenv: func(k string) string {
		if k == "PIKA_TOKEN" {
			return token
		}
		return ""
	}}
	cfg := []string{"--config", dir, "--no-keyring"}
	relayArg := []string{"--relay", relay.URL}

	code, out, errOut := pika(t, ctx, env, append(append(cfg, "crowd", "fetch", reg.SessionID), relayArg...)...)
	if code != 0 || !strings.Contains(out, "Export night ("+reg.SessionID+"): 2 plays") {
		t.Fatalf("crowd fetch: %d %q %q", code, out, errOut)
	}
	code, out, errOut = pika(t, ctx, env, append(append(cfg, "export", "--session", reg.SessionID), relayArg...)...)
	want := "#EXTM3U\n#EXTINF:-1,Band - Kept\n" + tr.Path + "\n# not in the library: Band - Elsewhere\n"
	if code != 0 || out != want {
		t.Fatalf("export m3u: %d %q %q; want %q", code, out, errOut, want)
	}
	file := filepath.Join(t.TempDir(), "set.csv")
	code, _, errOut = pika(t, ctx, env, append(append(cfg, "export", "--session", reg.SessionID, "--out", file), relayArg...)...)
	data, err := os.ReadFile(file)
	if code != 0 || err != nil || !strings.Contains(string(data), ",Band,Kept,98.0,") || !strings.Contains(errOut, "Wrote 2 tracks") {
		t.Fatalf("export csv: %d %q %q %v", code, data, errOut, err)
	}
	// No relay: the export comes from the crowd memory.
	relay.Stop()
	code, out, errOut = pika(t, ctx, env, append(append(cfg, "export", "--session", reg.SessionID), relayArg...)...)
	if code != 0 || out != want {
		t.Fatalf("offline export: %d %q %q", code, out, errOut)
	}
	for _, args := range [][]string{{"export"}, {"export", "--session", reg.SessionID, "--format", "xls"}, {"crowd"}} {
		if code, _, _ := pika(t, ctx, env, append(cfg, args...)...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// pika live with the manual source prints the assistant's warnings as a
// track goes out.
func TestLiveManualPrintsWarnings(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "warn@example.com", "DJ Warn")
	dir := t.TempDir()
	first := knownTrack(t, ctx, dir, "Band - First", library.Analysis{BPM: 98, Key: "A minor", Camelot: "8A"})
	second := knownTrack(t, ctx, dir, "Band - Second", library.Analysis{BPM: 120, Key: "A minor", Camelot: "8A"})
	stdin, typed := io.Pipe()
	defer typed.Close()
	var out, errOut syncBuffer
	cores := make(chan *core.Core, 1)
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	done := make(chan int, 1)
	go func() {
		code, _, _ := pika(t, liveCtx, Env{Stdin: stdin, Stdout: &out, Stderr: &errOut, Ready: func(c *core.Core) { cores <- c }},
			"--config", dir, "--no-keyring", "live", "--source", "manual", "--relay", relay.URL, "--token", token)
		done <- code
	}()
	pc, _ := waitLive(t, ctx, cores)
	for _, tr := range []library.Track{first, second} {
		fmt.Fprintf(typed, "%d\n", tr.ID)
		for np := pc.LiveState().NowPlaying; np == nil || np.LibraryID != tr.ID; np = pc.LiveState().NowPlaying {
			select {
			case <-ctx.Done():
				t.Fatalf("track %d never played: %s", tr.ID, errOut.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	for !strings.Contains(errOut.String(), "Warning: Big tempo jump: 98 → 120 BPM (+22 %)") {
		select {
		case <-ctx.Done():
			t.Fatalf("no warning printed: %q", errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	stopLive()
	<-done
	if n := strings.Count(errOut.String(), "Warning: "); n != 1 {
		t.Errorf("%d warnings printed, want 1: %q", n, errOut.String())
	}
}
