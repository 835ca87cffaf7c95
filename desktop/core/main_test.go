package core

import (
	"os"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
)

func TestMain(m *testing.M) {
	// Analysis on the spot on a loaded CI machine can take a while: the
	// frame wait is a hang guard, so make it generous.
	relaytest.FrameTimeout = time.Minute
	os.Exit(m.Run())
}
