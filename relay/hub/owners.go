package hub

import (
	"context"
	"errors"
)

// Owners.Ask's errors when the owner cannot answer: no relay serves the
// session (ErrNoOwner), or the one that does went silent (ErrOwnerSilent:
// killed with the request in hand, or too busy to answer in time).
var (
	ErrNoOwner     = errors.New("no relay owns the session")
	ErrOwnerSilent = errors.New("the session's owner relay did not answer in time")
)

// Owners routes requests to the relay that owns a session, when several
// relays share one database: the owner applies the session's writes in
// order and the others forward their dancers' to it. Which relay owns a
// session is decided elsewhere (a lease in the database); Owners only
// carries the requests.
type Owners interface {
	// Serve answers the requests sent to the owner of the session with
	// handle until stop is called. handle runs on a goroutine of its own
	// per request.
	Serve(sessionID string, handle func(ctx context.Context, req []byte) []byte) (stop func(), err error)
	// Ask sends req to the session's owner and returns its reply;
	// ErrNoOwner or ErrOwnerSilent when none answers.
	Ask(ctx context.Context, sessionID string, req []byte) ([]byte, error)
}
