package app

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// TestNATSUnreachable: a relay told to join a NATS it cannot reach does
// not start, says which setting is wrong, and frees its port.
func TestNATSUnreachable(t *testing.T) {
	// A port nothing listens on: taken, then released.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	natsAddr := l.Addr().String()
	l.Close()
	relay, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := relay.Addr().String()
	relay.Close()
	dir := t.TempDir()
	a, err := Start(context.Background(), Config{
		Addr: addr, DatabaseURL: "file:" + filepath.Join(dir, "pika.db"), NATSURL: "nats://" + natsAddr,
	})
	if err == nil {
		_ = a.Shutdown(context.Background())
		t.Fatal("started without its NATS")
	}
	if !strings.Contains(err.Error(), "PIKA_NATS_URL") || !strings.Contains(err.Error(), "connect to NATS") {
		t.Fatalf("error %q does not name the setting", err)
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port %s still held after the failed start: %v", addr, err)
	}
	again.Close()
}
