package relaytest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func TestStartRegisterRestart(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "Ana@Example.com", "DJ Ana")
	if !strings.HasPrefix(token, protocol.TokenPrefix) {
		t.Fatalf("token %q lacks the %s prefix", token, protocol.TokenPrefix)
	}
	url := r.URL
	r.Restart(t)
	if r.URL != url {
		t.Fatalf("restart moved the relay from %s to %s", url, r.URL)
	}
	var dj protocol.DJ
	if code := r.DoJSON(t, http.MethodGet, "/api/auth/me", token, nil, &dj); code != http.StatusOK {
		t.Fatalf("GET /api/auth/me after restart: %d", code)
	}
	if dj.Email != "ana@example.com" || dj.DisplayName != "DJ Ana" {
		t.Fatalf("me = %+v", dj)
	}
}
