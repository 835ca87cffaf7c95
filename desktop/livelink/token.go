package livelink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// ErrBadToken: the relay does not know the token (revoked or mistyped).
var ErrBadToken = errors.New("livelink: the relay refused the token")

// CheckToken asks the relay whose token this is (GET /api/auth/me), for
// the settings screen: it returns the DJ, or ErrBadToken.
func CheckToken(ctx context.Context, relayURL, token string) (protocol.DJ, error) {
	var dj protocol.DJ
	base, _, err := relayURLs(relayURL)
	if err != nil {
		return dj, fmt.Errorf("livelink: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/auth/me", nil)
	if err != nil {
		return dj, fmt.Errorf("livelink: check token: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", "Pika-desktop")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return dj, fmt.Errorf("livelink: check token at %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return dj, fmt.Errorf("livelink: check token: read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return dj, ErrBadToken
	case resp.StatusCode != http.StatusOK:
		var apiErr protocol.APIError
		_ = json.Unmarshal(body, &apiErr)
		return dj, fmt.Errorf("livelink: check token: relay answered %s %s", resp.Status, apiErr.Error)
	}
	if err := json.Unmarshal(body, &dj); err != nil {
		return dj, fmt.Errorf("livelink: check token: unreadable answer: %w", err)
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
