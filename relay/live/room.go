package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Room is the in-memory side of one live session.
type Room struct {
	m    *Manager
	id   string
	sess store.Session

	// djOps serialises the DJ's commands so plays, polls and
	// announcements apply in the order sent.
	djOps sync.Mutex

	mu        sync.Mutex
	ended     bool
	dj        Peer
	djUnsub   func()
	abandon   *time.Timer
	listeners map[string]int // clientID → open connections
	poll      *activePoll
	annID     string
	// current is the session's latest play, as last broadcast; only the
	// DJ's commands (under djOps) change it.
	current  *protocol.Play
	annTimer *time.Timer

	// Coalesced counters: what changed since the last flush.
	dirtyPlays     map[string]dirty
	dirtyPolls     map[string]struct{}
	dirtyListeners bool
	flushTimer     *time.Timer
	flushing       bool
	lastListeners  int
	peak           int
}

// session is the room's session row; its start moves back when a play
// from before it arrives, so read it under r.mu.
func (r *Room) session() store.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sess
}

// dirty says which counters of a play changed.
type dirty uint8

const (
	dirtyLikes dirty = 1 << iota
	dirtyTempo
)

type activePoll struct {
	id    string
	timer *time.Timer
}

func newRoom(m *Manager, sess store.Session) *Room {
	return &Room{
		m: m, id: sess.ID, sess: sess, listeners: map[string]int{},
		dirtyPlays: map[string]dirty{}, dirtyPolls: map[string]struct{}{}, peak: sess.PeakListeners,
	}
}

// load restores the current play and the timers of a session's open poll
// and announcement.
func (r *Room) load(ctx context.Context) error {
	cur, err := r.m.st.CurrentPlay(ctx, r.id)
	if err != nil {
		return err
	}
	if cur != nil {
		r.current = &cur.Play
	}
	polls, err := r.m.st.Polls(ctx, r.id)
	if err != nil {
		return err
	}
	now := time.Now()
	for i, p := range polls {
		if p.Closed {
			continue
		}
		switch {
		case p.EndsAt != nil && !now.Before(*p.EndsAt):
			if _, _, err := r.m.st.ClosePoll(ctx, r.id, p.PollID, *p.EndsAt); err != nil {
				return err
			}
		case i < len(polls)-1:
			if _, _, err := r.m.st.ClosePoll(ctx, r.id, p.PollID, polls[i+1].CreatedAt); err != nil {
				return err
			}
		default:
			r.poll = &activePoll{id: p.PollID}
			if p.EndsAt != nil {
				r.poll.timer = r.pollTimer(p.PollID, *p.EndsAt)
			}
		}
	}
	ann, err := r.m.st.CurrentAnnouncement(ctx, r.id, now)
	if err != nil {
		return err
	}
	if ann != nil {
		r.annID = ann.AnnouncementID
		if ann.ExpiresAt != nil {
			r.annTimer = r.announcementTimer(ann.AnnouncementID, *ann.ExpiresAt)
		}
	}
	return nil
}

// stopTimers stops every timer; r.mu must be held.
func (r *Room) stopTimers() {
	for _, t := range []*time.Timer{r.abandon, r.annTimer, r.flushTimer} {
		if t != nil {
			t.Stop()
		}
	}
	if r.poll != nil && r.poll.timer != nil {
		r.poll.timer.Stop()
	}
}

func (r *Room) markEnded() {
	r.mu.Lock()
	r.ended = true
	r.stopTimers()
	r.mu.Unlock()
}

func (r *Room) isEnded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

var errEnded = perr(protocol.CodeSessionEnded, "this session has ended")

func (r *Room) publish(t protocol.Type, payload any) {
	r.m.broker.Publish(r.id, hub.NewMessage(t, payload))
}

func (r *Room) attachDJ(ctx context.Context, peer Peer) *protocol.Error {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return errEnded
	}
	old, oldUnsub := r.dj, r.djUnsub
	r.dj = peer
	r.djUnsub = r.m.broker.Subscribe(r.id, peer)
	if r.abandon != nil {
		r.abandon.Stop()
		r.abandon = nil
	}
	r.mu.Unlock()
	if old != nil && old != peer {
		oldUnsub()
		old.Kick("another connection took over this session")
		r.m.obs.DJsConnected(-1)
	}
	if err := r.m.st.SetDJLeft(ctx, r.id, nil); err != nil {
		return r.m.storeErr("resume session", err)
	}
	return nil
}

// end ends the session at the given time and tells everyone.
func (r *Room) end(ctx context.Context, at time.Time, reason string) *protocol.Error {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return nil
	}
	r.ended = true
	r.stopTimers()
	peak := max(r.peak, len(r.listeners))
	r.mu.Unlock()
	// The last coalescing window may not have recorded the peak yet.
	if err := r.m.st.RaisePeak(ctx, r.id, peak); err != nil {
		return r.m.storeErr("end session", err)
	}
	if _, err := r.m.st.EndSession(ctx, r.id, at); err != nil {
		return r.m.storeErr("end session", err)
	}
	r.m.mu.Lock()
	if r.m.rooms[r.id] == r {
		delete(r.m.rooms, r.id)
	}
	r.m.mu.Unlock()
	r.publish(protocol.TypeSessionEnded, protocol.SessionEnded{RecapURL: r.m.RecapURL(r.id)})
	r.m.log.Info("session ended", "session", r.id, "reason", reason)
	return nil
}

// DJ is a DJ's connection to its live session.
type DJ struct {
	r    *Room
	peer Peer
	once sync.Once
}

// SessionID names the DJ's session.
func (d *DJ) SessionID() string { return d.r.id }

func (d *DJ) begin() *protocol.Error {
	d.r.djOps.Lock()
	if d.r.isEnded() {
		d.r.djOps.Unlock()
		return errEnded
	}
	// Every DJ command is activity; the write is not waited for.
	if err := d.r.m.st.TouchSessions(context.Background(), []string{d.r.id}, time.Now()); err != nil && !errors.Is(err, store.ErrClosed) {
		d.r.m.log.Error("recording session activity failed", "session", d.r.id, "err", err)
	}
	return nil
}

// Leave is called when the DJ's connection closes. The session waits for
// the DJ for the resume window, then ends with the time the DJ left.
func (d *DJ) Leave() {
	d.once.Do(func() {
		r := d.r
		r.mu.Lock()
		if r.dj != d.peer {
			r.mu.Unlock()
			return
		}
		unsub := r.djUnsub
		r.dj, r.djUnsub = nil, nil
		r.m.obs.DJsConnected(-1)
		if r.ended || r.m.isClosing() {
			r.mu.Unlock()
			unsub()
			return
		}
		left := time.Now()
		r.abandon = time.AfterFunc(r.m.cfg.ResumeWindow, func() {
			r.mu.Lock()
			back := r.dj != nil
			r.mu.Unlock()
			if !back {
				_ = r.end(context.Background(), left, "dj away too long")
			}
		})
		r.mu.Unlock()
		unsub()
		if err := r.m.st.SetDJLeft(context.Background(), r.id, &left); err != nil && !errors.Is(err, store.ErrClosed) {
			r.m.log.Error("recording DJ departure failed", "session", r.id, "err", err)
		}
		r.m.log.Info("dj left", "session", r.id)
	})
}

// NowPlaying records a play and broadcasts it. The broadcast goes out as
// soon as the play is queued for writing, so dancers do not wait for the
// disk; the DJ's ACK waits until the play is durable. Likes of the new
// play are written after it, so they always find it.
func (d *DJ) NowPlaying(ctx context.Context, np *protocol.NowPlaying) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	r := d.r
	at := time.Now()
	if np.PlayedAt != nil {
		at = *np.PlayedAt
	}
	at = at.UTC().Truncate(time.Millisecond)
	// A play queued before the DJ went live keeps its real time (the
	// protocol bounds it to 48 h); the session began with it.
	r.mu.Lock()
	if at.Before(r.sess.StartedAt) {
		r.sess.StartedAt = at
	}
	r.mu.Unlock()
	playID := store.NewID()
	predicted := predictPlay(r.current, np.Track, at, playID)
	wait, err := r.m.st.StartPlay(ctx, r.id, playID, np.Track, at)
	if err != nil {
		return r.m.storeErr("record play", err)
	}
	prev := r.current
	if predicted != nil {
		r.current = predicted
		r.deferFlush()
		r.publish(protocol.TypeNowPlaying, *predicted)
	}
	res, err := wait(ctx)
	if err != nil {
		// A write that failed (not one we stopped waiting for, which may
		// still commit) leaves no play: take the broadcast back.
		if predicted != nil && ctx.Err() == nil {
			r.current = prev
			if prev != nil {
				r.publish(protocol.TypeNowPlaying, *prev)
			} else if st, pe := r.m.state(context.Background(), r.session(), ""); pe == nil {
				r.publish(protocol.TypeSessionState, st)
			}
		}
		return r.m.storeErr("record play", err)
	}
	if res.Current && (predicted == nil || !samePlay(*predicted, res.Play)) {
		// The database knew better than memory: broadcast what was stored.
		p := res.Play
		r.current = &p
		r.publish(protocol.TypeNowPlaying, p)
	}
	r.m.log.Info("now playing", "session", r.id, "play", res.Play.PlayID, "updated", res.Updated, "late", !res.Current)
	return nil
}

// predictPlay is what the store will make of a NOW_PLAYING, from the
// current play: an update of it when it is the same song, a new play when
// it is later, nil for a late play that only joins the history.
func predictPlay(cur *protocol.Play, tr protocol.Track, at time.Time, newID string) *protocol.Play {
	if cur != nil && protocol.TrackIdentity(cur.Track.Artist, cur.Track.Title) == protocol.TrackIdentity(tr.Artist, tr.Title) {
		m := cur.Track
		for _, f := range []struct{ dst, src **float64 }{
			{&m.BPM, &tr.BPM}, {&m.Energy, &tr.Energy}, {&m.Danceability, &tr.Danceability},
			{&m.Brightness, &tr.Brightness}, {&m.LoudnessLUFS, &tr.LoudnessLUFS}, {&m.DurationS, &tr.DurationS},
		} {
			if *f.src != nil {
				*f.dst = *f.src
			}
		}
		if tr.Key != "" {
			m.Key = tr.Key
		}
		if tr.Camelot != "" {
			m.Camelot = tr.Camelot
		}
		return &protocol.Play{PlayID: cur.PlayID, Track: m, StartedAt: cur.StartedAt}
	}
	if cur != nil && at.Before(cur.StartedAt) {
		return nil
	}
	return &protocol.Play{PlayID: newID, Track: tr, StartedAt: at}
}

func samePlay(a, b protocol.Play) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// StartPoll opens a poll, closing the one before it.
func (d *DJ) StartPoll(ctx context.Context, sp *protocol.StartPoll) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	r := d.r
	r.mu.Lock()
	prev := r.poll
	r.mu.Unlock()
	if prev != nil {
		if pe := r.closePoll(ctx, prev.id, time.Now()); pe != nil {
			return pe
		}
	}
	var endsAt *time.Time
	if sp.DurationS != nil {
		t := time.Now().Add(time.Duration(*sp.DurationS) * time.Second)
		endsAt = &t
	}
	p, err := r.m.st.CreatePoll(ctx, r.id, sp.Question, sp.Options, endsAt)
	if err != nil {
		return r.m.storeErr("start poll", err)
	}
	r.mu.Lock()
	r.poll = &activePoll{id: p.PollID}
	if p.EndsAt != nil {
		r.poll.timer = r.pollTimer(p.PollID, *p.EndsAt)
	}
	r.mu.Unlock()
	r.publish(protocol.TypePollStarted, protocol.PollStarted{PollID: p.PollID, Question: p.Question, Options: p.Options, EndsAt: p.EndsAt})
	r.m.log.Info("poll started", "session", r.id, "poll", p.PollID)
	return nil
}

func (r *Room) pollTimer(pollID string, endsAt time.Time) *time.Timer {
	return time.AfterFunc(time.Until(endsAt), func() {
		if r.isEnded() {
			return
		}
		_ = r.closePoll(context.Background(), pollID, endsAt)
	})
}

// closePoll closes a poll and broadcasts its result.
func (r *Room) closePoll(ctx context.Context, pollID string, at time.Time) *protocol.Error {
	p, closed, err := r.m.st.ClosePoll(ctx, r.id, pollID, at)
	if err != nil {
		return r.m.storeErr("close poll", err)
	}
	r.mu.Lock()
	if r.poll != nil && r.poll.id == pollID {
		if r.poll.timer != nil {
			r.poll.timer.Stop()
		}
		r.poll = nil
	}
	delete(r.dirtyPolls, pollID)
	r.mu.Unlock()
	if closed {
		r.publish(protocol.TypePollClosed, protocol.PollTallies{PollID: pollID, Tallies: p.Tallies})
		r.m.log.Info("poll closed", "session", r.id, "poll", pollID)
	}
	return nil
}

// ClosePoll ends a poll before its time; closing a closed poll is harmless.
func (d *DJ) ClosePoll(ctx context.Context, cp *protocol.ClosePoll) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	return d.r.closePoll(ctx, cp.PollID, time.Now())
}

// Announce shows a banner to every dancer, replacing the previous one.
func (d *DJ) Announce(ctx context.Context, a *protocol.Announce) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	r := d.r
	var expires *time.Time
	if a.DurationS != nil {
		t := time.Now().Add(time.Duration(*a.DurationS) * time.Second)
		expires = &t
	}
	row, err := r.m.st.Announce(ctx, r.id, a.Text, expires)
	if err != nil {
		return r.m.storeErr("announce", err)
	}
	r.mu.Lock()
	if r.annTimer != nil {
		r.annTimer.Stop()
		r.annTimer = nil
	}
	r.annID = row.AnnouncementID
	if row.ExpiresAt != nil {
		r.annTimer = r.announcementTimer(row.AnnouncementID, *row.ExpiresAt)
	}
	r.mu.Unlock()
	r.publish(protocol.TypeAnnouncement, row.Announcement)
	r.m.log.Info("announcement", "session", r.id, "announcement", row.AnnouncementID)
	return nil
}

func (r *Room) announcementTimer(id string, at time.Time) *time.Timer {
	return time.AfterFunc(time.Until(at), func() {
		r.mu.Lock()
		current := !r.ended && r.annID == id
		if current {
			r.annID, r.annTimer = "", nil
		}
		r.mu.Unlock()
		if current {
			r.publish(protocol.TypeAnnouncementCleared, protocol.Empty{})
		}
	})
}

// ClearAnnouncement removes the banner.
func (d *DJ) ClearAnnouncement(ctx context.Context) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	r := d.r
	if _, err := r.m.st.ClearAnnouncement(ctx, r.id, time.Now()); err != nil {
		return r.m.storeErr("clear announcement", err)
	}
	r.mu.Lock()
	if r.annTimer != nil {
		r.annTimer.Stop()
		r.annTimer = nil
	}
	r.annID = ""
	r.mu.Unlock()
	r.publish(protocol.TypeAnnouncementCleared, protocol.Empty{})
	return nil
}

// End ends the session now.
func (d *DJ) End(ctx context.Context) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	return d.r.end(ctx, time.Now(), "ended by dj")
}

// Dancer is one dancer connection in a live session.
type Dancer struct {
	r        *Room
	clientID string
	unsub    func()
	once     sync.Once
}

// SessionID names the dancer's session.
func (d *Dancer) SessionID() string { return d.r.id }

// Leave is called when the dancer's connection closes or it subscribes
// elsewhere.
func (d *Dancer) Leave() {
	d.once.Do(func() {
		d.unsub()
		d.r.removeListener(d.clientID)
		d.r.m.obs.DancersConnected(-1)
	})
}

// Like records a like; the new count is broadcast shortly after.
func (d *Dancer) Like(ctx context.Context, playID string) *protocol.Error {
	return d.react(ctx, "like", playID, dirtyLikes, func() (bool, error) { return d.r.m.st.Like(ctx, d.r.id, playID, d.clientID) })
}

// Unlike removes a like.
func (d *Dancer) Unlike(ctx context.Context, playID string) *protocol.Error {
	return d.react(ctx, "unlike", playID, dirtyLikes, func() (bool, error) { return d.r.m.st.Unlike(ctx, d.r.id, playID, d.clientID) })
}

// TempoVote records a tempo vote; the last one counts.
func (d *Dancer) TempoVote(ctx context.Context, tv *protocol.TempoVote) *protocol.Error {
	return d.react(ctx, "tempo vote", tv.PlayID, dirtyTempo, func() (bool, error) {
		return d.r.m.st.TempoVote(ctx, d.r.id, tv.PlayID, d.clientID, tv.Vote)
	})
}

func (d *Dancer) react(ctx context.Context, what, playID string, which dirty, apply func() (bool, error)) *protocol.Error {
	if d.r.isEnded() {
		return errEnded
	}
	changed, err := apply()
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return perr(protocol.CodeNotFound, "no such play in this session")
		}
		return d.r.m.storeErr(what, err)
	}
	if changed {
		d.r.mu.Lock()
		d.r.dirtyPlays[playID] |= which
		d.r.scheduleFlush()
		d.r.mu.Unlock()
	}
	return nil
}

// PollVote records a poll answer (one per client per poll).
func (d *Dancer) PollVote(ctx context.Context, pv *protocol.PollVote) *protocol.Error {
	if d.r.isEnded() {
		return errEnded
	}
	changed, err := d.r.m.st.PollVote(ctx, d.r.id, pv.PollID, d.clientID, pv.OptionIndex)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return perr(protocol.CodeNotFound, "no such poll in this session")
		}
		return d.r.m.storeErr("poll vote", err)
	}
	if changed {
		d.r.mu.Lock()
		d.r.dirtyPolls[pv.PollID] = struct{}{}
		d.r.scheduleFlush()
		d.r.mu.Unlock()
	}
	return nil
}

func (r *Room) addListener(clientID string) {
	r.mu.Lock()
	r.listeners[clientID]++
	r.dirtyListeners = true
	r.scheduleFlush()
	r.mu.Unlock()
}

func (r *Room) removeListener(clientID string) {
	r.mu.Lock()
	if r.listeners[clientID]--; r.listeners[clientID] <= 0 {
		delete(r.listeners, clientID)
	}
	r.dirtyListeners = true
	r.scheduleFlush()
	r.mu.Unlock()
}

// scheduleFlush arranges one flush per coalescing window; r.mu is held.
func (r *Room) scheduleFlush() {
	if r.flushTimer != nil || r.flushing || r.ended || r.m.isClosing() {
		return
	}
	r.flushTimer = time.AfterFunc(r.coalesceWindow(), r.flush)
}

// coalesceWindow grows with the audience: each counter broadcast costs one
// write per listener (and one read on each phone), so a big room gets
// fewer, fuller updates, at most five times the base window (1 s), and
// keeps its CPU for NOW_PLAYING; r.mu is held.
func (r *Room) coalesceWindow() time.Duration {
	base := r.m.cfg.Coalesce
	n := len(r.listeners)
	if n <= 1000 {
		return base
	}
	return min(base*time.Duration(n)/1000, base*5)
}

// deferFlush pushes a pending counter flush back by a window, so its
// broadcast does not compete with a NOW_PLAYING going out to everyone.
func (r *Room) deferFlush() {
	r.mu.Lock()
	if r.flushTimer != nil {
		r.flushTimer.Reset(r.coalesceWindow())
	}
	r.mu.Unlock()
}

// flush broadcasts the counters that changed since the last flush.
func (r *Room) flush() {
	r.mu.Lock()
	r.flushTimer = nil
	if r.flushing {
		r.mu.Unlock()
		return
	}
	r.flushing = true
	plays, polls := r.dirtyPlays, r.dirtyPolls
	r.dirtyPlays, r.dirtyPolls = map[string]dirty{}, map[string]struct{}{}
	listeners, sendListeners := len(r.listeners), r.dirtyListeners && len(r.listeners) != r.lastListeners
	r.dirtyListeners = false
	r.lastListeners = listeners
	newPeak := listeners > r.peak
	if newPeak {
		r.peak = listeners
	}
	r.mu.Unlock()

	ctx := context.Background()
	for id, which := range plays {
		likes, tempo, err := r.m.st.Counts(ctx, id)
		if err != nil {
			r.m.log.Error("reading counts failed", "play", id, "err", err)
			continue
		}
		if which&dirtyLikes != 0 {
			r.publish(protocol.TypeLikeCount, protocol.LikeCount{PlayID: id, Count: likes})
		}
		if which&dirtyTempo != 0 {
			r.publish(protocol.TypeTempoTally, tempo)
		}
	}
	for id := range polls {
		p, err := r.m.st.Poll(ctx, r.id, id)
		if err != nil {
			r.m.log.Error("reading poll failed", "poll", id, "err", err)
			continue
		}
		if !p.Closed {
			r.publish(protocol.TypePollUpdate, protocol.PollTallies{PollID: id, Tallies: p.Tallies})
		}
	}
	if sendListeners {
		r.publish(protocol.TypeListenerCount, protocol.ListenerCount{Count: listeners})
	}
	if newPeak {
		if err := r.m.st.RaisePeak(ctx, r.id, listeners); err != nil && !errors.Is(err, store.ErrClosed) {
			r.m.log.Error("recording peak listeners failed", "session", r.id, "err", err)
		}
	}

	r.mu.Lock()
	r.flushing = false
	if len(r.dirtyPlays) > 0 || len(r.dirtyPolls) > 0 || r.dirtyListeners {
		r.scheduleFlush()
	}
	r.mu.Unlock()
}

// flushNow runs a pending flush at once (at shutdown).
func (r *Room) flushNow() {
	r.mu.Lock()
	pending := r.flushTimer != nil && r.flushTimer.Stop()
	r.mu.Unlock()
	if pending {
		r.flush()
	}
}
