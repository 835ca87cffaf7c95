package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/desktop/settings"
	"github.com/pikadj/pika/shared/protocol"
)

// recentPlay: at go-live, a track the source started less than this ago
// is announced too (a DJ often goes live mid-track; after a restart the
// relay takes the same track as an update of its play, not a new one).
const recentPlay = 6 * time.Minute

// GoLive starts a live session named name (pin: optional 4–8 digits) and
// relays what source plays: "virtualdj[:DIR]", "m3u:PATH", "mixxx[:DB]",
// "serato[:DIR]" or "manual". Empty source and name use the settings'.
// Within five minutes of an earlier session with this library (a crash, a
// restart) the same session is resumed. Registration happens in the
// background: watch for SessionChanged, Connected, Disconnected and Error
// events.
func (c *Core) GoLive(ctx context.Context, source, name, pin string) error {
	return c.GoLiveWith(ctx, GoLiveOptions{Source: source, Name: name, PIN: pin})
}

// GoLiveOptions are GoLive's arguments, and the recap's privacy.
type GoLiveOptions struct {
	Source, Name, PIN string
	// PublicRecap: whether the recap opens for anyone once the session
	// ended; nil leaves it to the relay (private with a PIN, public
	// without).
	PublicRecap *bool
	// Stage is a stage of an event the DJ plays at, by its link's slug
	// (Stages lists them); "" is a session of the DJ's own. On a stage
	// the dancers of the room's QR code follow the set, and plays already
	// heard at the event are flagged (PlayedAtEvent, TrackWarnings).
	Stage string
}

// GoLiveWith is GoLive with every option.
func (c *Core) GoLiveWith(ctx context.Context, o GoLiveOptions) error {
	source, name, pin := o.Source, o.Name, o.PIN
	set := c.Settings()
	if strings.TrimSpace(source) == "" {
		source = set.Source
	}
	if strings.TrimSpace(name) == "" {
		name = set.SessionName
	}
	name = strings.TrimSpace(name)
	tok, err := c.requireToken()
	if err != nil {
		return err
	}
	if set.RelayURL == "" {
		return ErrNoRelay
	}
	if err := c.checkTransport(set.RelayURL); err != nil {
		return err
	}
	spec, err := nowplaying.ParseSpec(source)
	if err != nil {
		return err
	}
	source = spec.String()
	var stage *StageChoice
	if strings.TrimSpace(o.Stage) != "" {
		st, err := c.findStage(ctx, o.Stage)
		if err != nil {
			return err
		}
		stage = &st
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live != nil {
		return errors.New("already live: end the session first")
	}
	link, err := livelink.New(livelink.Config{
		RelayURL: set.RelayURL, Token: tok, SessionName: name, PIN: pin, PublicRecap: o.PublicRecap, PublicURL: set.PublicURL,
		StageID: stageID(stage),
	}, c.lib.DB())
	if err != nil {
		return err
	}
	var watcher nowplaying.Watcher
	// lr is set below, before the watcher runs and can report.
	var lr *liveRun
	tracker := nowplaying.NewTracker(spec, func(st nowplaying.Status) {
		lr.mu.Lock()
		lr.state.SourceStatus = st
		lr.mu.Unlock()
		c.hub.publish(SourceStatusChanged{st})
	})
	if !spec.IsManual() {
		// After a restart within the session, what the DJ software logged
		// while the app was closed is caught up with its real times.
		since, err := link.ResumablePlay(ctx)
		if err != nil {
			slog.Warn("cannot tell what was relayed before the restart", "err", err)
		}
		watcher, err = spec.Watcher(nowplaying.Options{Recent: recentPlay, Since: since,
			RekordboxKey: set.RekordboxKey, OnStatus: tracker.Report})
		if err != nil {
			return err
		}
	}
	if err := link.GoLive(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(c.ctx)
	lr = &liveRun{
		core: c, link: link, client: link, source: source, plays: make(chan nowplaying.Event, 16), tracker: tracker,
		updates: make(chan playUpdate),
		cancel:  cancel, done: make(chan struct{}), stage: stage,
		state: LiveState{Live: true, Source: source, Session: Session{Name: name}, RelayURL: link.RelayURL(), SourceStatus: tracker.Status(), Stage: stage},
	}
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(runCtx); err != nil && runCtx.Err() == nil {
				slog.Error("live: "+name+" stopped", "err", err)
				c.hub.publish(Error{Err: fmt.Errorf("%s stopped: %w", name, err)})
			}
		}()
	}
	run("relay link", link.Run)
	if stage != nil {
		run("event plays", func(ctx context.Context) error { lr.refreshEventPlays(ctx, set.RelayURL, tok, *stage); return nil })
	}
	if watcher != nil {
		run("now-playing watcher", func(ctx context.Context) error { return watcher.Run(ctx, lr.plays) })
	}
	run("play pipeline", func(ctx context.Context) error { lr.loop(ctx); return nil })
	run("relay events", func(ctx context.Context) error { lr.linkEvents(ctx); return nil })
	go func() {
		wg.Wait()
		close(lr.done)
	}()
	c.live = lr

	slug := ""
	if stage != nil {
		slug = stage.Stage.Slug
	}
	if source != set.Source || name != set.SessionName || slug != set.Stage {
		// Only these change: the stored settings are saved, not the view
		// with this run's overrides.
		stored := c.set
		stored.LibraryFolders = slices.Clone(stored.LibraryFolders)
		stored.Source, stored.SessionName, stored.Stage = source, name, slug
		c.mu.Unlock()
		if err := c.SaveSettings(stored); err != nil {
			slog.Warn("cannot remember the source and session name", "err", err)
		}
		c.mu.Lock()
	}
	return nil
}

func stageID(s *StageChoice) string {
	if s == nil {
		return ""
	}
	return s.Stage.ID
}

// ErrEndedHere is End's answer when the session ended on this computer but
// the relay could not be told (unreachable, or no answer within
// Config.EndWait): it ends the session by itself after
// protocol.ResumeWindow without news from the app.
var ErrEndedHere = fmt.Errorf("the session ended on this computer, but the relay could not be told: it ends it by itself within %d minutes", int(protocol.ResumeWindow.Minutes()))

// End ends the live session. It always ends it here: the watcher and the
// play pipeline stop, and the app is not live any more. When the relay is
// connected, messages still queued are delivered first and the dancers see
// the recap link; End waits for that at most Config.EndWait (or until ctx
// is done). When it is not connected (a wrong URL, no network) nothing is
// waited for, and the error is ErrEndedHere.
func (c *Core) End(ctx context.Context) error {
	c.mu.Lock()
	lr := c.live
	c.mu.Unlock()
	if lr == nil {
		return nil
	}
	lr.mu.Lock()
	reachable := lr.state.Connected
	lr.mu.Unlock()
	endCtx, cancel := context.WithTimeout(ctx, c.cfg.EndWait)
	if !reachable {
		cancel() // the link abandons the session at once
	}
	err := lr.client.End(endCtx)
	cancel()
	c.teardown(lr)
	lr.mu.Lock()
	lr.state.Session.Ended, lr.state.Session.EndedHere = true, err != nil
	sess := lr.state.Session
	lr.mu.Unlock()
	c.hub.publish(SessionChanged{sess})
	if err != nil {
		slog.Info("live: ended without the relay", "err", err) // the caller says so: ErrEndedHere
		return ErrEndedHere
	}
	return nil
}

// RetryLink makes the link try the relay again now instead of after its
// backoff (the DJ fixed the network or started the relay).
func (c *Core) RetryLink() error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	lr.client.Retry()
	return nil
}

// teardown stops a live run and forgets it.
func (c *Core) teardown(lr *liveRun) {
	lr.stop()
	c.mu.Lock()
	if c.live == lr {
		c.live = nil
	}
	c.mu.Unlock()
}

// CheckToken asks the relay whose token this is (GET /api/auth/me): the
// DJ's name, or an error in plain words.
func (c *Core) CheckToken(ctx context.Context) (protocol.DJ, error) {
	relay, tok, err := c.relayAndToken()
	if err != nil {
		return protocol.DJ{}, err
	}
	dj, err := livelink.CheckToken(ctx, relay, tok)
	if errors.Is(err, livelink.ErrBadToken) {
		return dj, ErrTokenRefused
	}
	return dj, err
}

// ErrNoRelay: no relay URL is saved or given; each front end says where
// the DJ sets one.
var ErrNoRelay = errors.New("no relay URL: set it in Settings (or pass --relay / PIKA_RELAY_URL)")

// ErrTokenRefused: the relay does not know a token (mistyped, or revoked
// on the DJ page).
var ErrTokenRefused = errors.New("the relay does not know this token: copy it again from your DJ page")

// CheckAndSaveToken asks the relay whose token tok is and saves it only
// when the relay accepts it, so a mistyped or revoked paste never replaces
// a token that works. When the relay cannot be reached nothing is saved
// either: the error says so.
func (c *Core) CheckAndSaveToken(ctx context.Context, tok string) (protocol.DJ, error) {
	tok = strings.TrimSpace(tok)
	if err := settings.ValidateToken(tok); err != nil {
		return protocol.DJ{}, err
	}
	relay := c.Settings().RelayURL
	if relay == "" {
		return protocol.DJ{}, errors.New("no relay URL: type the relay's address first")
	}
	if err := c.checkTransport(relay); err != nil {
		return protocol.DJ{}, err // the token is not sent over plain http unasked
	}
	dj, err := livelink.CheckToken(ctx, relay, tok)
	switch {
	case errors.Is(err, livelink.ErrBadToken):
		return dj, ErrTokenRefused
	case err != nil:
		return dj, fmt.Errorf("could not reach the relay at %s to check the token: %w", relay, err)
	}
	if err := c.SetToken(tok); err != nil {
		return dj, fmt.Errorf("the relay accepted the token but it could not be saved: %w", err)
	}
	return dj, nil
}

// SessionRefusedError is the Error event when the relay refused to
// register the session (an unknown or revoked token, a bad name), or
// closed the live connection because its token was revoked: the link
// does not retry and the run is over until the DJ goes live again.
type SessionRefusedError struct{ Err *protocol.Error }

func (e *SessionRefusedError) Error() string {
	if e.TokenRevoked() {
		return "the relay revoked this token: paste a new one in Settings"
	}
	if e.Err.Code == protocol.CodeUnauthorized {
		return "the relay refused the DJ token: check it in Settings or log in on the web to get a new one"
	}
	return "the relay refused the session: " + e.Err.Message
}

func (e *SessionRefusedError) Unwrap() error { return e.Err }

// TokenRevoked reports whether the token was revoked (on the DJ's web page
// or through the API), which closes a live connection too.
func (e *SessionRefusedError) TokenRevoked() bool {
	return e.Err.Code == protocol.CodeUnauthorized && e.Err.Message == protocol.MsgTokenRevoked
}

// TokenRefused reports whether the relay refused the DJ token itself.
func (e *SessionRefusedError) TokenRefused() bool { return e.Err.Code == protocol.CodeUnauthorized }

func (lr *liveRun) stop() {
	lr.cancel()
	<-lr.done
}

// linkEvents turns the relay client's events into the core's, keeping the
// live state the UI reads.
func (lr *liveRun) linkEvents(ctx context.Context) {
	for {
		var ev livelink.Event
		select {
		case <-ctx.Done():
			return
		case ev = <-lr.client.Events():
		}
		lr.requestEvent(ctx, ev)
		lr.mu.Lock()
		next, out, over := relayEvent(lr.state, ev, time.Now())
		lr.state = next
		lr.mu.Unlock()
		if over {
			go lr.core.teardown(lr) // not live any more
		}
		for _, e := range out {
			lr.core.hub.publish(e)
		}
	}
}
