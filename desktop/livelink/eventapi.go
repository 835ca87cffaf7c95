package livelink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// EventsOf lists the events the token's DJ plays at or organizes, with
// their stages: what Go Live offers besides a session of one's own.
func EventsOf(ctx context.Context, relayURL, token string) ([]protocol.Event, error) {
	var out []protocol.Event
	if err := getJSON(ctx, relayURL, token, "/api/events", &out); err != nil {
		return nil, fmt.Errorf("livelink: list events: %w", err)
	}
	return out, nil
}

// EventPlays lists what was played at an event, by whom, where and when.
func EventPlays(ctx context.Context, relayURL, token, eventID string) ([]protocol.EventPlay, error) {
	var out []protocol.EventPlay
	if err := getJSON(ctx, relayURL, token, "/api/events/"+url.PathEscape(eventID)+"/plays", &out); err != nil {
		return nil, fmt.Errorf("livelink: event plays: %w", err)
	}
	return out, nil
}

// statusError is a relay answer other than 200 and 401, for callers that
// tell some apart.
type statusError struct {
	code        int
	status, msg string
}

func (e *statusError) Error() string { return "the relay answered " + e.status + ": " + e.msg }

// getJSON GETs a relay API path with the DJ's token and decodes the
// answer (at most 8 MB: an event's plays fit many times over). A token
// the relay does not know is ErrBadToken.
func getJSON(ctx context.Context, relayURL, token, path string, out any) error {
	base, _, err := relayURLs(relayURL)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", "Pika-desktop")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("read the relay's answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return ErrBadToken
	case resp.StatusCode != http.StatusOK:
		var apiErr protocol.APIError
		_ = json.Unmarshal(body, &apiErr)
		return &statusError{code: resp.StatusCode, status: resp.Status, msg: apiErr.Error}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("unreadable answer from the relay: %w", err)
	}
	return nil
}

// SetAnalytics fetches a set's private numbers (its DJ's or an organizer's
// token): tempo shares, drop-offs, tracks nobody liked.
func SetAnalytics(ctx context.Context, relayURL, token, sessionID string) (protocol.SetAnalytics, error) {
	var out protocol.SetAnalytics
	if err := getJSON(ctx, relayURL, token, "/api/sessions/"+url.PathEscape(sessionID)+"/analytics", &out); err != nil {
		return out, fmt.Errorf("livelink: set analytics: %w", err)
	}
	return out, nil
}
