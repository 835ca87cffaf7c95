package app

import (
	"context"
	"errors"

	"github.com/pikadj/pika/shared/protocol"
)

// errNoLiveLink is returned until the relay client is part of the build.
var errNoLiveLink = errors.New("going live is not available in this build yet")

// GoLive starts a live session named name (pin: optional 4–8 digits) and
// relays what source plays: "virtualdj[:DIR]", "m3u:PATH", "mixxx[:DB]",
// "serato[:DIR]" or "manual" ("" uses the settings' source).
func (c *Core) GoLive(ctx context.Context, source, name, pin string) error {
	return errNoLiveLink
}

// End ends the live session; dancers see the recap link.
func (c *Core) End(ctx context.Context) error { return errNoLiveLink }

// CheckToken asks the relay whose token this is (GET /api/auth/me).
func (c *Core) CheckToken(ctx context.Context) (protocol.DJ, error) {
	return protocol.DJ{}, errNoLiveLink
}

func (lr *liveRun) stop() {
	lr.cancel()
	<-lr.done
}
