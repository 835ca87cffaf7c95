package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/pikadj/pika/desktop/core"
)

// cmdStages lists the stages `pika live --stage` accepts.
func cmdStages(ctx context.Context, env Env, cm *common, args []string) error {
	var allowHTTP bool
	pos, err := parse(env, cm, "stages", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&allowHTTP, "allow-http", false, "send the token to a plain http:// relay on the internet (unencrypted)")
	})
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"stages takes flags only"}
	}
	cfg := core.Config{Token: env.Getenv("PIKA_TOKEN"), RelayURL: env.Getenv("PIKA_RELAY_URL"), AllowPlainHTTP: allowHTTP}
	return withCore(ctx, env, cm, cfg, func(pc *core.Core) error {
		choices, err := pc.Stages(ctx)
		if err != nil {
			return plainHTTPHint(err)
		}
		if len(choices) == 0 {
			fmt.Fprintln(env.Stdout, "You play at no event yet: open the organizer's invitation link, log in and accept it.")
			return nil
		}
		w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SLUG\tSTAGE\tEVENT\tDATES")
		for _, c := range choices {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s – %s\n", c.Stage.Slug, c.Stage.Name, c.Event.Name, c.Event.StartsOn, c.Event.EndsOn)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "Go live on one with: pika live --stage SLUG")
		return nil
	})
}
