package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/desktop/repeats"
	"github.com/pikadj/pika/shared/protocol"
)

// eventPlaysEvery is how often a set on a stage rereads the event's plays:
// other DJs on other stages add to them all evening.
const eventPlaysEvery = 45 * time.Second

// StageChoice is a stage the DJ may go live on: a room of an event whose
// invitation the DJ accepted (or organizes).
type StageChoice struct {
	Event protocol.Event
	Stage protocol.Stage
}

// Label names the choice for a picker: "Main ballroom · Warsaw Swing
// Weekend".
func (s StageChoice) Label() string { return s.Stage.Name + " · " + s.Event.Name }

// Location is the event's time zone (UTC when unknown).
func (s StageChoice) Location() *time.Location {
	if loc, err := time.LoadLocation(s.Event.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Stages lists the stages of the events the DJ plays at, soonest event
// first as the relay orders them: what Go Live offers besides a session of
// one's own.
func (c *Core) Stages(ctx context.Context) ([]StageChoice, error) {
	relay, tok, err := c.relayAndToken()
	if err != nil {
		return nil, err
	}
	events, err := livelink.EventsOf(ctx, relay, tok)
	if errors.Is(err, livelink.ErrBadToken) {
		return nil, ErrTokenRefused
	}
	if err != nil {
		return nil, err
	}
	var out []StageChoice
	for _, ev := range events {
		for _, st := range ev.Stages {
			out = append(out, StageChoice{Event: ev, Stage: st})
		}
	}
	return out, nil
}

// relayAndToken is the saved relay URL and token, checked for use.
func (c *Core) relayAndToken() (string, string, error) {
	tok, err := c.requireToken()
	if err != nil {
		return "", "", err
	}
	relay := c.Settings().RelayURL
	if relay == "" {
		return "", "", ErrNoRelay
	}
	if err := c.checkTransport(relay); err != nil {
		return "", "", err
	}
	return relay, tok, nil
}

// findStage resolves a stage given by its link's slug (or its id, or its
// full /s/ link) among the DJ's stages.
func (c *Core) findStage(ctx context.Context, stage string) (StageChoice, error) {
	want := strings.TrimSpace(stage)
	if i := strings.LastIndex(want, "/s/"); i >= 0 {
		want = strings.Trim(want[i+3:], "/")
	}
	choices, err := c.Stages(ctx)
	if err != nil {
		return StageChoice{}, fmt.Errorf("cannot list your events' stages: %w", err)
	}
	var slugs []string
	for _, ch := range choices {
		if ch.Stage.Slug == want || ch.Stage.ID == want {
			return ch, nil
		}
		slugs = append(slugs, ch.Stage.Slug)
	}
	if len(slugs) == 0 {
		return StageChoice{}, fmt.Errorf("no stage %q: you are not a DJ of any event yet (accept the organizer's invitation link first)", want)
	}
	return StageChoice{}, fmt.Errorf("no stage %q among your events' stages: %s", want, strings.Join(slugs, ", "))
}

// eventPlays keeps a stage set's view of what was played at its event.
type eventPlays struct {
	stage StageChoice
	loc   *time.Location // the event's time zone, read once
	index *repeats.Index
}

// PlayedAtEvent lists the plays of a song at the event of the stage the
// DJ is (or was last) live on, oldest first, with the sentence the app
// shows; nothing when the DJ is not on a stage.
func (c *Core) PlayedAtEvent(artist, title string) ([]protocol.EventPlay, string) {
	c.mu.Lock()
	ep := c.event
	c.mu.Unlock()
	if ep == nil {
		return nil, ""
	}
	plays := ep.index.Played(artist, title)
	return plays, repeats.Warning(plays, ep.loc)
}

// EventLocation is the time zone of the event PlayedAtEvent knows of (the
// computer's own when none): play times read as the event's clocks do.
func (c *Core) EventLocation() *time.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.event == nil {
		return time.Local
	}
	return c.event.loc
}

// refreshEventPlays rereads the event's plays now and then while the set
// lasts, from the moment the relay confirmed the session: the library's
// marks get them all, the assistant's repeat warnings those of the other
// sets (it knows this set's own plays, and a play must not warn of
// itself once the relay has it).
func (lr *liveRun) refreshEventPlays(ctx context.Context, relay, tok string, st StageChoice) {
	c := lr.core
	var self string
	for self == "" {
		lr.mu.Lock()
		self = lr.state.Session.ID
		lr.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	// Loaded once: the library's column asks for it at every cell.
	loc := st.Location()
	t := time.NewTicker(eventPlaysEvery)
	defer t.Stop()
	for {
		plays, err := livelink.EventPlays(ctx, relay, tok, st.Event.ID)
		switch {
		case err == nil:
			others := make([]protocol.EventPlay, 0, len(plays))
			for _, p := range plays {
				if p.SessionID != self {
					others = append(others, p)
				}
			}
			lr.assist.mu.Lock()
			lr.assist.played.Event, lr.assist.played.Loc = repeats.New(others), loc
			lr.assist.mu.Unlock()
			c.mu.Lock()
			c.event = &eventPlays{stage: st, loc: loc, index: repeats.New(plays)}
			c.mu.Unlock()
			c.hub.publish(LibraryChanged{}) // the library's "played tonight" marks
		case ctx.Err() == nil:
			slog.Warn("cannot read the event's plays", "event", st.Event.ID, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// HandOver lets the event's next DJ take this set's stage (toDJID empty:
// any of the event's DJs) for protocol.HandOverWindow; this set ends when
// they go live.
func (c *Core) HandOver(ctx context.Context, toDJID string) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	if lr.stage == nil {
		return errors.New("this session is not on a stage: there is nothing to hand over")
	}
	return lr.client.HandOver(ctx, toDJID)
}
