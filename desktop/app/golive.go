package app

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
// background: watch for EventSession, EventConnection and EventError.
func (c *Core) GoLive(ctx context.Context, source, name, pin string) error {
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
		return errors.New("no relay URL: set it in Settings (or pass --relay / PIKA_RELAY_URL)")
	}
	spec, err := nowplaying.ParseSpec(source)
	if err != nil {
		return err
	}
	source = spec.String()

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live != nil {
		return errors.New("already live: end the session first")
	}
	link, err := livelink.New(livelink.Config{
		RelayURL: set.RelayURL, Token: tok, SessionName: name, PIN: pin, PublicURL: set.PublicURL,
	}, c.lib.DB())
	if err != nil {
		return err
	}
	var watcher nowplaying.Watcher
	if !spec.IsManual() {
		// After a restart within the session, what the DJ software logged
		// while the app was closed is caught up with its real times.
		since, err := link.ResumablePlay(ctx)
		if err != nil {
			slog.Warn("cannot tell what was relayed before the restart", "err", err)
		}
		watcher, err = spec.Watcher(nowplaying.Options{Recent: recentPlay, Since: since})
		if err != nil {
			return err
		}
	}
	if err := link.GoLive(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(c.ctx)
	lr := &liveRun{
		core: c, link: link, client: link, source: source, plays: make(chan nowplaying.Event, 16),
		updates: make(chan playUpdate),
		cancel:  cancel, done: make(chan struct{}),
		state: LiveState{Live: true, Source: source, Session: Session{Name: name}},
	}
	var wg sync.WaitGroup
	run := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(runCtx); err != nil && runCtx.Err() == nil {
				slog.Error("live: "+name+" stopped", "err", err)
				c.hub.publish(Event{Kind: EventError, Err: fmt.Errorf("%s stopped: %w", name, err)})
			}
		}()
	}
	run("relay link", link.Run)
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

	if source != set.Source || name != set.SessionName {
		// Only these two change: the stored settings are saved, not the
		// view with this run's overrides.
		stored := c.set
		stored.LibraryFolders = slices.Clone(stored.LibraryFolders)
		stored.Source, stored.SessionName = source, name
		c.mu.Unlock()
		if err := c.SaveSettings(stored); err != nil {
			slog.Warn("cannot remember the source and session name", "err", err)
		}
		c.mu.Lock()
	}
	return nil
}

// End ends the live session: messages still queued are delivered first,
// then the dancers see the recap link. Without the relay before ctx is
// done, the session is abandoned here and the relay ends it by itself.
func (c *Core) End(ctx context.Context) error {
	c.mu.Lock()
	lr := c.live
	c.mu.Unlock()
	if lr == nil {
		return nil
	}
	err := lr.client.End(ctx)
	c.teardown(lr)
	lr.mu.Lock()
	lr.state.Session.Ended = true
	sess := lr.state.Session
	lr.mu.Unlock()
	c.hub.publish(Event{Kind: EventSession, Session: &sess})
	return err
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
	tok, err := c.requireToken()
	if err != nil {
		return protocol.DJ{}, err
	}
	relay := c.Settings().RelayURL
	if relay == "" {
		return protocol.DJ{}, errors.New("no relay URL: set it in Settings first")
	}
	dj, err := livelink.CheckToken(ctx, relay, tok)
	if errors.Is(err, livelink.ErrBadToken) {
		return dj, errors.New("the relay does not know this token: copy it again from your DJ page")
	}
	return dj, err
}

// SessionRefusedError is the EventError when the relay refused to
// register the session (an unknown or revoked token, a bad name): the link
// does not retry and the run is over until the DJ goes live again.
type SessionRefusedError struct{ Err *protocol.Error }

func (e *SessionRefusedError) Error() string {
	if e.Err.Code == protocol.CodeUnauthorized {
		return "the relay refused the DJ token: check it in Settings or log in on the web to get a new one"
	}
	return "the relay refused the session: " + e.Err.Message
}

func (e *SessionRefusedError) Unwrap() error { return e.Err }

// TokenRefused reports whether the relay refused the DJ token itself.
func (e *SessionRefusedError) TokenRefused() bool { return e.Err.Code == protocol.CodeUnauthorized }

func (lr *liveRun) stop() {
	lr.cancel()
	<-lr.done
}

// linkEvents turns the relay client's events into the core's, keeping the
// live state the UI reads.
func (lr *liveRun) linkEvents(ctx context.Context) {
	c := lr.core
	for {
		var ev livelink.Event
		select {
		case <-ctx.Done():
			return
		case ev = <-lr.client.Events():
		}
		lr.mu.Lock()
		st := &lr.state
		var out []Event
		switch e := ev.(type) {
		case livelink.Connected:
			st.Connected = true
			out = append(out, Event{Kind: EventConnection, Connected: true})
		case livelink.Disconnected:
			st.Connected = false
			out = append(out, Event{Kind: EventConnection, Err: e.Err, RetryIn: e.RetryIn})
		case livelink.Registered:
			st.Connected = true
			st.Session = Session{ID: e.Session.ID, Name: st.Session.Name, DJName: e.Session.DJName, JoinURL: e.Session.JoinURL,
				LocalJoinURL: e.Session.LocalJoinURL, RecapURL: e.Session.RecapURL, Resumed: e.Session.Resumed}
			s := st.Session
			out = append(out, Event{Kind: EventSession, Session: &s})
		case livelink.PlayStarted:
			if np := st.NowPlaying; np != nil && protocol.TrackIdentity(np.Track.Artist, np.Track.Title) ==
				protocol.TrackIdentity(e.Play.Track.Artist, e.Play.Track.Title) {
				if np.PlayID != e.Play.PlayID {
					st.Likes, st.Tempo = 0, protocol.TempoTally{PlayID: e.Play.PlayID}
				}
				cp := *np
				cp.PlayID = e.Play.PlayID
				st.NowPlaying = &cp
				out = append(out, Event{Kind: EventNowPlaying, NowPlaying: &cp})
			}
		case livelink.Likes:
			if st.NowPlaying != nil && st.NowPlaying.PlayID == e.PlayID {
				st.Likes = e.Count
			}
			lc := e.LikeCount
			out = append(out, Event{Kind: EventLikes, Likes: &lc})
		case livelink.Tempo:
			if st.NowPlaying != nil && st.NowPlaying.PlayID == e.PlayID {
				st.Tempo = e.TempoTally
			}
			tt := e.TempoTally
			out = append(out, Event{Kind: EventTempo, Tempo: &tt})
		case livelink.Listeners:
			st.Listeners = e.Count
			out = append(out, Event{Kind: EventListeners, Listeners: e.Count})
		case livelink.PollStarted:
			p := protocol.Poll{PollID: e.PollID, Question: e.Question, Options: e.Options,
				Tallies: make([]int, len(e.Options)), EndsAt: e.EndsAt}
			st.Polls = append(st.Polls, p)
			cp := p
			st.Poll = &cp
			out = append(out, Event{Kind: EventPoll, Poll: &p})
		case livelink.PollUpdate:
			for i := range st.Polls {
				p := &st.Polls[i]
				if p.PollID != e.PollID {
					continue
				}
				if len(e.Tallies) == len(p.Options) {
					p.Tallies = append([]int(nil), e.Tallies...)
				}
				p.Closed = p.Closed || e.Closed
				cp := *p
				if st.Poll != nil && st.Poll.PollID == p.PollID {
					if p.Closed {
						st.Poll = nil
					} else {
						open := cp
						st.Poll = &open
					}
				}
				out = append(out, Event{Kind: EventPoll, Poll: &cp})
			}
		case livelink.Announcement:
			a := e.Announcement
			st.Announcement = &a
			st.Announcements = append(st.Announcements, a)
			out = append(out, Event{Kind: EventAnnouncement, Announcement: &a})
		case livelink.AnnouncementCleared:
			st.Announcement = nil
			out = append(out, Event{Kind: EventAnnouncement})
		case livelink.SessionEnded:
			st.Live = false
			st.Session.Ended = true
			if e.RecapURL != "" {
				st.Session.RecapURL = e.RecapURL
			}
			s := st.Session
			out = append(out, Event{Kind: EventSession, Session: &s})
			go c.teardown(lr) // the relay ended it (timeout): not live any more
		case livelink.Error:
			err := fmt.Errorf("the relay refused %s: %s", strings.ToLower(strings.ReplaceAll(string(e.Type), "_", " ")), e.Err.Message)
			if e.Type == protocol.TypeRegisterSession {
				// The link stopped retrying: the session is over here.
				err = &SessionRefusedError{Err: e.Err}
			}
			out = append(out, Event{Kind: EventError, Err: err})
			if e.Type == protocol.TypeRegisterSession {
				st.Live = false
				go c.teardown(lr)
			}
		case livelink.OutboxDropped:
			err := fmt.Errorf("offline too long: the %d oldest queued messages were dropped", e.Count)
			if e.Stale {
				err = fmt.Errorf("%d messages queued for an earlier session that could not be resumed were dropped, not sent into this one", e.Count)
			}
			out = append(out, Event{Kind: EventError, Err: err})
		}
		lr.mu.Unlock()
		for _, e := range out {
			c.hub.publish(e)
		}
	}
}
