package cli

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/testenv"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// syncBuffer is an io.Writer safe for the command's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pika runs the command line in-process and returns its status and output.
func pika(t *testing.T, ctx context.Context, env Env, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	if env.Stdout == nil {
		env.Stdout = &out
	}
	if env.Stderr == nil {
		env.Stderr = &errOut
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	code := Run(ctx, args, env)
	return code, out.String(), errOut.String()
}

// vdjLine is one VirtualDJ history entry, as VirtualDJ writes it.
func vdjLine(at time.Time, artist, title, path string) string {
	return fmt.Sprintf("#EXTVDJ:<time>%s</time><lastplaytime>%d</lastplaytime><artist>%s</artist><title>%s</title><songlength>52.0</songlength>\r\n%s\r\n",
		at.Format("15:04"), at.Unix(), html.EscapeString(artist), html.EscapeString(title), path)
}

func appendFile(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
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

// waitLive waits (bounded) until the live command registered a session.
func waitLive(t *testing.T, ctx context.Context, cores <-chan *core.Core) (*core.Core, core.Session) {
	t.Helper()
	var pc *core.Core
	select {
	case pc = <-cores:
	case <-ctx.Done():
		t.Fatal("pika live never went live")
	}
	for {
		if s := pc.LiveState().Session; s.ID != "" {
			return pc, s
		}
		select {
		case <-ctx.Done():
			t.Fatal("no session registered")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestLiveVirtualDJHistoryReachesDancers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "marta@example.com", "DJ Marta")
	corpus := testenv.CorpusDir(t)
	cfgDir := filepath.Join(t.TempDir(), "config")
	music := t.TempDir()
	inLibrary := []string{"00-rnb-104-Amin.mp3", "03-8beat-120-Gmaj.ogg", "07-shuffleboggie-116-Bbmaj.flac"}
	for _, f := range inLibrary {
		testenv.CopyFile(t, filepath.Join(corpus, f), filepath.Join(music, f))
	}
	common := []string{"--config", cfgDir, "--no-keyring"}
	code, out, errOut := pika(t, ctx, Env{}, append(common, "import", music)...)
	if code != 0 || !strings.Contains(out, "3 new") || !strings.Contains(out, "3 analysed") {
		t.Fatalf("pika import: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = pika(t, ctx, Env{}, append(common, "analyze")...)
	if code != 0 || !strings.Contains(out, "analysed 0 files") {
		t.Errorf("pika analyze with nothing new: %d\n%s", code, out)
	}
	code, out, _ = pika(t, ctx, Env{}, append(common, "--workers", "1", "analyze", "--all")...)
	if code != 0 || !strings.Contains(out, "analysed 3 files (0 failed)") {
		t.Errorf("pika analyze --all: %d\n%s", code, out)
	}
	code, out, _ = pika(t, ctx, Env{}, append(common, "library", "search", "shuffleboggie")...)
	if code != 0 || !strings.Contains(out, "07-shuffleboggie-116-Bbmaj") || !strings.Contains(out, "1 tracks") {
		t.Fatalf("pika library search: %d\n%s", code, out)
	}

	// A track played from outside the library: analysed on the spot.
	outside := filepath.Join(t.TempDir(), "Outside", "14-bubblerock-128-Dmaj.mp3")
	testenv.CopyFile(t, filepath.Join(corpus, "14-bubblerock-128-Dmaj.mp3"), outside)

	vdj := filepath.Join(t.TempDir(), "VirtualDJ")
	hist := filepath.Join(vdj, "History")
	if err := os.MkdirAll(hist, 0o755); err != nil {
		t.Fatal(err)
	}
	histFile := filepath.Join(hist, time.Now().Format("2006-01-02")+".m3u")

	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	cores := make(chan *core.Core, 1)
	var liveOut syncBuffer
	liveDone := make(chan int, 1)
	go func() {
		code, _, _ := pika(t, liveCtx, Env{Stdout: &liveOut, Stderr: &liveOut, Ready: func(c *core.Core) { cores <- c }},
			append(common, "live", "--source", "virtualdj:"+vdj, "--relay", relay.URL, "--token", token, "--session-name", "Friday WCS")...)
		liveDone <- code
	}()
	pc, sess := waitLive(t, ctx, cores)
	if sess.DJName != "DJ Marta" {
		t.Errorf("session DJ name %q", sess.DJName)
	}
	dancer, state := relay.Join(t, sess.ID, "dancer-0001", "")
	if state.Session.Name != "Friday WCS" {
		t.Errorf("session name %q", state.Session.Name)
	}

	lib := pc.Library()
	type play struct {
		artist, title, path string
		want                func(t *testing.T, got protocol.Track)
	}
	fromLibrary := func(file string) func(*testing.T, protocol.Track) {
		return func(t *testing.T, got protocol.Track) {
			tr, err := lib.ByPath(ctx, filepath.Join(music, file))
			if err != nil || tr.Analysis == nil {
				t.Fatalf("%s not analysed in the library: %v", file, err)
			}
			if got.BPM == nil || *got.BPM != *tr.Protocol().BPM || got.Key != tr.Analysis.Key || got.Camelot != tr.Analysis.Camelot {
				t.Errorf("%s: dancer got %v BPM %q %q; library has %.1f %q %q", file, got.BPM, got.Key, got.Camelot,
					tr.Analysis.BPM, tr.Analysis.Key, tr.Analysis.Camelot)
			}
		}
	}
	plays := []play{
		{"", "00-rnb-104-Amin", filepath.Join(music, inLibrary[0]), fromLibrary(inLibrary[0])},
		// The same file named the Windows way, another case: matched by
		// artist and title.
		{"", "03-8beat-120-Gmaj", `C:\Users\Marta\Music\03-8BEAT-120-GMAJ.ogg`, fromLibrary(inLibrary[1])},
		{"", "07-shuffleboggie-116-Bbmaj", filepath.Join(music, inLibrary[2]), fromLibrary(inLibrary[2])},
		{"Bubble & Rock", "Bubblerock <128>", outside, func(t *testing.T, got protocol.Track) {
			if got.BPM == nil || *got.BPM < 60 || got.Key == "" || got.Camelot == "" {
				t.Errorf("track from outside the library: %+v; want its analysed BPM and key", got)
			}
		}},
	}
	defer func() {
		if t.Failed() {
			t.Logf("pika live output:\n%s", liveOut.String())
		}
	}()
	for i, p := range plays {
		at := time.Now().Add(-time.Duration(len(plays)-i) * time.Second).Truncate(time.Second)
		// VirtualDJ writes the description, then the path; the path may
		// land in pieces.
		entry := vdjLine(at, p.artist, p.title, p.path)
		desc, path, _ := strings.Cut(entry, "\r\n")
		appendFile(t, histFile, desc+"\r\n")
		appendFile(t, histFile, path[:len(path)/2])
		appendFile(t, histFile, path[len(path)/2:])
		f := dancer.ExpectWhere(t, protocol.TypeNowPlaying, func(f relaytest.Frame) bool {
			pl := f.Payload.(*protocol.Play)
			// Tracks analysed on the spot may come first with tags only.
			return pl.Track.Title == p.title && pl.Track.BPM != nil
		})
		pl := f.Payload.(*protocol.Play)
		p.want(t, pl.Track)
		if !pl.StartedAt.Equal(at) {
			t.Errorf("play %d started at %v on the relay; VirtualDJ says %v", i, pl.StartedAt, at)
		}
	}
	outsideTrack, err := lib.ByPath(ctx, outside)
	if err != nil || outsideTrack.Source != library.SourcePlayed || outsideTrack.Analysis == nil {
		t.Errorf("the outside track was not added to the library with its analysis: %+v, %v", outsideTrack, err)
	}
	// The untagged file now carries the names VirtualDJ showed.
	if byName, err := lib.ByIdentity(ctx, "bubble & rock", "BUBBLEROCK <128>"); err != nil || byName.ID != outsideTrack.ID {
		t.Errorf("outside track not found by VirtualDJ's names: %+v, %v", byName.Tags, err)
	}

	stopLive() // Ctrl-C: the session ends and dancers get the recap
	dancer.Expect(t, protocol.TypeSessionEnded)
	select {
	case code := <-liveDone:
		if code != 0 {
			t.Errorf("pika live exited %d:\n%s", code, liveOut.String())
		}
	case <-ctx.Done():
		t.Fatal("pika live did not stop")
	}
	if strings.Contains(liveOut.String(), token) || strings.Contains(relay.Logs(), token) {
		t.Error("the token was printed or logged")
	}
	if !strings.Contains(liveOut.String(), "07-shuffleboggie-116-Bbmaj") {
		t.Errorf("pika live did not print the plays:\n%s", liveOut.String())
	}
}

func TestCommandLineErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := []string{"--config", t.TempDir(), "--no-keyring"}
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"unknown command", []string{"dance"}, 2, "unknown command"},
		{"import without folder", append(cfg, "import"), 2, "at least one folder"},
		{"import missing folder", append(cfg, "import", "/does/not/exist"), 1, "no such file"},
		{"search without text", append(cfg, "library", "search"), 2, "what to search"},
		{"bad bpm range", append(cfg, "library", "list", "--bpm", "fast"), 2, "MIN-MAX"},
		{"bad key", append(cfg, "library", "list", "--key", "Z#"), 1, "not a key"},
		{"live without token", append(cfg, "live", "--source", "manual", "--relay", "http://127.0.0.1:1"), 1, "no DJ token"},
		{"live with a malformed token", append(cfg, "live", "--source", "manual", "--relay", "http://127.0.0.1:1", "--token", "secret"), 1, "must start with pk_dj_"},
		{"live without relay", append(cfg, "live", "--source", "manual", "--token", "pk_dj_0123456789abcdef0123456789abcdef"), 1, "no relay URL"},
		{"live with a bad source", append(cfg, "live", "--source", "winamp", "--relay", "http://127.0.0.1:1", "--token", "pk_dj_0123456789abcdef0123456789abcdef"), 1, "unknown source"},
		{"live with a bad pin", append(cfg, "live", "--pin", "12"), 2, "4 to 8 digits"},
		{"token on the command line", append(cfg, "token", "set", "pk_dj_abc"), 2, "standard input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := pika(t, ctx, Env{}, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.wantErr)
			}
			if strings.Contains(errOut, "secret") {
				t.Errorf("stderr shows the token: %q", errOut)
			}
		})
	}
}

func TestTokenSetAndCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ana@example.com", "DJ Ana")
	cfg := []string{"--config", t.TempDir(), "--no-keyring"}
	code, out, errOut := pika(t, ctx, Env{Stdin: strings.NewReader(token + "\n")}, append(cfg, "token", "set")...)
	if code != 0 || strings.Contains(out+errOut, token) {
		t.Fatalf("token set: %d %q %q", code, out, errOut)
	}
	env := Env{Getenv: func(k string) string {
		if k == "PIKA_RELAY_URL" {
			return relay.URL
		}
		return ""
	}}
	code, out, errOut = pika(t, ctx, env, append(cfg, "token", "check")...)
	if code != 0 || !strings.Contains(out, "DJ Ana") {
		t.Fatalf("token check: %d %q %q", code, out, errOut)
	}
	// A revoked or mistyped token gets a plain answer.
	env.Getenv = func(k string) string {
		switch k {
		case "PIKA_RELAY_URL":
			return relay.URL
		case "PIKA_TOKEN":
			return "pk_dj_ffffffffffffffffffffffffffffffff"
		}
		return ""
	}
	code, _, errOut = pika(t, ctx, env, append(cfg, "token", "check")...)
	if code != 1 || !strings.Contains(errOut, "does not know this token") {
		t.Errorf("bad token check: %d %q", code, errOut)
	}
}

// A plain http:// relay on the internet: the token is not sent unless
// --allow-http says so.
func TestPlainHTTPRelayNeedsAllowHTTP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := []string{"--config", t.TempDir(), "--no-keyring"}
	env := Env{Getenv: func(k string) string {
		switch k {
		case "PIKA_RELAY_URL":
			return "http://pika-relay.invalid"
		case "PIKA_TOKEN":
			return "pk_dj_ffffffffffffffffffffffffffffffff"
		}
		return ""
	}}
	for _, cmd := range [][]string{{"token", "check"}, {"live", "--source", "manual", "--session-name", "x"}} {
		code, _, errOut := pika(t, ctx, env, append(cfg, cmd...)...)
		if code != 1 || !strings.Contains(errOut, "plain http://") || !strings.Contains(errOut, "--allow-http") {
			t.Errorf("%v: %d %q, want the warning and how to confirm", cmd, code, errOut)
		}
	}
	code, _, errOut := pika(t, ctx, env, append(cfg, "token", "check", "--allow-http")...)
	if code != 1 || strings.Contains(errOut, "plain http://") {
		t.Errorf("token check --allow-http: %d %q, want it to try the relay", code, errOut)
	}
}

// A well-formed token the relay does not know ends `pika live` at once
// with a clear message, instead of waiting and promising to send plays.
func TestLiveWithUnknownTokenExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	const unknown = "pk_dj_deadbeefdeadbeefdeadbeefdeadbeef"
	done := make(chan struct{})
	var code int
	var out, errOut string
	go func() {
		defer close(done)
		code, out, errOut = pika(t, ctx, Env{}, "--config", t.TempDir(), "--no-keyring",
			"live", "--source", "manual", "--relay", relay.URL, "--token", unknown)
	}()
	select {
	case <-done:
	case <-time.After(45 * time.Second):
		cancel() // unblock the command so the test reports instead of hanging
		<-done
		t.Fatalf("pika live kept running with a refused token:\n%s\n%s", out, errOut)
	}
	if code != 1 || !strings.Contains(errOut, "the relay refused the DJ token: check it with `pika token check`") {
		t.Errorf("exit %d, stderr %q; want 1 and the refused-token message", code, errOut)
	}
	if strings.Contains(out, "plays are kept") {
		t.Errorf("pika live promised to keep plays although it stopped retrying:\n%s", out)
	}
	if strings.Contains(out+errOut, unknown) {
		t.Error("the token was printed")
	}
}

// `pika live --relay` (or PIKA_RELAY_URL) and --token are for this run:
// the saved settings file is the same after the run.
func TestLiveOverridesAreNotSaved(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "gil@example.com", "DJ Gil")
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"flags", []string{"--relay", relay.URL, "--token", token}, nil},
		{"environment", nil, map[string]string{"PIKA_RELAY_URL": relay.URL, "PIKA_TOKEN": token}},
		// A new session name is remembered (the core saves it): the
		// relay override must not ride along.
		{"flags and a new session name", []string{"--relay", relay.URL, "--token", token, "--session-name", "Saturday"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgDir := t.TempDir()
			pc, err := core.Open(ctx, core.Config{ConfigDir: cfgDir, NoKeyring: true})
			if err != nil {
				t.Fatal(err)
			}
			s := pc.Settings()
			s.RelayURL, s.Source, s.SessionName = "https://relay.example", "manual", "Friday"
			if err := pc.SaveSettings(s); err != nil {
				t.Fatal(err)
			}
			pc.Close()
			file := filepath.Join(cfgDir, "settings.json")
			before, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}

			liveCtx, stopLive := context.WithCancel(ctx)
			defer stopLive()
			cores := make(chan *core.Core, 1)
			done := make(chan int, 1)
			var out syncBuffer
			env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Ready: func(c *core.Core) { cores <- c },
				Getenv: func(k string) string { return tt.env[k] }}
			go func() {
				code, _, _ := pika(t, liveCtx, env, append([]string{"--config", cfgDir, "--no-keyring", "live"}, tt.args...)...)
				done <- code
			}()
			waitLive(t, ctx, cores)
			stopLive()
			if code := <-done; code != 0 {
				t.Errorf("pika live exited %d:\n%s", code, out.String())
			}
			after, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wantFile := string(before)
			if slices.Contains(tt.args, "Saturday") {
				wantFile = strings.Replace(wantFile, `"Friday"`, `"Saturday"`, 1)
			}
			if string(after) != wantFile {
				t.Errorf("settings.json after the run:\n%s\nwant\n%s", after, wantFile)
			}
			if strings.Contains(string(after), token) {
				t.Error("the token was saved in settings.json")
			}
		})
	}
}

// A token on the command line shows in ps: the help steers to the
// keychain or the environment instead.
func TestUsageRecommendsSafeToken(t *testing.T) {
	code, out, _ := pika(t, context.Background(), Env{}, "help")
	if code != 0 {
		t.Fatalf("pika help exited %d", code)
	}
	for _, want := range []string{"pika token set or PIKA_TOKEN", "can read it in ps"} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "[--token pk_dj_…]") {
		t.Errorf("usage still offers --token as the way to pass the token:\n%s", out)
	}
}
