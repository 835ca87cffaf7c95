package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/internal/humanerr"
	"github.com/pikadj/pika/desktop/settings"
)

// healthWait bounds the reachability check after `pika relay set`.
const healthWait = 5 * time.Second

// cmdRelay shows or saves the relay URL (and the public page URL) in the
// settings the window uses too.
func cmdRelay(ctx context.Context, env Env, cm *common, args []string) error {
	if len(args) == 0 {
		return usageError{"use pika relay set URL [--public URL] or pika relay show"}
	}
	sub := args[0]
	var public string
	pos, err := parse(env, cm, "relay "+sub, args[1:], func(fs *flag.FlagSet) {
		if sub == "set" {
			fs.StringVar(&public, "public", "", "public page URL dancers open (default: the relay URL)")
		}
	})
	if err != nil {
		return err
	}
	switch sub {
	case "show":
		if len(pos) > 0 {
			return usageError{"relay show takes no arguments"}
		}
		return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
			s := pc.Settings()
			file := filepath.Join(configDir(cm), "settings.json")
			if s.RelayURL == "" {
				fmt.Fprintf(env.Stdout, "Relay: not set (pika relay set URL saves it in %s)\n", file)
			} else {
				fmt.Fprintf(env.Stdout, "Relay: %s (saved in %s)\n", s.RelayURL, file)
			}
			if s.PublicURL != "" {
				fmt.Fprintf(env.Stdout, "Public page URL: %s\n", s.PublicURL)
			}
			if o := strings.TrimSpace(env.Getenv("PIKA_RELAY_URL")); o != "" {
				fmt.Fprintf(env.Stdout, "PIKA_RELAY_URL is set: this shell uses %s instead\n", o)
			}
			return nil
		})
	case "set":
		if len(pos) != 1 {
			return usageError{"name the relay: pika relay set https://relay.example"}
		}
		return withCore(ctx, env, cm, core.Config{}, func(pc *core.Core) error {
			s := pc.Settings()
			s.RelayURL = strings.TrimRight(strings.TrimSpace(pos[0]), "/")
			if public != "" {
				s.PublicURL = strings.TrimRight(strings.TrimSpace(public), "/")
			}
			if err := pc.SaveSettings(s); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Relay set to %s\n", s.RelayURL)
			if err := checkHealth(ctx, s.RelayURL); err != nil {
				fmt.Fprintf(env.Stderr, "Warning: saved, but %s\n", lowerFirst(humanerr.Message(err)))
			}
			return nil
		})
	}
	return usageError{fmt.Sprintf("unknown relay command %q", sub)}
}

// configDir is where the settings live: --config, else the default.
func configDir(cm *common) string {
	if cm.config != "" {
		return cm.config
	}
	dir, err := settings.DefaultDir()
	if err != nil {
		return "the settings folder"
	}
	return dir
}

// checkHealth asks the relay's /healthz whether it answers.
func checkHealth(ctx context.Context, relay string) error {
	ctx, cancel := context.WithTimeout(ctx, healthWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, relay+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/healthz answered %s: is this a Pika! relay?", relay, resp.Status)
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" || strings.ToUpper(s[:1]) != s[:1] {
		return s
	}
	if len(s) > 1 && strings.ToUpper(s[1:2]) == s[1:2] && s[1] != ' ' {
		return s // an acronym
	}
	return strings.ToLower(s[:1]) + s[1:]
}
