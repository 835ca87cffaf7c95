package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/shared/protocol"
)

// FetchRecap fetches a session's recap from the relay with the DJ's token
// and keeps it as crowd memory (per-track likes, tempo votes, plays per
// listener), replacing an earlier fetch of it.
func (c *Core) FetchRecap(ctx context.Context, sessionID string) (protocol.Recap, error) {
	rc, err := c.recap(ctx, sessionID)
	if err != nil {
		return rc, err
	}
	if err := c.lib.StoreRecap(ctx, rc); err != nil {
		return rc, err
	}
	c.hub.publish(LibraryChanged{})
	return rc, nil
}

// recap fetches a recap without keeping it.
func (c *Core) recap(ctx context.Context, sessionID string) (protocol.Recap, error) {
	tok, err := c.requireToken()
	if err != nil {
		return protocol.Recap{}, err
	}
	relay := c.Settings().RelayURL
	if relay == "" {
		return protocol.Recap{}, ErrNoRelay
	}
	if err := c.checkTransport(relay); err != nil {
		return protocol.Recap{}, err
	}
	rc, err := livelink.SessionRecap(ctx, relay, tok, sessionID)
	if errors.Is(err, livelink.ErrBadToken) {
		return rc, ErrTokenRefused
	}
	if err != nil {
		return rc, fmt.Errorf("could not fetch the recap of session %s: %w", sessionID, err)
	}
	return rc, nil
}

// recapWait bounds the fetch of an ended session's recap.
const recapWait = 5 * time.Second

// rememberCrowds fetches the recap of every session that ends while the
// core runs (End, or the relay ending it), for the crowd memory. A fetch
// that fails is logged: `pika crowd fetch` fetches it later. A session
// resumed after a restart gets its plays back for the assistant.
func (c *Core) rememberCrowds() {
	events, stop := c.hub.subscribe()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer stop()
		last := ""
		for {
			select {
			case <-c.ctx.Done():
				return
			case e := <-events:
				sc, ok := e.(SessionChanged)
				if ok && sc.Resumed && !sc.Ended && sc.ID != "" {
					c.resumeSet(sc.ID) // warnings.go
				}
				if !ok || !sc.Ended || sc.EndedHere || sc.ID == "" || sc.ID == last {
					continue
				}
				last = sc.ID
				// A set ended just before the app quits is still
				// remembered: Close waits for this fetch, a little.
				ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), recapWait)
				if _, err := c.FetchRecap(ctx, sc.ID); err != nil {
					slog.Warn("crowd memory: recap not fetched (pika crowd fetch SESSION fetches it later)", "session", sc.ID, "err", err)
				}
				cancel()
			}
		}
	}()
}
