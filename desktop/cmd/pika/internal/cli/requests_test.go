package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestLiveTakesRequests: `pika live --requests` publishes the library as
// the request list and prints the queue as dancers ask.
func TestLiveTakesRequests(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "req-cli@example.com", "DJ Cli")
	cfgDir, music := t.TempDir(), t.TempDir()
	for _, n := range []string{"02-bvfunk-112-Dmin.mp3", "06-dsoul-96-Fmaj.mp3"} {
		testenv.CopyFile(t, testenv.CorpusFile(t, n), filepath.Join(music, n))
	}
	pc, err := core.Open(ctx, core.Config{ConfigDir: cfgDir, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.ImportFolder(ctx, music); err != nil {
		t.Fatal(err)
	}
	tracks, err := pc.Tracks(ctx, library.Filter{})
	if err != nil || len(tracks) != 2 {
		t.Fatalf("tracks %d, %v", len(tracks), err)
	}
	pc.Close()

	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	cores := make(chan *core.Core, 1)
	done := make(chan int, 1)
	var out syncBuffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Ready: func(c *core.Core) { cores <- c }}
	go func() {
		code, _, _ := pika(t, liveCtx, env, "--config", cfgDir, "--no-keyring", "live", "--relay", relay.URL, "--token", token,
			"--source", "manual", "--session-name", "Cli requests", "--requests", "--requests-free-text")
		done <- code
	}()
	live, sess := waitLive(t, ctx, cores)
	waitOutput := func(want string) {
		t.Helper()
		for !strings.Contains(out.String(), want) {
			select {
			case <-ctx.Done():
				t.Fatalf("output never said %q:\n%s", want, out.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitOutput("Requests on: 2 tracks requestable")
	for live.LiveState().Outbox != 0 {
		time.Sleep(20 * time.Millisecond)
	}
	dancer, st := relay.Join(t, sess.ID, "page-cli", "")
	if st.Requests == nil || !st.Requests.FreeText {
		t.Fatalf("requests status %+v, want free text allowed", st.Requests)
	}
	dancer.MustOK(t, protocol.TypeRequestTrack, protocol.RequestTrack{TrackID: strconv.FormatInt(tracks[0].ID, 10)})
	waitOutput("Requests waiting: 1")
	waitOutput("×1 " + tracks[0].Protocol().Title)
	stopLive()
	if code := <-done; code != 0 {
		t.Errorf("pika live exited %d:\n%s", code, out.String())
	}
}
