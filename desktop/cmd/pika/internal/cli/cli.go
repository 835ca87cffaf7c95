// Package cli is the `pika` command line: headless import, analysis,
// library search and live relaying over the same desktop core the window
// uses. It lives apart from main so tests run it without building the GUI.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/humanerr"
	"github.com/pikadj/pika/desktop/library"
)

// Usage is the command summary printed by `pika help`.
const Usage = `Pika! — companion for social-dance DJs

Usage:
  pika                                  open the window
  pika import DIR...                    add music folders and analyse them
  pika import-virtualdj [FILE]          import VirtualDJ's database.xml (default: Documents/VirtualDJ)
  pika analyze [--retry-failed|--all]   analyse every track not analysed yet (or failed ones, or all)
  pika library search TEXT              find tracks by artist, title, album or file name
  pika library list [--bpm MIN-MAX] [--key 8A|Am] [--state pending|analysed|failed|missing]
  pika live --source SOURCE [--session-name NAME] [--pin 1234] [--public-recap[=false]] [--stage SLUG]
            [--relay URL] [--allow-http]
                                        go live and relay what is played until interrupted (on an
                                        event's stage with --stage: dancers of its QR code follow you);
                                        SOURCE: virtualdj[:DIR] | mixxx[:DB] | serato[:DIR] | m3u:PATH |
                                        engine[:DIR] | traktor[:PORT] | mpris[:PLAYER] | rekordbox[:PATH] |
                                        seratodb[:PATH] | djuced[:DIR] | textfile:PATH | djay[:PATH] | manual;
                                        the token comes from pika token set or PIKA_TOKEN (--token pk_dj_…
                                        also works, but other users of the machine can read it in ps)
  pika stages [--allow-http]            list the stages of the events you play at (accept the
                                        organizer's invitation link on the web first)
  pika token set                        save the DJ token read from standard input
  pika token check [--allow-http]       show whose token is saved
  pika relay set URL [--public URL]     save the relay (and the public page URL dancers open)
  pika relay show                       show the saved relay
  pika track set-bpm ID BPM|x2|/2|x3/2|x2/3|clear
                                        correct a track's tempo by hand (kept beside the analysis)
  pika track set-key ID KEY|clear       correct a track's key by hand (8A, A minor, Am)
  pika crowd fetch SESSION...           keep a past session's likes and tempo votes (the app does it
                                        when a session ends) [--relay URL] [--allow-http]
  pika export --session ID [--format m3u|csv] [--out FILE]
                                        a session's set as a playlist of the library's files, or CSV
  pika version [--check]                the app's version (also pika --version); --check asks the
                                        relay whether a newer release exists (never installs it)

Options for every command:
  --library PATH    library database (default: <config>/library.db)
  --config DIR      settings folder (default: the user config folder, Pika; env PIKA_CONFIG_DIR)
  --workers N       analysis workers (default: one per CPU)
  --no-keyring      keep the token in a private file, not the OS keychain

Environment: PIKA_RELAY_URL and PIKA_TOKEN override the saved relay and token
(window and live); PIKA_CONFIG_DIR replaces the settings folder; PIKA_NO_KEYRING=1
is --no-keyring; PIKA_LOG=info or debug shows the log behind the messages
(default: warnings only);
PIKA_REKORDBOX_KEY: rekordbox's database key when the usual one is refused ("wrong key");
PIKA_TRAKTOR_COLLECTION: Traktor's collection.nml (default: the newest under Documents/Native Instruments);
PIKA_BROADCAST_PASSWORD: the password Traktor's broadcast gives (default pika).
`

// GUIFunc opens the window over a core (main wires the Fyne GUI).
type GUIFunc func(ctx context.Context, pc *core.Core) error

// Env is what a run sees of the world: tests pass their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	GUI            GUIFunc // nil: `pika` alone prints usage
	// Ready, for tests, is called once `pika live` is live.
	Ready func(pc *core.Core)
}

type common struct {
	library, config string
	workers         int
	noKeyring       bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.library, "library", c.library, "library database file")
	fs.StringVar(&c.config, "config", c.config, "settings folder")
	fs.IntVar(&c.workers, "workers", c.workers, "analysis workers (0: one per CPU)")
	fs.BoolVar(&c.noKeyring, "no-keyring", c.noKeyring, "keep the token in a private file")
}

// Run runs the command line and returns the exit status.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stdin == nil {
		env.Stdin = os.Stdin
	}
	cm := &common{config: env.Getenv("PIKA_CONFIG_DIR")}
	global := flag.NewFlagSet("pika", flag.ContinueOnError)
	global.SetOutput(env.Stderr)
	global.Usage = func() { fmt.Fprint(env.Stderr, Usage) }
	cm.register(global)
	showVersion := global.Bool("version", false, "print the version")
	if err := global.Parse(args); err != nil {
		return 2
	}
	rest := global.Args()
	if *showVersion {
		rest = []string{"version"} // whatever follows, as other programs do
	}
	if len(rest) == 0 {
		if env.GUI == nil {
			fmt.Fprint(env.Stdout, Usage)
			return 0
		}
		cfg := core.Config{Background: true, RelayURL: env.Getenv("PIKA_RELAY_URL"), Token: env.Getenv("PIKA_TOKEN")}
		return run(ctx, env, cm, cfg, func(pc *core.Core) error { return env.GUI(ctx, pc) })
	}
	cmd, rest := rest[0], rest[1:]
	setupLog(env)
	var err error
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, Usage)
		return 0
	case "import":
		err = cmdImport(ctx, env, cm, rest)
	case "import-virtualdj":
		err = cmdImportVDJ(ctx, env, cm, rest)
	case "analyze", "analyse":
		err = cmdAnalyze(ctx, env, cm, rest)
	case "library":
		err = cmdLibrary(ctx, env, cm, rest)
	case "live":
		err = cmdLive(ctx, env, cm, rest)
	case "token":
		err = cmdToken(ctx, env, cm, rest)
	case "relay":
		err = cmdRelay(ctx, env, cm, rest)
	case "stages":
		err = cmdStages(ctx, env, cm, rest)
	case "track":
		err = cmdTrack(ctx, env, cm, rest)
	case "crowd":
		err = cmdCrowd(ctx, env, cm, rest)
	case "export":
		err = cmdExport(ctx, env, cm, rest)
	case "version":
		err = cmdVersion(ctx, env, cm, rest)
	default:
		fmt.Fprintf(env.Stderr, "Unknown command %q: pika help lists them.\n\n%s", cmd, Usage)
		return 2
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "%s (pika help shows every command)\n", humanerr.Message(ue))
		return 2
	case err != nil:
		// The DJ reads what to do; the whole chain is in the log (PIKA_LOG=debug).
		slog.Debug("pika "+cmd+" failed", "err", err)
		fmt.Fprintln(env.Stderr, humanerr.Message(err))
		return 1
	}
	return 0
}

// setupLog sends the log to stderr at the level PIKA_LOG names: warnings
// by default, so the command's own lines are not repeated by the log.
func setupLog(env Env) {
	level := slog.LevelWarn
	switch strings.ToLower(env.Getenv("PIKA_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level})))
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// parse parses a subcommand's flags; flags may come before or after the
// positional arguments.
func parse(env Env, cm *common, name string, args []string, define func(*flag.FlagSet)) ([]string, error) {
	fs := flag.NewFlagSet("pika "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { fmt.Fprint(env.Stderr, Usage) }
	cm.register(fs)
	if define != nil {
		define(fs)
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// run opens a core, runs f and closes the core.
func run(ctx context.Context, env Env, cm *common, cfg core.Config, f func(*core.Core) error) int {
	if err := withCore(ctx, env, cm, cfg, f); err != nil {
		fmt.Fprintln(env.Stderr, humanerr.Message(err))
		return 1
	}
	return 0
}

func withCore(ctx context.Context, env Env, cm *common, cfg core.Config, f func(*core.Core) error) error {
	cfg.ConfigDir = cm.config
	cfg.LibraryPath = cm.library
	cfg.Workers = cm.workers
	cfg.NoKeyring = cm.noKeyring
	pc, err := core.Open(ctx, cfg)
	if err != nil {
		return err
	}
	for _, w := range pc.Warnings() {
		fmt.Fprintf(env.Stderr, "Warning: %s\n", w)
	}
	ferr := f(pc)
	if err := pc.Close(); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}

func cmdImport(ctx context.Context, env Env, cm *common, args []string) error {
	dirs, err := parse(env, cm, "import", args, nil)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return usageError{"name at least one folder: pika import DIR"}
	}
	return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
		for _, d := range dirs {
			res, err := pc.ImportFolder(ctx, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s: %d new, %d changed, %d moved, %d unchanged, %d missing\n",
				d, res.Added, res.Changed, res.Moved, res.Unchanged, res.Missing)
			for _, e := range res.Errors {
				fmt.Fprintf(env.Stderr, "  skipped %s: %s\n", e.Path, humanerr.Reason(errors.New(e.Err)))
			}
		}
		return analyse(ctx, env, pc)
	})
}

func cmdImportVDJ(ctx context.Context, env Env, cm *common, args []string) error {
	files, err := parse(env, cm, "import-virtualdj", args, nil)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return usageError{"name one database.xml at most"}
	}
	file := ""
	if len(files) == 1 {
		file = files[0]
	}
	return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
		res, err := pc.ImportVirtualDJ(ctx, file)
		fmt.Fprintf(env.Stdout, "VirtualDJ: %d songs, %d new, %d updated, %d not on this computer, %d not files\n",
			res.Songs, res.Added, res.Updated, res.Missing, res.Skipped)
		if err != nil {
			return err
		}
		return analyse(ctx, env, pc)
	})
}

func cmdAnalyze(ctx context.Context, env Env, cm *common, args []string) error {
	var retry, all bool
	pos, err := parse(env, cm, "analyze", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&retry, "retry-failed", false, "analyse failed tracks again")
		fs.BoolVar(&all, "all", false, "analyse every track again (after changing the BPM range)")
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"analyze takes no arguments (import folders with pika import DIR)"}
	}
	return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
		switch {
		case all:
			if _, err := pc.Reanalyse(ctx); err != nil {
				return err
			}
		case retry:
			if _, err := pc.RetryFailed(ctx); err != nil {
				return err
			}
		}
		return analyse(ctx, env, pc)
	})
}

// analyse runs the queue to the end, printing progress and failures; an
// interrupt stops it with the rest left pending for next time.
func analyse(ctx context.Context, env Env, pc *core.Core) error {
	events, stop := pc.Events()
	defer stop()
	if err := pc.StartAnalysis(); err != nil {
		return err
	}
	last := time.Time{}
	for {
		select {
		case <-ctx.Done():
			pc.CancelAnalysis()
			c, _ := pc.Counts(context.Background())
			fmt.Fprintf(env.Stderr, "Interrupted: %d tracks left to analyse (run pika analyze to go on)\n", c.Pending)
			return nil
		case e := <-events:
			ap, ok := e.(core.AnalysisProgress)
			if !ok {
				continue
			}
			p := ap.Progress
			if p.LastErr != nil {
				fmt.Fprintf(env.Stderr, "  failed %s: %s\n", p.LastErr.Path, humanerr.Reason(errors.New(p.LastErr.Err)))
			}
			if p.Finished {
				c, err := pc.Counts(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Analysed %s (%d failed); library: %s, %d analysed, %d failed, %d pending, %d missing\n",
					plural(p.Done, "file", "files"), p.Failed, plural(c.Total, "track", "tracks"), c.Analysed, c.Failed, c.Pending, c.Missing)
				return nil
			}
			if time.Since(last) >= 2*time.Second && p.Done > 0 {
				last = time.Now()
				eta := ""
				if p.ETA > 0 {
					eta = fmt.Sprintf(" · about %s left", p.ETA)
				}
				fmt.Fprintf(env.Stderr, "Analysing %d/%d · %.0f files/min%s\n", p.Done, p.Total, p.Rate, eta)
			}
		}
	}
}

func cmdLibrary(ctx context.Context, env Env, cm *common, args []string) error {
	if len(args) == 0 {
		return usageError{"use pika library search TEXT or pika library list"}
	}
	sub, args := args[0], args[1:]
	var (
		bpm, key, state string
		limit           int
	)
	pos, err := parse(env, cm, "library "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&bpm, "bpm", "", "BPM range MIN-MAX")
		fs.StringVar(&key, "key", "", "key: Camelot (8A) or name (Am, A minor)")
		fs.StringVar(&state, "state", "", "pending, analysed, failed or missing")
		fs.IntVar(&limit, "limit", 200, "most tracks to print")
	})
	if err != nil {
		return err
	}
	f := library.Filter{Key: key, State: library.State(state), Limit: limit}
	switch sub {
	case "search":
		if len(pos) == 0 {
			return usageError{"what to search for: pika library search TEXT"}
		}
		f.Text = strings.Join(pos, " ")
	case "list":
		if len(pos) > 0 {
			return usageError{"list takes flags only"}
		}
	default:
		return usageError{fmt.Sprintf("unknown library command %q", sub)}
	}
	if bpm != "" {
		lo, hi, ok := strings.Cut(bpm, "-")
		var err1, err2 error
		f.MinBPM, err1 = strconv.ParseFloat(strings.TrimSpace(lo), 64)
		f.MaxBPM, err2 = strconv.ParseFloat(strings.TrimSpace(hi), 64)
		if !ok || err1 != nil || err2 != nil || f.MinBPM > f.MaxBPM {
			return usageError{"--bpm wants MIN-MAX, e.g. 90-110"}
		}
	}
	switch f.State {
	case "", library.StatePending, library.StateAnalysed, library.StateFailed, library.StateMissing:
	default:
		return usageError{"--state is pending, analysed, failed or missing"}
	}
	return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
		tracks, err := pc.Tracks(ctx, f)
		if err != nil {
			return err
		}
		printTracks(env.Stdout, tracks)
		return nil
	})
}

func printTracks(w io.Writer, tracks []library.Track) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tBPM\tKEY\tARTIST\tTITLE\tSTATE")
	for _, t := range tracks {
		bpm := "-"
		if b := t.BPM(); b > 0 {
			bpm = strconv.FormatFloat(b, 'f', 1, 64)
		}
		name, camelot := t.Key()
		key := "-"
		switch {
		case name != "" && camelot != "":
			key = camelot + " · " + name // as the window shows it
		case name != "":
			key = name
		}
		pt := t.Protocol()
		state := string(t.State)
		if t.Error != "" {
			state += ": " + t.Error
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, bpm, key, pt.Artist, pt.Title, state)
	}
	tw.Flush()
	fmt.Fprintln(w, plural(len(tracks), "track", "tracks"))
}

func cmdToken(ctx context.Context, env Env, cm *common, args []string) error {
	if len(args) == 0 {
		return usageError{"use pika token set or pika token check"}
	}
	sub := args[0]
	var allowHTTP bool
	pos, err := parse(env, cm, "token "+sub, args[1:], func(fs *flag.FlagSet) {
		if sub == "check" {
			fs.BoolVar(&allowHTTP, "allow-http", false, "send the token to a plain http:// relay on the internet (unencrypted)")
		}
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"the token is read from standard input, never from the command line"}
	}
	cfg := core.Config{Token: env.Getenv("PIKA_TOKEN"), RelayURL: env.Getenv("PIKA_RELAY_URL"), AllowPlainHTTP: allowHTTP}
	switch sub {
	case "set":
		b, err := io.ReadAll(io.LimitReader(env.Stdin, 1024))
		if err != nil {
			return err
		}
		return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
			if err := pc.SetToken(strings.TrimSpace(string(b))); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "Token saved")
			return nil
		})
	case "check":
		return withCore(ctx, env, cm, cfg, func(pc *core.Core) error {
			dj, err := pc.CheckToken(ctx)
			if err != nil {
				return plainHTTPHint(err)
			}
			fmt.Fprintf(env.Stdout, "Token of %s (%s) on %s\n", dj.DisplayName, dj.Email, pc.Settings().RelayURL)
			return nil
		})
	}
	return usageError{fmt.Sprintf("unknown token command %q", sub)}
}
