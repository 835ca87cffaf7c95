package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/desktop/nowplaying"
	"github.com/pikadj/pika/shared/protocol"
)

// liveLink is what the core needs from the relay client.
type liveLink interface {
	SendNowPlaying(ctx context.Context, t protocol.Track, playedAt time.Time) error
	StartPoll(ctx context.Context, p protocol.StartPoll) error
	ClosePoll(ctx context.Context, pollID string) error
	Announce(ctx context.Context, a protocol.Announce) error
	ClearAnnouncement(ctx context.Context) error
	End(ctx context.Context) error
}

// liveRun is one go-live: the source watcher, the play pipeline and the
// link, until End or Close.
type liveRun struct {
	core    *Core
	link    liveLink
	client  *livelink.Client
	source  string
	plays   chan nowplaying.Event
	tracker *nowplaying.Tracker
	stage   *StageChoice // nil: a session of the DJ's own
	updates chan playUpdate
	cancel  context.CancelFunc
	done    chan struct{}

	seq uint64 // counts plays (loop goroutine only)

	assist assistState // the set so far, for the assistant (warnings.go)

	mu    sync.Mutex
	state LiveState

	reqs requestsState // dancers' requests (requests.go)
}

// playUpdate carries the numbers of play seq, analysed on the spot.
type playUpdate struct {
	seq uint64
	np  NowPlaying
}

// LiveState returns the live session's state (Live false when not live).
func (c *Core) LiveState() LiveState {
	c.mu.Lock()
	lr := c.live
	c.mu.Unlock()
	if lr == nil {
		return LiveState{}
	}
	lr.mu.Lock()
	s := lr.state
	s.Polls = append([]protocol.Poll(nil), s.Polls...)
	s.Announcements = append([]protocol.Announcement(nil), s.Announcements...)
	lr.mu.Unlock()
	if n, err := lr.client.Pending(c.ctx); err == nil {
		s.Outbox = n
	}
	s.PIN = lr.client.PIN()
	return s
}

func (c *Core) liveRun() (*liveRun, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live == nil {
		return nil, errors.New("not live: go live first")
	}
	return c.live, nil
}

// play runs the pipeline: every play, from the watcher or SendManual, in
// order.
func (lr *liveRun) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-lr.plays:
			lr.tracker.Played(e)
			if err := lr.handle(ctx, e); err != nil && ctx.Err() == nil {
				lr.core.hub.publish(Error{Err: err})
			}
		case u := <-lr.updates:
			// Numbers of a track analysed on the spot: sent only while it
			// is still the latest play, so a late analysis never brings
			// back a track that has ended.
			if u.seq != lr.seq {
				continue
			}
			if err := lr.send(ctx, u.np); err != nil && ctx.Err() == nil {
				lr.core.hub.publish(Error{Err: err})
			}
		}
	}
}

// handle matches a play to the library and sends it. A track that is not
// analysed yet is analysed on the spot; when that takes longer than
// SpotWait the tags go first and the numbers follow as a second
// NOW_PLAYING of the same track with the same start time.
func (lr *liveRun) handle(ctx context.Context, e nowplaying.Event) error {
	c := lr.core
	lr.seq++
	seq := lr.seq
	if e.StartedAt.IsZero() {
		e.StartedAt = time.Now()
	}
	np := NowPlaying{Path: e.Path, Source: e.Source, StartedAt: e.StartedAt}

	t, err := c.lib.Match(ctx, e.Path, e.Artist, e.Title)
	found := err == nil
	if err != nil && !errors.Is(err, library.ErrNotFound) {
		return err
	}
	local := ""
	switch {
	case found && t.State == library.StateAnalysed:
	case found && t.State == library.StatePending && fileExists(t.Path):
		local = t.Path
	case !found && e.Path != "" && library.IsAudioFile(e.Path) && fileExists(e.Path):
		if t, err = c.lib.ImportFile(ctx, e.Path, library.SourcePlayed); err == nil {
			found = true
			c.hub.publish(LibraryChanged{Track: &t})
			if t.State == library.StatePending {
				local = t.Path
			}
		} else {
			slog.Warn("played file could not be added to the library", "path", e.Path, "err", err)
		}
	}
	if found {
		if err := c.lib.NameIfUntagged(ctx, t.ID, e.Artist, e.Title); err != nil {
			slog.Warn("cannot name an untagged track", "err", err)
		}
		np.LibraryID = t.ID
		np.Track = withNames(t.Protocol(), e)
	} else {
		np.Track = protocol.Track{Artist: clipText(e.Artist), Title: clipText(e.Title)}
		if np.Track.Artist == "" && np.Track.Title == "" {
			np.Track.Title = clipText(library.Track{Path: e.Path}.Protocol().Title)
		}
		// The DJ software's own numbers (Traktor's collection) until the
		// track is in the library.
		if e.BPM > 0 {
			bpm := e.BPM
			np.Track.BPM = &bpm
		}
		if cam, name, ok := library.NormalizeKey(e.Key); ok {
			np.Track.Key, np.Track.Camelot = name, cam
		}
	}
	if np.Track.Artist == "" && np.Track.Title == "" {
		return fmt.Errorf("a %s play had neither a file nor artist and title; not sent", e.Source)
	}
	if local == "" {
		return lr.send(ctx, np)
	}

	result := make(chan library.Track, 1)
	go func() {
		result <- lr.analyseNow(ctx, t)
	}()
	if c.cfg.SpotWait > 0 {
		timer := time.NewTimer(c.cfg.SpotWait)
		defer timer.Stop()
		select {
		case done := <-result:
			np.Track = withNames(done.Protocol(), e)
			return lr.send(ctx, np)
		case <-timer.C:
		case <-ctx.Done():
			return nil
		}
	}
	np.Analysing = true
	if err := lr.send(ctx, np); err != nil {
		return err
	}
	go func() {
		var done library.Track
		select {
		case done = <-result:
		case <-ctx.Done():
			return
		}
		np.Analysing = false
		np.Track = withNames(done.Protocol(), e)
		select {
		case lr.updates <- playUpdate{seq: seq, np: np}:
		case <-ctx.Done():
		}
	}()
	return nil
}

// withNames names the track as the DJ software does when it says: the
// DJ sees and edits those names there, and files often lack tags.
func withNames(t protocol.Track, e nowplaying.Event) protocol.Track {
	if title := clipText(e.Title); title != "" {
		t.Artist, t.Title = clipText(e.Artist), title
	}
	return t
}

// analyseNow analyses one track for a play, stores the outcome in the
// library and returns the track as stored.
func (lr *liveRun) analyseNow(ctx context.Context, t library.Track) library.Track {
	c := lr.core
	a, err := c.analyze(ctx, t.Path)
	switch {
	case ctx.Err() != nil:
		return t
	case err != nil:
		if serr := c.lib.SetFailed(ctx, t.ID, err.Error()); serr != nil {
			slog.Error("store failed analysis", "err", serr)
		}
	default:
		if serr := c.lib.SetAnalysis(ctx, t.ID, a); serr != nil {
			slog.Error("store analysis", "err", serr)
		}
	}
	stored, err := c.lib.Track(ctx, t.ID)
	if err != nil {
		return t
	}
	c.hub.publish(LibraryChanged{Track: &stored})
	return stored
}

func (lr *liveRun) send(ctx context.Context, np NowPlaying) error {
	if err := np.Track.Validate(); err != nil {
		// Numbers the relay would refuse must not cost the play its
		// announcement: send the names alone.
		names := protocol.Track{Artist: np.Track.Artist, Title: np.Track.Title}
		if names.Validate() != nil {
			return fmt.Errorf("play of %q not sent: %w", np.Track.Title, err)
		}
		slog.Warn("play sent without its numbers", "title", np.Track.Title, "err", err)
		np.Track = names
	}
	warnings := lr.notePlay(np)
	// The play is the state's before it goes out: the relay's echo with
	// its playId can come back before SendNowPlaying returns, and must
	// find it.
	lr.mu.Lock()
	was, wasWarnings := lr.state.NowPlaying, lr.state.Warnings
	if cur := was; cur != nil && cur.StartedAt.Equal(np.StartedAt) && cur.LibraryID == np.LibraryID {
		np.PlayID = cur.PlayID // an update of the same play
	}
	cp := np
	lr.state.NowPlaying = &cp
	lr.state.Warnings = warnings
	lr.mu.Unlock()
	if err := lr.link.SendNowPlaying(ctx, np.Track, np.StartedAt); err != nil {
		lr.mu.Lock()
		if lr.state.NowPlaying == &cp {
			lr.state.NowPlaying, lr.state.Warnings = was, wasWarnings
		}
		lr.mu.Unlock()
		return fmt.Errorf("“%s” did not reach the relay: %w", np.Track.Title, err)
	}
	lr.mu.Lock()
	if lr.state.NowPlaying != nil && lr.state.NowPlaying.StartedAt.Equal(np.StartedAt) {
		np = *lr.state.NowPlaying // with the echo's playId if it came
	}
	lr.mu.Unlock()
	lr.core.hub.publish(Playing{np})
	lr.requestPlayed(ctx, np)
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func clipText(s string) string {
	return strings.TrimSpace(library.Track{Tags: library.Tags{Title: s}}.Protocol().Title)
}

// SendManual sends a library track as now playing (the "manual" source,
// or a correction whatever the source).
func (c *Core) SendManual(ctx context.Context, trackID int64) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	t, err := c.lib.Track(ctx, trackID)
	if err != nil {
		return err
	}
	e := nowplaying.Event{Source: nowplaying.SourceManual, Path: t.Path, Artist: t.Tags.Artist, Title: t.Tags.Title, StartedAt: time.Now()}
	select {
	case lr.plays <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StartPoll asks the dancers a question (2–6 options; duration 0: until
// closed).
func (c *Core) StartPoll(ctx context.Context, question string, options []string, duration time.Duration) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	p := protocol.StartPoll{Question: question, Options: append([]string(nil), options...)}
	if duration > 0 {
		d := int(duration.Round(time.Second) / time.Second)
		p.DurationS = &d
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("the poll cannot be sent: %w", err)
	}
	return lr.link.StartPoll(ctx, p)
}

// ClosePoll closes a poll before its time.
func (c *Core) ClosePoll(ctx context.Context, pollID string) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	if !protocol.ValidID(pollID) {
		return errors.New("close poll: no such poll")
	}
	return lr.link.ClosePoll(ctx, pollID)
}

// Announce shows a banner to every dancer (280 characters; duration 0:
// until cleared).
func (c *Core) Announce(ctx context.Context, text string, duration time.Duration) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	a := protocol.Announce{Text: text}
	if duration > 0 {
		d := int(duration.Round(time.Second) / time.Second)
		a.DurationS = &d
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("the announcement cannot be sent: %w", err)
	}
	return lr.link.Announce(ctx, a)
}

// SetPIN changes the live session's PIN (4–8 digits; "" removes it).
// Dancers already in stay in; the relay's count of wrong PINs starts
// again.
func (c *Core) SetPIN(ctx context.Context, pin string) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	pin = strings.TrimSpace(pin)
	if pin != "" && !protocol.ValidPIN(pin) {
		return errors.New("the PIN is 4 to 8 digits")
	}
	if err := lr.client.SetPIN(ctx, pin); err != nil {
		return err
	}
	lr.mu.Lock()
	lr.state.PINWrong, lr.state.PINLockedUntil = 0, nil
	lr.mu.Unlock()
	return nil
}

// ClearAnnouncement removes the banner.
func (c *Core) ClearAnnouncement(ctx context.Context) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	return lr.link.ClearAnnouncement(ctx)
}
