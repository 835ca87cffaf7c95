package server_test

import (
	"net/http"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

func TestAppLatest(t *testing.T) {
	tests := []struct {
		name    string
		release protocol.AppRelease
		status  int
	}{
		{"none configured", protocol.AppRelease{}, http.StatusNoContent},
		{"a release", protocol.AppRelease{Version: "1.4.0", DownloadURL: "https://pika.example/download"}, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.AppRelease = tc.release }))
			var got protocol.AppRelease
			out := any(&got)
			if tc.status == http.StatusNoContent {
				out = nil
			}
			if st := r.DoJSON(t, http.MethodGet, "/api/app/latest", "", nil, out); st != tc.status || got != tc.release {
				t.Fatalf("GET /api/app/latest: %d %+v, want %d %+v", st, got, tc.status, tc.release)
			}
		})
	}
}
