package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestStagesAndLiveOnAStage: a DJ invited to an event lists its stages,
// goes live on one by its slug, and is told when a track repeats what
// another DJ played at the event.
func TestStagesAndLiveOnAStage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola")
	cfgDir := filepath.Join(t.TempDir(), "config")
	common := []string{"--config", cfgDir, "--no-keyring"}
	ana := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	env := Env{Getenv: func(k string) string {
		return map[string]string{"PIKA_RELAY_URL": r.URL, "PIKA_TOKEN": ana}[k]
	}}
	code, out, errOut := pika(t, ctx, env, append(common, "stages")...)
	if code != 0 || !strings.Contains(out, "You play at no event yet") {
		t.Errorf("pika stages before any invitation: %d\n%s%s", code, out, errOut)
	}

	ev, stages := r.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main", "Blues room=swing-blues")
	blues := stages[1]
	ana = r.EventDJ(t, org, ev.ID, "ana2@example.com", "DJ Ana")
	ben := r.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")
	code, out, errOut = pika(t, ctx, env, append(common, "stages")...)
	for _, want := range []string{"swing-main", "Main ballroom", "swing-blues", "Swing Weekend", "2026-12-04 – 2026-12-06", "pika live --stage SLUG"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("pika stages: %d, no %q in\n%s%s", code, want, out, errOut)
		}
	}

	// Ben plays a song in the blues room, over the protocol as his app would.
	benConn := r.Dial(t, nil)
	benConn.MustOK(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: ben, Name: "Ben's blues", StageID: blues.ID})
	music := t.TempDir()
	testenv.CopyFile(t, testenv.CorpusFile(t, "06-dsoul-96-Fmaj.mp3"), filepath.Join(music, "06-dsoul-96-Fmaj.mp3"))
	if code, out, errOut := pika(t, ctx, env, append(common, "import", music)...); code != 0 {
		t.Fatalf("pika import: %d\n%s%s", code, out, errOut)
	}

	lc, err := core.Open(ctx, core.Config{ConfigDir: cfgDir, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	tracks, err := lc.Tracks(ctx, library.Filter{})
	lc.Close()
	if err != nil || len(tracks) != 1 {
		t.Fatalf("library: %v, %v", tracks, err)
	}
	tr := tracks[0].Protocol()
	benConn.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: tr.Artist, Title: tr.Title}})

	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	cores := make(chan *core.Core, 1)
	var liveOut syncBuffer
	liveDone := make(chan int, 1)
	go func() {
		code, _, _ := pika(t, liveCtx, Env{Getenv: env.Getenv, Stdout: &liveOut, Stderr: &liveOut, Ready: func(c *core.Core) { cores <- c }},
			append(common, "live", "--source", "manual", "--session-name", "Ana's Friday", "--stage", "swing-main")...)
		liveDone <- code
	}()
	defer func() {
		if t.Failed() {
			t.Logf("pika live output:\n%s", liveOut.String())
		}
	}()
	pc, sess := waitLive(t, ctx, cores)
	if !strings.HasSuffix(sess.JoinURL+sess.LocalJoinURL, "/s/swing-main") {
		t.Errorf("join links %q / %q: the stage's link expected", sess.JoinURL, sess.LocalJoinURL)
	}
	// The set reads the event's plays as it starts.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, w := pc.PlayedAtEvent(tr.Artist, tr.Title); w != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the live set never learnt Ben's play")
		}
	}
	if err := pc.SendManual(ctx, tracks[0].ID); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(liveOut.String(), "Already played at this event: by DJ Ben on Blues room"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no repeat warning printed")
		}
	}
	if !strings.Contains(liveOut.String(), "on the stage Main ballroom · Swing Weekend") {
		t.Error("pika live did not say which stage it is on")
	}
	stopLive()
	if code := <-liveDone; code != 0 {
		t.Errorf("pika live exited %d", code)
	}
}
