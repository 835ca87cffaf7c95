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

	"github.com/pikadj/pika/desktop/app"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/shared/protocol"
)

// endTimeout bounds how long an interrupted `pika live` waits for the
// relay to confirm the end of the session.
const endTimeout = 10 * time.Second

func cmdLive(ctx context.Context, env Env, cm *common, args []string) error {
	var source, relay, token, name, pin string
	pos, err := parse(env, cm, "live", args, func(fs *flag.FlagSet) {
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
	cfg := app.Config{RelayURL: relay, Token: token}
	return withCore(ctx, env, cm, cfg, func(core *app.Core) error {
		events, stop := core.Events()
		defer stop()
		if err := core.GoLive(ctx, source, name, pin); err != nil {
			return err
		}
		st := core.LiveState()
		fmt.Fprintf(env.Stdout, "going live as %q, watching %s (Ctrl-C ends the session)\n", st.Session.Name, st.Source)
		if strings.HasPrefix(strings.ToLower(st.Source), "manual") {
			fmt.Fprintln(env.Stdout, "manual source: type a library track id (see pika library search) and Enter to send it")
			go readManual(ctx, env, core)
		}
		if env.Ready != nil {
			env.Ready(core)
		}
		lastPlay := ""
		for {
			select {
			case <-ctx.Done():
				endCtx, cancel := context.WithTimeout(context.Background(), endTimeout)
				defer cancel()
				err := core.End(endCtx)
				if st := core.LiveState(); st.Session.RecapURL != "" {
					fmt.Fprintf(env.Stdout, "session ended; recap: %s\n", st.Session.RecapURL)
				}
				return err
			case e := <-events:
				if e.Kind == app.EventNowPlaying {
					// The relay's echo and the numbers of a track analysed on
					// the spot repeat a play: print what changed only.
					line := e.NowPlaying.StartedAt.Local().Format("15:04:05") + "  " + describe(e.NowPlaying)
					if line != lastPlay {
						lastPlay = line
						fmt.Fprintf(env.Stdout, "▶ %s\n", line)
					}
					continue
				}
				var refused *app.SessionRefusedError
				if errors.As(e.Err, &refused) {
					// The link gave up: waiting would only pretend plays go out.
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

// readManual sends the library tracks whose ids are typed on stdin.
func readManual(ctx context.Context, env Env, core *app.Core) {
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
		if err := core.SendManual(ctx, id); err != nil {
			fmt.Fprintf(env.Stderr, "cannot send track %d: %v\n", id, err)
		}
	}
}

// printEvent prints one event for the DJ; true when the session ended.
func printEvent(env Env, e app.Event) bool {
	out := env.Stdout
	switch e.Kind {
	case app.EventSession:
		s := e.Session
		if s.Ended {
			fmt.Fprintf(out, "session ended; recap: %s\n", s.RecapURL)
			return true
		}
		verb := "live"
		if s.Resumed {
			verb = "resumed"
		}
		join := s.JoinURL
		if join == "" {
			join = s.LocalJoinURL + " (local address: set the public page URL for a QR code dancers can use)"
		}
		fmt.Fprintf(out, "%s: session %s by %s; dancers join at %s\n", verb, s.ID, s.DJName, join)
	case app.EventConnection:
		if e.Connected {
			fmt.Fprintln(out, "connected to the relay")
		} else if e.Err != nil && e.RetryIn > 0 {
			fmt.Fprintf(out, "offline (%v); plays are kept and sent on reconnect (retrying in %s)\n", e.Err, e.RetryIn.Round(100*time.Millisecond))
		} else if e.Err != nil {
			fmt.Fprintf(out, "disconnected: %v\n", e.Err)
		}
	case app.EventLikes:
		fmt.Fprintf(out, "♥ %d likes\n", e.Likes.Count)
	case app.EventTempo:
		fmt.Fprintf(out, "tempo: ↑ %d faster · %d perfect · ↓ %d slower\n", e.Tempo.Faster, e.Tempo.Perfect, e.Tempo.Slower)
	case app.EventListeners:
		fmt.Fprintf(out, "%d dancers listening\n", e.Listeners)
	case app.EventPoll:
		state := "poll"
		if e.Poll.Closed {
			state = "poll closed"
		}
		fmt.Fprintf(out, "%s %q: %v\n", state, e.Poll.Question, e.Poll.Tallies)
	case app.EventAnnouncement:
		if e.Announcement == nil {
			fmt.Fprintln(out, "announcement cleared")
		} else {
			fmt.Fprintf(out, "announcement: %s\n", e.Announcement.Text)
		}
	case app.EventError:
		fmt.Fprintf(env.Stderr, "error: %v\n", e.Err)
	}
	return false
}

func describe(np *app.NowPlaying) string {
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
