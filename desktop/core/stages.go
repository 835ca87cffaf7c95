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

// RepeatWarning: a track was sent as now playing although it was already
// played at this event (Plays, oldest first); Text is for the DJ.
type RepeatWarning struct {
	Track protocol.Track
	Plays []protocol.EventPlay
	Text  string
}

func (RepeatWarning) isEvent() {}

// eventPlays keeps a stage set's view of what was played at its event.
type eventPlays struct {
	stage StageChoice
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
	return plays, repeats.Warning(plays, ep.stage.Location())
}

// EventLocation is the time zone of the event PlayedAtEvent knows of (the
// computer's own when none): play times read as the event's clocks do.
func (c *Core) EventLocation() *time.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.event == nil {
		return time.Local
	}
	return c.event.stage.Location()
}

// refreshEventPlays rereads the event's plays now and then while the set
// lasts; the first read happens before the first play is sent.
func (lr *liveRun) refreshEventPlays(ctx context.Context, relay, tok string, st StageChoice) {
	c := lr.core
	t := time.NewTicker(eventPlaysEvery)
	defer t.Stop()
	for {
		plays, err := livelink.EventPlays(ctx, relay, tok, st.Event.ID)
		switch {
		case err == nil:
			c.mu.Lock()
			c.event = &eventPlays{stage: st, index: repeats.New(plays)}
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

// warnRepeat tells the DJ when a track about to be announced was already
// played at the event (the music is already on: it is announced anyway,
// the dancers should see what plays).
func (lr *liveRun) warnRepeat(np NowPlaying) {
	if lr.stage == nil {
		return
	}
	lr.mu.Lock()
	cur, session := lr.state.NowPlaying, lr.state.Session.ID
	lr.mu.Unlock()
	if cur != nil && cur.StartedAt.Equal(np.StartedAt) {
		return // an update of the play already warned about
	}
	all, _ := lr.core.PlayedAtEvent(np.Track.Artist, np.Track.Title)
	var before []protocol.EventPlay
	for _, p := range all {
		// The relay's copy of this very play (a resumed session announces
		// its track again) is no repeat.
		if p.SessionID != session || !p.StartedAt.Equal(np.StartedAt.UTC().Truncate(time.Millisecond)) {
			before = append(before, p)
		}
	}
	if text := repeats.Warning(before, lr.stage.Location()); text != "" {
		lr.core.hub.publish(RepeatWarning{Track: np.Track, Plays: before, Text: text})
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
