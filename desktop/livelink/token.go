package livelink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pikadj/pika/shared/protocol"
)

// ErrBadToken: the relay does not know the token (revoked or mistyped).
var ErrBadToken = errors.New("livelink: the relay refused the token")

// CheckToken asks the relay whose token this is (GET /api/auth/me), for
// the settings screen: it returns the DJ, or ErrBadToken.
func CheckToken(ctx context.Context, relayURL, token string) (protocol.DJ, error) {
	var dj protocol.DJ
	if err := getJSON(ctx, relayURL, token, "/api/auth/me", &dj); err != nil {
		var se *statusError
		if errors.As(err, &se) && se.code == http.StatusForbidden {
			return dj, ErrBadToken // an account that may not use the token
		}
		if errors.Is(err, ErrBadToken) {
			return dj, err
		}
		return dj, fmt.Errorf("livelink: check token: %w", err)
	}
	return dj, nil
}

// jsonEnvelope frames a stored payload without decoding it again.
func jsonEnvelope(t protocol.Type, id string, payload []byte) ([]byte, error) {
	b, err := json.Marshal(protocol.Envelope{Type: t, ID: id, Payload: json.RawMessage(payload)})
	if err != nil {
		return nil, fmt.Errorf("livelink: frame %s: %w", t, err)
	}
	return b, nil
}
