package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/relay/relaytest"
)

// waitOutput waits (bounded) until out holds want count times.
func waitOutput(t *testing.T, ctx context.Context, out *syncBuffer, want string, count int) {
	t.Helper()
	for strings.Count(out.String(), want) < count {
		select {
		case <-ctx.Done():
			t.Fatalf("never printed %q %d times:\n%s", want, count, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// `pika relay set` saves the relay in the settings the window reads: token
// check and live use it with no flag or environment.
func TestRelaySetIsUsedByTokenCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "ines@example.com", "DJ Inès")
	cfgDir := t.TempDir()
	cfg := []string{"--config", cfgDir, "--no-keyring"}

	code, out, errOut := pika(t, ctx, Env{}, append(cfg, "relay", "show")...)
	if code != 0 || !strings.Contains(out, "Relay: not set (pika relay set URL saves it in "+filepath.Join(cfgDir, "settings.json")) {
		t.Errorf("relay show before set: %d %q %q", code, out, errOut)
	}
	code, out, errOut = pika(t, ctx, Env{}, append(cfg, "relay", "set", relay.URL+"/", "--public", "https://dance.example")...)
	if code != 0 || out != "Relay set to "+relay.URL+"\n" || errOut != "" {
		t.Errorf("relay set: %d %q %q", code, out, errOut)
	}
	env := Env{Getenv: func(k string) string {
		if k == "PIKA_RELAY_URL" {
			return "https://other.example"
		}
		return ""
	}}
	code, out, _ = pika(t, ctx, env, append(cfg, "relay", "show")...)
	for _, want := range []string{"Relay: " + relay.URL + " (saved in", "Public page URL: https://dance.example",
		"PIKA_RELAY_URL is set: this shell uses https://other.example instead"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("relay show: %d, lacks %q:\n%s", code, want, out)
		}
	}
	// The window's core reads the same setting.
	pc, err := core.Open(ctx, core.Config{ConfigDir: cfgDir, NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := pc.Settings(); got.RelayURL != relay.URL || got.PublicURL != "https://dance.example" {
		t.Errorf("the app's settings: relay %q public %q", got.RelayURL, got.PublicURL)
	}
	pc.Close()

	if code, _, errOut := pika(t, ctx, Env{Stdin: strings.NewReader(token)}, append(cfg, "token", "set")...); code != 0 {
		t.Fatalf("token set: %d %q", code, errOut)
	}
	code, out, errOut = pika(t, ctx, Env{}, append(cfg, "token", "check")...)
	if code != 0 || !strings.Contains(out, "Token of DJ Inès (ines@example.com) on "+relay.URL) {
		t.Errorf("token check with the saved relay: %d %q %q", code, out, errOut)
	}

	// A relay that does not answer is saved, with a warning saying why.
	relay.Stop()
	code, out, errOut = pika(t, ctx, Env{}, append(cfg, "relay", "set", relay.URL)...)
	if code != 0 || !strings.Contains(errOut, "Warning: saved, but cannot reach "+relay.URL+": connection refused") {
		t.Errorf("relay set with the relay down: %d %q %q", code, out, errOut)
	}
}

// The relay going down and coming back while live: one line per change,
// not one per retry; Ctrl-C ends the session and prints the recap link,
// whether the relay can be told or not.
func TestLiveRelayDownAndBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "rui@example.com", "DJ Rui")
	cfg := []string{"--config", t.TempDir(), "--no-keyring"}

	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	cores := make(chan *core.Core, 1)
	var out, logs syncBuffer
	done := make(chan int, 1)
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &logs, Ready: func(c *core.Core) { cores <- c },
		Getenv: func(k string) string {
			switch k {
			case "PIKA_TOKEN":
				return token
			case "PIKA_LOG":
				return "info" // the retries show in the log, so the test sees them happen
			}
			return ""
		}}
	go func() {
		code, _, _ := pika(t, liveCtx, env, append(cfg, "live", "--source", "manual", "--relay", relay.URL)...)
		done <- code
	}()
	defer func() {
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), logs.String())
		}
	}()
	_, sess := waitLive(t, ctx, cores)
	waitOutput(t, ctx, &out, "Connected to the relay", 1)

	relay.Stop()
	// The first reason is the relay's close frame or a refused connection,
	// whichever the link saw first.
	offline := "Offline: cannot reach " + relay.URL + " ("
	waitOutput(t, ctx, &out, offline, 1)
	waitOutput(t, ctx, &logs, "disconnected, retrying", 3) // retried, and said so once
	if n := strings.Count(out.String(), "Offline:"); n != 1 {
		t.Errorf("%d offline lines for one outage", n)
	}
	relay.Restart(t)
	waitOutput(t, ctx, &out, "Back online", 1)
	if !strings.Contains(out.String(), "; retrying, plays are kept and sent when it is back\n") {
		t.Error("the offline line does not say what happens to the plays")
	}

	relay.Stop()
	waitOutput(t, ctx, &out, offline, 2)
	stopLive() // Ctrl-C with the relay down
	if code := <-done; code != 0 {
		t.Errorf("pika live exited %d", code)
	}
	got := out.String()
	for _, want := range []string{
		"Session ended here. The relay could not be told: it ends the session by itself within 5 minutes.",
		"Recap: " + relay.URL + "/recap/" + sess.ID,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Contains(got, "livelink") || strings.Contains(logs.String(), "pika live:") {
		t.Errorf("an internal error chain reached the DJ")
	}
}

// Ctrl-C with the relay never reached: no session, nothing to recap, said
// plainly.
func TestLiveRelayNeverReached(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	url := relay.URL
	relay.Stop()
	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	go func() {
		code, _, _ := pika(t, liveCtx, env, "--config", t.TempDir(), "--no-keyring",
			"live", "--source", "manual", "--relay", url, "--token", "pk_dj_0123456789abcdef0123456789abcdef")
		done <- code
	}()
	waitOutput(t, ctx, &out, "Offline: cannot reach "+url, 1)
	stopLive()
	code := <-done
	if code != 0 || !strings.Contains(out.String(), "Stopped. The relay was never reached, so no session was started there and there is no recap.") {
		t.Errorf("exit %d:\n%s\n%s", code, out.String(), errOut.String())
	}
	if errOut.String() != "" {
		t.Errorf("stderr: %q", errOut.String())
	}
}
