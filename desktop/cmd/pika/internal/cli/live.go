package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/humanerr"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/shared/protocol"
)

// endTimeout bounds how long an interrupted `pika live` waits for the
// relay to confirm the end of the session.
const endTimeout = 10 * time.Second

func cmdLive(ctx context.Context, env Env, cm *common, args []string) error {
	var source, relay, token, name, pin, stage string
	var allowHTTP, requests, freeText bool
	var requestsFrom string
	var publicRecap optBool
	pos, err := parse(env, cm, "live", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&allowHTTP, "allow-http", false, "send the token to a plain http:// relay on the internet (unencrypted)")
		fs.Var(&publicRecap, "public-recap", "the recap opens for anyone once the session ends (default: yes without a PIN, no with one; --public-recap=false keeps it private)")
		fs.StringVar(&source, "source", "", nowplaying.SourceUsage())
		fs.StringVar(&relay, "relay", "", "relay URL (env PIKA_RELAY_URL)")
		fs.StringVar(&token, "token", "", "DJ token; visible in ps: prefer PIKA_TOKEN or pika token set")
		fs.StringVar(&name, "session-name", "", "session name dancers see")
		fs.StringVar(&pin, "pin", "", "optional 4–8 digit PIN")
		fs.StringVar(&stage, "stage", "", "go live on a stage of an event you play at, by its link's slug (pika stages lists them)")
		fs.BoolVar(&requests, "requests", false, "take dancers' requests from the library")
		fs.StringVar(&requestsFrom, "requests-from", "", "with --requests: only tracks under these comma-separated folders (default: the whole library)")
		fs.BoolVar(&freeText, "requests-free-text", false, "with --requests: dancers may also ask in their own words")
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
		if source == "" {
			source = pc.Settings().Source
		}
		if err := checkSource(source); err != nil {
			return err
		}
		events, stop := pc.Events()
		defer stop()
		if err := pc.GoLiveWith(ctx, core.GoLiveOptions{Source: source, Name: name, PIN: pin, PublicRecap: publicRecap.v, Stage: stage}); err != nil {
			return plainHTTPHint(err)
		}
		st := pc.LiveState()
		where := ""
		if st.Stage != nil {
			where = " on the stage " + st.Stage.Label() + ","
		}
		fmt.Fprintf(env.Stdout, "Going live as %q%s on %s, watching %s (Ctrl-C ends the session)\n", st.Session.Name, where, st.RelayURL, st.Source)
		if requests {
			if err := startRequests(ctx, env, pc, requestsFrom, freeText); err != nil {
				return err
			}
		}
		if strings.HasPrefix(strings.ToLower(st.Source), "manual") {
			fmt.Fprintln(env.Stdout, "Manual source: type a library track id (see pika library search) and Enter to send it")
			go readManual(ctx, env, pc)
		}
		if env.Ready != nil {
			env.Ready(pc)
		}
		lp := &livePrinter{env: env, relay: st.RelayURL}
		lastQueue := ""
		for {
			select {
			case <-ctx.Done():
				return endLive(env, pc)
			case e := <-events:
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
				if _, ok := e.(core.RequestsChanged); ok && requests {
					lastQueue = printRequests(env, pc.Requests(), lastQueue)
				}
				if lp.print(e) {
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

// endLive ends the session after Ctrl-C: the relay is told when it can be
// reached, and the recap link is printed either way when the relay gave
// one.
func endLive(env Env, pc *core.Core) error {
	endCtx, cancel := context.WithTimeout(context.Background(), endTimeout)
	defer cancel()
	sess := pc.LiveState().Session // End forgets the run
	err := pc.End(endCtx)
	switch {
	case err == nil:
		fmt.Fprintln(env.Stdout, "Session ended.")
	case errors.Is(err, core.ErrEndedHere) && sess.ID == "":
		// Never registered: there is no session on the relay to end.
		fmt.Fprintln(env.Stdout, "Stopped. The relay was never reached, so no session was started there and there is no recap.")
		return nil
	case errors.Is(err, core.ErrEndedHere):
		fmt.Fprintf(env.Stdout, "Session ended here. The relay could not be told: it ends the session by itself within %d minutes.\n",
			int(protocol.ResumeWindow.Minutes()))
	default:
		return err
	}
	if sess.RecapURL != "" {
		fmt.Fprintf(env.Stdout, "Recap: %s\n", sess.RecapURL)
	}
	return nil
}

// checkSource refuses an M3U source whose file does not exist: a typo
// would otherwise go live and relay nothing all night. A DJ who wants to
// wait for software that writes the file later creates it empty first.
func checkSource(source string) error {
	spec, err := nowplaying.ParseSpec(source)
	if err != nil || spec.Kind != "m3u" || spec.Location == "" {
		return err // GoLive reports the other problems
	}
	st, err := os.Stat(spec.Location)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no M3U file at %s: check the path; to wait for a program that creates it later, create it empty first (touch %s)", spec.Location, spec.Location)
	case err != nil:
		return fmt.Errorf("cannot read the M3U file %s: %w", spec.Location, err)
	case st.IsDir():
		return fmt.Errorf("%s is a folder: m3u: wants the history file itself", spec.Location)
	}
	return nil
}

// livePrinter prints what happens while live, one line per change: the
// link's retries are not repeated while it stays offline.
type livePrinter struct {
	env      Env
	relay    string
	lastPlay string
	offline  bool
	online   bool
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

// print prints one event for the DJ; true when the session ended.
func (lp *livePrinter) print(e core.Event) bool {
	out := lp.env.Stdout
	switch e := e.(type) {
	case core.Playing:
		// The relay's echo and the numbers of a track analysed on the spot
		// repeat a play: print what changed only.
		line := e.StartedAt.Local().Format("15:04:05") + "  " + describe(&e.NowPlaying)
		if line != lp.lastPlay {
			lp.lastPlay = line
			fmt.Fprintf(out, "▶ %s\n", line)
		}
	case core.SessionChanged:
		if e.Ended {
			fmt.Fprintf(out, "The session was ended on the relay. Recap: %s\n", e.RecapURL)
			return true
		}
		verb := "Live"
		if e.Resumed {
			verb = "Resumed"
		}
		join := e.JoinURL
		if join == "" {
			join = e.LocalJoinURL + " (local address: set the public page URL with pika relay set URL --public URL for a link phones can open)"
		}
		fmt.Fprintf(out, "%s: session %s by %s; dancers join at %s\n", verb, e.ID, e.DJName, join)
	case core.Connected:
		if lp.offline {
			fmt.Fprintln(out, "Back online: the plays kept meanwhile are being sent")
		} else if !lp.online {
			fmt.Fprintln(out, "Connected to the relay")
		}
		lp.offline, lp.online = false, true
	case core.Disconnected:
		if e.Err != nil && e.RetryIn > 0 && !lp.offline {
			lp.offline = true
			fmt.Fprintf(out, "Offline: cannot reach %s (%s); retrying, plays are kept and sent when it is back\n", lp.relay, humanerr.Reason(e.Err))
		} else if e.Err != nil && e.RetryIn == 0 {
			fmt.Fprintln(out, "Disconnected: "+humanerr.Reason(e.Err))
		}
	case core.Likes:
		fmt.Fprintf(out, "♥ %s\n", plural(e.Count, "like", "likes"))
	case core.Tempo:
		fmt.Fprintf(out, "Tempo: ↑ %d faster · %d perfect · ↓ %d slower\n", e.Faster, e.Perfect, e.Slower)
	case core.Listeners:
		fmt.Fprintf(out, "%s\n", plural(e.Count, "dancer", "dancers"))
	case core.PollChanged:
		state := "Poll"
		if e.Closed {
			state = "Poll closed"
		}
		fmt.Fprintf(out, "%s %q: %s\n", state, e.Question, tallies(e.Poll))
	case core.AnnouncementShown:
		fmt.Fprintf(out, "Announcement: %s\n", e.Text)
	case core.AnnouncementCleared:
		fmt.Fprintln(out, "Announcement cleared")
	case core.PINGuessed:
		fmt.Fprintf(lp.env.Stderr, "Warning: someone is guessing this session's PIN: %d wrong tries\n", e.Wrong)
	case core.SourceStatusChanged:
		// A play already prints a ▶ line: only what the DJ must act on, or
		// the source being found, is printed.
		if e.State != nowplaying.StateFollowing {
			fmt.Fprintf(out, "Source: %s\n", e.Text())
		}
	case core.Error:
		fmt.Fprintln(lp.env.Stderr, humanerr.Message(e.Err))
	case core.TrackWarnings:
		for _, w := range e.Warnings {
			fmt.Fprintf(lp.env.Stderr, "Warning: %s\n", w)
		}
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

// plural is "1 vote", "2 votes".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

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
		fmt.Fprintf(&b, " · %s · %s", t.Camelot, t.Key)
	}
	if np.Analysing {
		b.WriteString(" · analysing…")
	}
	if np.LibraryID == 0 {
		b.WriteString(" · not in the library")
	}
	return b.String()
}

// tallies is "Yes 3 votes · No 1 vote".
func tallies(p protocol.Poll) string {
	parts := make([]string, len(p.Options))
	for i, o := range p.Options {
		n := 0
		if i < len(p.Tallies) {
			n = p.Tallies[i]
		}
		parts[i] = o + " " + plural(n, "vote", "votes")
	}
	return strings.Join(parts, " · ")
}

// startRequests turns requests on for `pika live --requests`.
func startRequests(ctx context.Context, env Env, pc *core.Core, from string, freeText bool) error {
	var folders []string
	for _, f := range strings.Split(from, ",") {
		if f = strings.TrimSpace(f); f != "" {
			folders = append(folders, f)
		}
	}
	if err := pc.SetRequests(ctx, core.RequestsOptions{Enabled: true, FreeText: freeText, Folders: folders}); err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Requests on: %d tracks requestable\n", pc.Requests().Catalogue)
	return nil
}

// printRequests prints the request queue when it differs from last (what
// it printed before), and returns what it printed.
func printRequests(env Env, v core.RequestsView, last string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Requests waiting: %d\n", len(v.Queue))
	for _, q := range v.Queue {
		what := q.Title + " — " + q.Artist
		if q.Text != "" {
			what = "“" + q.Text + "”"
		}
		fmt.Fprintf(&b, "  ×%d %s %s\n", q.Count, what, q.Fit(v.NowPlaying))
	}
	s := b.String()
	if s != last {
		fmt.Fprint(env.Stdout, s)
	}
	return s
}
