//go:build linux

package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
)

// TestHealthzFailsOnAFullDisk: with every file write of the process
// refused (RLIMIT_FSIZE 0, what a full disk does to write(2); as root a
// chmod would not stop anything), /healthz answers 503 with the reason
// while reads still work; once writes go through again it is 200.
func TestHealthzFailsOnAFullDisk(t *testing.T) {
	r := relaytest.Start(t)
	if resp, body := get(t, r.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %d %s before the disk fills", resp.StatusCode, body)
	}
	time.Sleep(1100 * time.Millisecond) // a passed check stands for a second
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 0, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, r.URL+"/healthz", nil)
	listResp, _ := get(t, r.URL+"/api/sessions", nil)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	_ = json.Unmarshal([]byte(body), &got)
	if resp.StatusCode != http.StatusServiceUnavailable || got["database"] != "cannot write" {
		t.Fatalf("/healthz on a full disk: %d %s, want 503 with database \"cannot write\"", resp.StatusCode, body)
	}
	if listResp.StatusCode != http.StatusOK {
		t.Fatalf("/api/sessions %d on a full disk: reads should still work", listResp.StatusCode)
	}
	if resp, body := get(t, r.URL+"/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz %d %s once writes work again", resp.StatusCode, body)
	}
	if !strings.Contains(r.Logs(), "health check failed") {
		t.Fatal("the failed check was not logged")
	}
}
