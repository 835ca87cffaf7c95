package cli

import (
	"context"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/settings"
)

// TestNoCommandOpensTheWindowOverACore checks the wiring main relies on:
// `pika` alone hands the window a core with this run's relay and token.
func TestNoCommandOpensTheWindowOverACore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var got settings.Settings
	var hasToken bool
	env := Env{
		Getenv: func(k string) string {
			return map[string]string{
				"PIKA_CONFIG_DIR": t.TempDir(),
				"PIKA_RELAY_URL":  "https://relay.example",
				"PIKA_TOKEN":      "pk_dj_0123456789abcdef0123456789abcdef",
			}[k]
		},
		GUI: func(ctx context.Context, pc *core.Core) error {
			got = pc.Settings()
			hasToken = pc.HasToken()
			return nil
		},
	}
	code, out, errOut := pika(t, ctx, env, "--no-keyring")
	if code != 0 || got.RelayURL != "https://relay.example" || !hasToken {
		t.Errorf("exit %d (%s %s); GUI saw relay %q, token %v", code, out, errOut, got.RelayURL, hasToken)
	}
	code, out, _ = pika(t, ctx, Env{}, "--no-keyring", "--config", t.TempDir())
	if code != 0 || out != Usage {
		t.Errorf("without a GUI: exit %d, %q; want the usage", code, out)
	}
}
