package gui

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// screenshotDir is where screenshots go: $PIKA_TEST_OUTPUT/gui, else a
// temporary folder.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PIKA_TEST_OUTPUT")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "gui")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestWindowScreenshots opens the real window on the X display (Xvfb in
// scripts/test) in a child process and saves a PNG of every pane.
func TestWindowScreenshots(t *testing.T) {
	if os.Getenv(windowChildEnv) != "" {
		t.Skip("parent test only")
	}
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DISPLAY is not set: scripts/test starts Xvfb for this test")
		}
		t.Skip("no DISPLAY: the real-window test needs X (scripts/test starts Xvfb)")
	}
	out := screenshotDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestWindowChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), windowChildEnv+"=1", "PIKA_SCREENSHOT_DIR="+out)
	output, err := cmd.CombinedOutput()
	t.Logf("child output:\n%s", output)
	if err != nil {
		t.Fatalf("real-window child failed: %v", err)
	}
	for _, name := range append(screenshotNames(), "7-projector-qr.png") {
		p := filepath.Join(out, name)
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("screenshot missing: %v", err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if img.Bounds().Dx() < 800 || img.Bounds().Dy() < 500 {
			t.Errorf("%s is only %v", p, img.Bounds())
		}
		t.Logf("screenshot: %s", p)
	}
}

func screenshotNames() []string {
	panes := []string{paneLive, paneLibrary, paneAnalysis, panePolls, paneAnnouncements, paneSettings}
	names := make([]string, len(panes))
	for i, p := range panes {
		names[i] = fmt.Sprintf("%d-%s.png", i+1, strings.ToLower(p))
	}
	return names
}

// TestWindowChild runs in the child process with a real Fyne app.
func TestWindowChild(t *testing.T) {
	if realApp == nil {
		t.Skip("runs only as the child of TestWindowScreenshots")
	}
	out := os.Getenv("PIKA_SCREENSHOT_DIR")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pc, err := core.Open(ctx, core.Config{ConfigDir: t.TempDir(), NoKeyring: true, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	// Something to look at: a few analysed tracks, a live session on a
	// real relay with dancers reacting, an open poll and an announcement.
	dir := copyCorpus(t, "00-rnb-104-Amin.mp3", "03-8beat-120-Gmaj.ogg", "10-jazzrock-124-Abmaj.mp3", "15-twist-132-Emin.wav")
	// And one file that fails, for the Analysis pane's list.
	if err := os.WriteFile(filepath.Join(dir, "truncated-download.mp3"), []byte("ID3 but nothing after it"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.ImportFolder(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if err := pc.WaitAnalysis(ctx); err != nil {
		t.Fatal(err)
	}
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "screens@example.com", "DJ Screens")
	set := pc.Settings()
	set.RelayURL, set.PublicURL = relay.URL, "https://pika.example"
	if err := pc.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := pc.SetToken(token); err != nil {
		t.Fatal(err)
	}

	var (
		g    *gui
		w    fyne.Window
		stop func()
	)
	fyne.DoAndWait(func() {
		g = newGUI(ctx, realApp, pc)
		w = g.newMainWindow()
		w.Show()
		stop = g.start()
	})
	// The window stays open: closing the master window would stop the
	// app under the running tests; TestMain quits it at the end.
	defer fyne.DoAndWait(func() { stop() })

	if err := pc.GoLive(ctx, "manual", "Friday Funk at the Loft", ""); err != nil {
		t.Fatal(err)
	}
	waitCore(t, "the session", func() bool { return pc.LiveState().Session.ID != "" })
	sessionID := pc.LiveState().Session.ID
	var dancers []*relaytest.Client
	for i := range 3 {
		d, _ := relay.Join(t, sessionID, fmt.Sprintf("screenshot-dancer-%d", i), "")
		dancers = append(dancers, d)
	}
	tracks, err := pc.Tracks(ctx, library.Filter{Text: "jazzrock"})
	if err != nil || len(tracks) != 1 {
		t.Fatalf("track for the screenshot: %v %d", err, len(tracks))
	}
	if err := pc.SendManual(ctx, tracks[0].ID); err != nil {
		t.Fatal(err)
	}
	play := dancers[0].Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
	for i, d := range dancers {
		if i < 2 {
			d.MustOK(t, protocol.TypeLike, protocol.Like{PlayID: play.PlayID})
		}
		vote := []string{protocol.VoteFaster, protocol.VotePerfect, protocol.VotePerfect}[i]
		d.MustOK(t, protocol.TypeTempoVote, protocol.TempoVote{PlayID: play.PlayID, Vote: vote})
	}
	if err := pc.StartPoll(ctx, "What style next?", []string{"Salsa", "Bachata", "Kizomba"}, 0); err != nil {
		t.Fatal(err)
	}
	started := dancers[0].Expect(t, protocol.TypePollStarted).Payload.(*protocol.PollStarted)
	for i, d := range dancers {
		d.MustOK(t, protocol.TypePollVote, protocol.PollVote{PollID: started.PollID, OptionIndex: []int{0, 1, 0}[i]})
	}
	if err := pc.Announce(ctx, "Water is free at the bar · last dance at 2 am", 0); err != nil {
		t.Fatal(err)
	}
	waitCore(t, "the reactions", func() bool {
		st := pc.LiveState()
		return st.Likes == 2 && st.Tempo.Perfect == 2 && st.Listeners == 3 && st.Poll != nil &&
			len(st.Poll.Tallies) == 3 && st.Poll.Tallies[0] == 2 && st.Announcement != nil
	})

	panes := []string{paneLive, paneLibrary, paneAnalysis, panePolls, paneAnnouncements, paneSettings}
	for i, name := range panes {
		fyne.DoAndWait(func() { g.shell.showNamed(name) })
		// Let the loop paint a few frames (queries finish, the table
		// fills) before reading the front buffer.
		time.Sleep(1500 * time.Millisecond)
		var img image.Image
		fyne.DoAndWait(func() { img = w.Canvas().Capture() })
		if blank(img) {
			// OpenGL's front buffer is not readable here (software GL):
			// take the window's pixels from the X server instead.
			var err error
			if img, err = captureXWindow("Pika!"); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if blank(img) {
			t.Errorf("%s: the window shows a single colour", name)
		}
		p := filepath.Join(out, screenshotNames()[i])
		if err := writePNG(p, img); err != nil {
			t.Fatal(err)
		}
	}

	// The projector view of the join code, in its own full-screen window.
	fyne.DoAndWait(func() { g.shell.showNamed(paneLive); g.live.qr.showFullScreen() })
	time.Sleep(1500 * time.Millisecond)
	img, err := captureXWindow(projectorTitle())
	if err != nil {
		t.Fatal(err)
	}
	if err := writePNG(filepath.Join(out, "7-projector-qr.png"), img); err != nil {
		t.Fatal(err)
	}
	fyne.DoAndWait(func() { g.live.qr.closeFullScreen() })
	if err := pc.End(ctx); err != nil {
		t.Fatal(err)
	}
}

// waitCore polls the core until cond holds; a hang guard, not a timing
// assertion.
func waitCore(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	r0, g0, b0, _ := first.RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				return false
			}
		}
	}
	return true
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}
