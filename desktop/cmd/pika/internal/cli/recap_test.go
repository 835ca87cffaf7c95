package cli

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestLivePublicRecapFlag: `pika live --public-recap` makes a PIN
// session's recap public once it ends; without it the recap stays
// private; --public-recap=false keeps a session without a PIN private.
func TestLivePublicRecapFlag(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	relay := relaytest.Start(t)
	token := relay.RegisterDJ(t, "recap-flag@example.com", "DJ Flag")
	tests := []struct {
		name   string
		args   []string
		status int // of the recap without PIN or token, once ended
	}{
		{"PIN, no flag", []string{"--pin", "2468"}, http.StatusForbidden},
		{"PIN and --public-recap", []string{"--pin", "2468", "--public-recap"}, http.StatusOK},
		{"no PIN, --public-recap=false", []string{"--public-recap=false"}, http.StatusForbidden},
		{"no PIN, no flag", nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			liveCtx, stopLive := context.WithCancel(ctx)
			defer stopLive()
			cores := make(chan *core.Core, 1)
			done := make(chan int, 1)
			var out syncBuffer
			env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Ready: func(c *core.Core) { cores <- c }}
			args := append([]string{"--config", t.TempDir(), "--no-keyring", "live", "--source", "manual", "--relay", relay.URL, "--token", token}, tt.args...)
			go func() {
				code, _, _ := pika(t, liveCtx, env, args...)
				done <- code
			}()
			_, sess := waitLive(t, ctx, cores)
			stopLive()
			if code := <-done; code != 0 {
				t.Fatalf("pika live exited %d:\n%s", code, out.String())
			}
			var rc protocol.Recap
			if s := relay.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", "", nil, &rc); s != tt.status {
				t.Fatalf("recap status %d, want %d", s, tt.status)
			}
		})
	}
}
