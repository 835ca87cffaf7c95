package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/shared/protocol"
)

// endTimeout bounds how long an interrupted `pika live` waits for the
// relay to confirm the end of the session.
const endTimeout = 10 * time.Second

func cmdLive(ctx context.Context, env Env, cm *common, args []string) error {
	var source, relay, token, name, pin string
	var allowHTTP bool
	var publicRecap optBool
	pos, err := parse(env, cm, "live", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&allowHTTP, "allow-http", false, "send the token to a plain http:// relay on the internet (unencrypted)")
		fs.Var(&publicRecap, "public-recap", "the recap opens for anyone once the session ends (default: yes without a PIN, no with one; --public-recap=false keeps it private)")
		fs.StringVar(&source, "source", "", nowplaying.SourceUsage())
		fs.StringVar(&relay, "relay", "", "relay URL (env PIKA_RELAY_URL)")
		fs.StringVar(&token, "token", "", "DJ token; visible in ps: prefer PIKA_TOKEN or pika token set")
		fs.StringVar(&name, "session-name", "", "session name dancers see")
		fs.StringVar(&pin, "pin", "", "optional 4–8 digit PIN")
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"live takes flags only"}
	}
	if relay == "" {
		relay = env.Getenv("PIKA_RELAY_URL")
	}
	if token == "" {
		token = env.Getenv("PIKA_TOKEN")
	}
	if pin != "" && !protocol.ValidPIN(pin) {
		return usageError{"--pin must be 4 to 8 digits"}
	}
	cfg := core.Config{RelayURL: relay, Token: token, AllowPlainHTTP: allowHTTP}
	return withCore(ctx, env, cm, cfg, func(pc *core.Core) error {
		events, stop := pc.Events()
		defer stop()
		if err := pc.GoLiveWith(ctx, core.GoLiveOptions{Source: source, Name: name, PIN: pin, PublicRecap: publicRecap.v}); err != nil {
			return plainHTTPHint(err)
		}
		st := pc.LiveState()
		fmt.Fprintf(env.Stdout, "going live as %q, watching %s (Ctrl-C ends the session)\n", st.Session.Name, st.Source)
		if strings.HasPrefix(strings.ToLower(st.Source), "manual") {
			fmt.Fprintln(env.Stdout, "manual source: type a library track id (see pika library search) and Enter to send it")
			go readManual(ctx, env, pc)
		}
		if env.Ready != nil {
			env.Ready(pc)
		}
		lastPlay := ""
		for {
			select {
			case <-ctx.Done():
				endCtx, cancel := context.WithTimeout(context.Background(), endTimeout)
				defer cancel()
				err := pc.End(endCtx)
				if st := pc.LiveState(); st.Session.RecapURL != "" {
					fmt.Fprintf(env.Stdout, "session ended; recap: %s\n", st.Session.RecapURL)
				}
				return err
			case e := <-events:
				if np, ok := e.(core.Playing); ok {
					// The relay's echo and the numbers of a track analysed on
					// the spot repeat a play: print what changed only.
					line := np.StartedAt.Local().Format("15:04:05") + "  " + describe(&np.NowPlaying)
					if line != lastPlay {
						lastPlay = line
						fmt.Fprintf(env.Stdout, "▶ %s\n", line)
					}
					continue
				}
				var refused *core.SessionRefusedError
				if ee, ok := e.(core.Error); ok && errors.As(ee.Err, &refused) {
					// The link gave up: waiting would only pretend plays go out.
					if refused.TokenRevoked() {
						return errors.New("the relay revoked this token: set a new one with `pika token set` (get it from your DJ page on the web)")
					}
					if refused.TokenRefused() {
						return errors.New("the relay refused the DJ token: check it with `pika token check` or log in on the web to get a new one")
					}
					return refused
				}
				if printEvent(env, e) {
					return nil // the relay ended the session
				}
			}
		}
	})
}

// plainHTTPHint says how to confirm on the command line.
func plainHTTPHint(err error) error {
	var plain *core.PlainHTTPError
	if errors.As(err, &plain) {
		return fmt.Errorf("the relay %s is reached over plain http://: your DJ token would cross the internet unencrypted, readable by anyone on the way. Use https://, or pass --allow-http to send it anyway", plain.Host)
	}
	return err
}

// readManual sends the library tracks whose ids are typed on stdin.
func readManual(ctx context.Context, env Env, pc *core.Core) {
	sc := bufio.NewScanner(env.Stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		id, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			fmt.Fprintf(env.Stderr, "%q is not a track id\n", line)
			continue
		}
		if err := pc.SendManual(ctx, id); err != nil {
			fmt.Fprintf(env.Stderr, "cannot send track %d: %v\n", id, err)
		}
	}
}

// printEvent prints one event for the DJ; true when the session ended.
func printEvent(env Env, e core.Event) bool {
	out := env.Stdout
	switch e := e.(type) {
	case core.SessionChanged:
		if e.Ended {
			fmt.Fprintf(out, "session ended; recap: %s\n", e.RecapURL)
			return true
		}
		verb := "live"
		if e.Resumed {
			verb = "resumed"
		}
		join := e.JoinURL
		if join == "" {
			join = e.LocalJoinURL + " (local address: set the public page URL for a QR code dancers can use)"
		}
		fmt.Fprintf(out, "%s: session %s by %s; dancers join at %s\n", verb, e.ID, e.DJName, join)
	case core.Connected:
		fmt.Fprintln(out, "connected to the relay")
	case core.Disconnected:
		if e.Err != nil && e.RetryIn > 0 {
			fmt.Fprintf(out, "offline (%v); plays are kept and sent on reconnect (retrying in %s)\n", e.Err, e.RetryIn.Round(100*time.Millisecond))
		} else if e.Err != nil {
			fmt.Fprintf(out, "disconnected: %v\n", e.Err)
		}
	case core.Likes:
		fmt.Fprintf(out, "♥ %d likes\n", e.Count)
	case core.Tempo:
		fmt.Fprintf(out, "tempo: ↑ %d faster · %d perfect · ↓ %d slower\n", e.Faster, e.Perfect, e.Slower)
	case core.Listeners:
		fmt.Fprintf(out, "%d dancers listening\n", e.Count)
	case core.PollChanged:
		state := "poll"
		if e.Closed {
			state = "poll closed"
		}
		fmt.Fprintf(out, "%s %q: %v\n", state, e.Question, e.Tallies)
	case core.AnnouncementShown:
		fmt.Fprintf(out, "announcement: %s\n", e.Text)
	case core.AnnouncementCleared:
		fmt.Fprintln(out, "announcement cleared")
	case core.PINGuessed:
		fmt.Fprintf(env.Stderr, "warning: someone is guessing this session's PIN: %d wrong tries\n", e.Wrong)
	case core.Error:
		fmt.Fprintf(env.Stderr, "error: %v\n", e.Err)
	}
	return false
}

// optBool is a boolean flag that knows whether it was given.
type optBool struct{ v *bool }

func (o *optBool) String() string {
	if o == nil || o.v == nil {
		return ""
	}
	return strconv.FormatBool(*o.v)
}

func (o *optBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	o.v = &b
	return nil
}

func (o *optBool) IsBoolFlag() bool { return true }

func describe(np *core.NowPlaying) string {
	t := np.Track
	var b strings.Builder
	if t.Artist != "" {
		b.WriteString(t.Artist + " – ")
	}
	b.WriteString(t.Title)
	if t.BPM != nil {
		fmt.Fprintf(&b, " · %.1f BPM", *t.BPM)
	}
	if t.Key != "" {
		fmt.Fprintf(&b, " · %s (%s)", t.Key, t.Camelot)
	}
	if np.Analysing {
		b.WriteString(" · analysing…")
	}
	if np.LibraryID == 0 {
		b.WriteString(" · not in the library")
	}
	return b.String()
}
