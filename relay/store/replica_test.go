package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/store"
)

// TestReplicaUnreachable: a Turso URL that cannot be reached fails Open
// with an error that names the URL but never the token.
func TestReplicaUnreachable(t *testing.T) {
	const secret = "turso-secret-token-value"
	_, err := store.Open(context.Background(), store.Options{
		URL: "libsql://127.0.0.1:1", AuthToken: secret, ReplicaPath: filepath.Join(t.TempDir(), "replica.db"),
	})
	if err == nil {
		t.Fatal("opened a replica of an unreachable primary")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("error %q", err)
	}
	if _, err := store.Open(context.Background(), store.Options{URL: "libsql://127.0.0.1:1", AuthToken: secret}); err == nil || !strings.Contains(err.Error(), "replica path") {
		t.Fatalf("no replica path: %v", err)
	}
}
