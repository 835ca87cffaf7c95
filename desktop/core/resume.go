package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
)

// LeftSession is a session an earlier run left live (the app quit or
// crashed mid-set) that going live now would resume: the app offers it at
// start. Name and Source are what the settings remember of it.
type LeftSession struct {
	ID, Name, Source string
	LastConnected    time.Time
}

// LeftLive reports the session an earlier run left live, if going live now
// resumes it (same relay, within protocol.ResumeWindow of its last contact).
func (c *Core) LeftLive(ctx context.Context) (LeftSession, bool, error) {
	if c.LiveState().Live {
		return LeftSession{}, false, nil
	}
	s := c.Settings()
	if s.RelayURL == "" {
		return LeftSession{}, false, nil
	}
	left, ok, err := livelink.ResumableSession(ctx, c.lib.DB(), s.RelayURL)
	if err != nil || !ok {
		return LeftSession{}, false, err
	}
	return LeftSession{ID: left.ID, Name: s.SessionName, Source: s.Source, LastConnected: left.LastConnected}, true, nil
}

// ResumeLeft goes live again with what the left session watched, its name
// and its stage: the relay resumes the same session (and keeps its PIN).
func (c *Core) ResumeLeft(ctx context.Context) error {
	s := c.Settings()
	return c.GoLiveWith(ctx, GoLiveOptions{Source: s.Source, Name: s.SessionName, Stage: s.Stage})
}

// EndLeft ends the session an earlier run left live: it resumes it (so the
// plays logged meanwhile are caught up) and ends it, so the dancers see
// the end and get the recap now rather than after the resume window. As
// End, it returns ErrEndedHere when the relay could not be told.
func (c *Core) EndLeft(ctx context.Context) error {
	if err := c.ResumeLeft(ctx); err != nil {
		return err
	}
	// Wait for the relay to confirm the session (or to be found
	// unreachable): End then tells it, or ends here.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st := c.LiveState()
		if !st.Live {
			return errors.New("the session stopped before it could be ended")
		}
		if st.Session.ID != "" || st.LinkErr != nil {
			break
		}
		select {
		case <-ctx.Done():
			if err := c.End(context.WithoutCancel(ctx)); err != nil && !errors.Is(err, ErrEndedHere) {
				return fmt.Errorf("end the earlier session: %w", err)
			}
			return ErrEndedHere
		case <-tick.C:
		}
	}
	return c.End(ctx)
}
