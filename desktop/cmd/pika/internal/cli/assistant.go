package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/library"
)

// cmdTrack corrects a track's BPM or key by hand.
func cmdTrack(ctx context.Context, env Env, cm *common, args []string) error {
	if len(args) == 0 {
		return usageError{"use pika track set-bpm ID BPM or pika track set-key ID KEY"}
	}
	sub := args[0]
	pos, err := parse(env, cm, "track "+sub, args[1:], nil)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{fmt.Sprintf("pika track %s wants a track id (see pika library search) and a value", sub)}
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError{fmt.Sprintf("%q is not a track id (see pika library search)", pos[0])}
	}
	value := strings.TrimSpace(pos[1])
	return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
		var t library.Track
		switch sub {
		case "set-bpm":
			cur, err := pc.Library().Track(ctx, id)
			if err != nil {
				return err
			}
			bpm, err := bpmValue(value, cur.BPM())
			if err != nil {
				return err
			}
			if t, err = pc.SetTrackBPM(ctx, id, bpm); err != nil {
				return err
			}
		case "set-key":
			if strings.EqualFold(value, "clear") {
				value = ""
			}
			if t, err = pc.SetTrackKey(ctx, id, value); err != nil {
				return err
			}
		default:
			return usageError{fmt.Sprintf("unknown track command %q", sub)}
		}
		printTracks(env.Stdout, []library.Track{t})
		return nil
	})
}

// bpmValue reads a tempo, a fix of the current one (x2, /2, x3/2, x2/3, or
// the window's ×2 ÷2 ×3⁄2 ×2⁄3) or "clear".
func bpmValue(s string, current float64) (float64, error) {
	if strings.EqualFold(s, "clear") {
		return 0, nil
	}
	norm := strings.NewReplacer("×", "x", "÷", "/", "⁄", "/", "X", "x").Replace(s)
	for _, f := range library.BPMFixes {
		label := strings.NewReplacer("×", "x", "÷", "/", "⁄", "/").Replace(f.Label)
		if norm == label {
			if current <= 0 {
				return 0, fmt.Errorf("the track has no tempo to fix yet: give one, e.g. 98")
			}
			return f.Fixed(current), nil
		}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		return 0, usageError{fmt.Sprintf("%q is not a tempo: give BPM (98), a fix (x2, /2, x3/2, x2/3) or clear", s)}
	}
	return v, nil
}

// relayFlags are --relay and --allow-http, as for live.
func relayFlags(fs *flag.FlagSet, relay *string, allowHTTP *bool) {
	fs.StringVar(relay, "relay", "", "relay URL for this run (default: saved, or PIKA_RELAY_URL)")
	fs.BoolVar(allowHTTP, "allow-http", false, "send the token to a plain http:// relay on the internet (unencrypted)")
}

// relayConfig is the run's relay and token: --relay, else the
// environment's, else the saved ones.
func relayConfig(env Env, relay string, allowHTTP bool) core.Config {
	if relay == "" {
		relay = env.Getenv("PIKA_RELAY_URL")
	}
	return core.Config{RelayURL: relay, Token: env.Getenv("PIKA_TOKEN"), AllowPlainHTTP: allowHTTP}
}

// cmdCrowd fetches a past session's recap into the crowd memory (the app
// does so by itself when a session ends; this is for one that ended
// while the relay could not be reached).
func cmdCrowd(ctx context.Context, env Env, cm *common, args []string) error {
	if len(args) == 0 || args[0] != "fetch" {
		return usageError{"use pika crowd fetch SESSION"}
	}
	var relay string
	var allowHTTP bool
	pos, err := parse(env, cm, "crowd fetch", args[1:], func(fs *flag.FlagSet) { relayFlags(fs, &relay, &allowHTTP) })
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"name the sessions: pika crowd fetch SESSION..."}
	}
	return withCore(ctx, env, cm, relayConfig(env, relay, allowHTTP), func(pc *core.Core) error {
		for _, id := range pos {
			rc, err := pc.FetchRecap(ctx, id)
			if err != nil {
				return plainHTTPHint(err)
			}
			fmt.Fprintf(env.Stdout, "%s (%s): %s, %d likes, %d tempo votes, %d listeners at most\n",
				rc.Session.Name, id, plural(len(rc.Plays), "play", "plays"), rc.TotalLikes, rc.TotalVotes, rc.PeakListeners)
		}
		return nil
	})
}

// cmdExport writes a session's set as M3U or CSV, to --out or stdout.
func cmdExport(ctx context.Context, env Env, cm *common, args []string) error {
	var session, format, out, relay string
	var allowHTTP bool
	pos, err := parse(env, cm, "export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&session, "session", "", "session id (see the recap link)")
		fs.StringVar(&format, "format", "", "m3u or csv (default: from --out's extension, else m3u)")
		fs.StringVar(&out, "out", "", "file to write (default: standard output)")
		relayFlags(fs, &relay, &allowHTTP)
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 || session == "" {
		return usageError{"pika export --session ID [--format m3u|csv] [--out FILE]"}
	}
	if format == "" {
		format = core.FormatM3U
		if strings.EqualFold(filepath.Ext(out), ".csv") {
			format = core.FormatCSV
		}
	}
	if format != core.FormatM3U && format != core.FormatCSV {
		return usageError{fmt.Sprintf("--format %q: use m3u or csv", format)}
	}
	return withCore(ctx, env, cm, relayConfig(env, relay, allowHTTP), func(pc *core.Core) error {
		if out == "" {
			_, err := pc.ExportSet(ctx, session, format, env.Stdout)
			return plainHTTPHint(err)
		}
		f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(f.Name())
		n, err := pc.ExportSet(ctx, session, format, f)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("export: %w", cerr)
		}
		if err != nil {
			return plainHTTPHint(err)
		}
		if err := os.Rename(f.Name(), out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(env.Stderr, "Wrote %s of session %s to %s\n", plural(n, "track", "tracks"), session, out)
		return nil
	})
}
