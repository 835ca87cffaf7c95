package cli

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/relay/relaytest"
)

func TestMain(m *testing.M) {
	// Analysis on the spot on a loaded CI machine can take a while: the
	// frame wait is a hang guard, so make it generous.
	relaytest.FrameTimeout = time.Minute
	os.Exit(m.Run())
}

// The usage text names every source kind nowplaying knows.
func TestUsageNamesEverySource(t *testing.T) {
	for _, k := range nowplaying.Kinds() {
		if !strings.Contains(Usage, k.Usage) {
			t.Errorf("Usage lacks %q", k.Usage)
		}
	}
}
