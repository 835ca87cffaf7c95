package core

import (
	"context"
	"errors"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/shared/protocol"
)

// SetAnalytics fetches a set's private numbers from the relay: what the
// public recap leaves out (tempo shares per track, dancers who left during
// a track, tracks nobody liked).
func (c *Core) SetAnalytics(ctx context.Context, sessionID string) (protocol.SetAnalytics, error) {
	relay, tok, err := c.relayAndToken()
	if err != nil {
		return protocol.SetAnalytics{}, err
	}
	a, err := livelink.SetAnalytics(ctx, relay, tok, sessionID)
	if errors.Is(err, livelink.ErrBadToken) {
		return a, ErrTokenRefused
	}
	return a, err
}
