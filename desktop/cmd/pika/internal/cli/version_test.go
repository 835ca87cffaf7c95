package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/internal/appversion"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func TestVersion(t *testing.T) {
	defer func(v string) { appversion.Version = v }(appversion.Version)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	withRelease := relaytest.Start(t, relaytest.WithAppRelease(protocol.AppRelease{Version: "2.1.0", DownloadURL: "https://pika.example/download"}))
	without := relaytest.Start(t)
	tests := []struct {
		name, version string
		relay         *relaytest.Relay
		args          []string
		want          []string
	}{
		{"--version", "1.4.0", nil, []string{"--version"}, []string{"Pika! 1.4.0"}},
		{"-version", "1.4.0", nil, []string{"-version"}, []string{"Pika! 1.4.0"}},
		{"version", "dev", nil, []string{"version"}, []string{"Pika! dev"}},
		{"--version with a command", "1.4.0", nil, []string{"--version", "help"}, []string{"Pika! 1.4.0"}},
		{"check, newer", "1.4.0", withRelease, []string{"version", "--check"}, []string{"Pika! 1.4.0", "Pika! 2.1.0 is out: https://pika.example/download"}},
		{"check, latest", "2.1.0", withRelease, []string{"version", "--check"}, []string{"This is the latest release."}},
		{"check, none", "1.4.0", without, []string{"version", "--check"}, []string{"The relay announces no release."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			appversion.Version = tc.version
			env := Env{Getenv: func(k string) string {
				if k == "PIKA_RELAY_URL" && tc.relay != nil {
					return tc.relay.URL
				}
				return ""
			}}
			code, out, errOut := pika(t, ctx, env, append([]string{"--config", t.TempDir(), "--no-keyring"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}
