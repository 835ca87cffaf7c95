package livelink

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/pikadj/pika/shared/protocol"
)

// SessionRecap fetches a session's recap (GET /api/sessions/:id/recap)
// with the DJ's token, which opens the recap of the DJ's own sessions
// whatever their privacy: the desktop keeps it as crowd memory.
func SessionRecap(ctx context.Context, relayURL, token, sessionID string) (protocol.Recap, error) {
	if !protocol.ValidID(sessionID) {
		return protocol.Recap{}, errors.New("livelink: session recap: not a session id")
	}
	var rc protocol.Recap
	if err := getJSON(ctx, relayURL, token, "/api/sessions/"+url.PathEscape(sessionID)+"/recap", &rc); err != nil {
		return protocol.Recap{}, fmt.Errorf("livelink: session recap: %w", err)
	}
	if rc.Session.ID != sessionID {
		return protocol.Recap{}, fmt.Errorf("livelink: session recap: the relay answered for session %q", rc.Session.ID)
	}
	return rc, nil
}
