package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/appversion"
)

// cmdVersion prints the app's version; with --check it also asks the
// relay whether a newer release exists (the daily check the window makes,
// answered from the last day's answer when there is one).
func cmdVersion(ctx context.Context, env Env, cm *common, args []string) error {
	var check bool
	pos, err := parse(env, cm, "version", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&check, "check", false, "ask the relay whether a newer release exists")
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"version takes flags only"}
	}
	fmt.Fprintln(env.Stdout, "Pika! "+appversion.String())
	if !check {
		return nil
	}
	cfg := core.Config{RelayURL: env.Getenv("PIKA_RELAY_URL")}
	return withCore(ctx, env, cm, cfg, func(pc *core.Core) error {
		u, err := pc.CheckForUpdate(ctx)
		switch {
		case errors.Is(err, core.ErrUpdateCheckOff):
			fmt.Fprintln(env.Stdout, "The update check is off in Settings.")
			return nil
		case err != nil:
			return err
		case u.Newer:
			fmt.Fprintf(env.Stdout, "Pika! %s is out: %s\n", u.Latest, u.DownloadURL)
		case u.Latest == "":
			fmt.Fprintln(env.Stdout, "The relay announces no release.")
		case !appversion.Release():
			fmt.Fprintf(env.Stdout, "The latest release is %s (this is a development build).\n", u.Latest)
		default:
			fmt.Fprintln(env.Stdout, "This is the latest release.")
		}
		return nil
	})
}
