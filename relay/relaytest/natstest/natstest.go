// Package natstest runs a real NATS server for tests of several relays,
// apart from relaytest so that tests of one relay (the desktop app's among
// them) do not build the NATS server.
package natstest

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/pikadj/pika/relay/relaytest"
)

// Start runs a real NATS server in-process on a free 127.0.0.1 port
// and shuts it down when the test ends. Its ClientURL goes to relaytest.WithNATS.
func Start(t testing.TB) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("natstest: NATS server: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(relaytest.FrameTimeout) {
		s.Shutdown()
		t.Fatalf("natstest: NATS server not ready within %s", relaytest.FrameTimeout)
	}
	t.Cleanup(s.Shutdown)
	return s
}
