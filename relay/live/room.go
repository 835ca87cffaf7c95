package live

import (
	"context"
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

	// pubMu orders the broadcasts: each gets the next seq of the room's
	// epoch, goes into the recent ring, to this relay's connections (fan)
	// and to the broker in that order; a catching-up subscriber is added
	// under it too (catchup.go). A mirror takes epoch and seq from the
	// owner's broadcasts (tap.go).
	pubMu  sync.Mutex
	epoch  string // this owner's, new at each take-over; a mirror's: the owner's
	seq    uint64
	recent []numbered
	// fan is this relay's connections to the session (dancers, DJ); the
	// room hands them its broadcasts, and the tap those of other relays.
	fan  *hub.Local
	tap  *tap
	sent *hub.Message // a mirror's last own broadcast (see publish)

	// Several relays (owner.go). owned is read under mu; a relay alone
	// owns every room it has.
	owned     bool
	stopServe func()                   // owner: stop answering other relays
	remote    map[string]remoteDancers // owner: dancers on other relays
	total     int                      // mirror: the owner's last dancer count

	mu        sync.Mutex
	ended     bool
	dj        Peer
	djUnsub   func()
	abandon   *time.Timer
	listeners map[string]int // clientID → open connections
	poll      *activePoll
	annID     string
	// current is the session's latest play, as last broadcast; only the
	// DJ's commands (under djOps) change it, under mu too so that a
	// joining dancer can read it (see withCurrent).
	current  *protocol.Play
	annTimer *time.Timer

	// Coalesced counters: what changed since the last flush.
	dirtyPlays     map[string]dirty
	dirtyPolls     map[string]struct{}
	dirtyListeners bool
	flushTimer     *time.Timer
	pinNotify      *time.Timer // a PIN_GUESSES to the DJ is due
	flushing       bool
	lastListeners  int
	peak           int

	req requestBook // dancers' requests (requests.go)
}

// session is the room's session row; its start moves back when a play
// from before it arrives, so read it under r.mu.
func (r *Room) session() store.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sess
}

// setCurrent records the play last broadcast; callers hold djOps.
func (r *Room) setCurrent(p *protocol.Play) {
	r.mu.Lock()
	r.current = p
	r.mu.Unlock()
}

// withCurrent makes a joining dancer's snapshot agree with what the room
// broadcast: a NOW_PLAYING goes out before its write commits, so a dancer
// who subscribed just after it and read the database just before the
// commit would otherwise be shown the previous track until the next one.
func (r *Room) withCurrent(st *protocol.SessionState) {
	r.mu.Lock()
	cur := r.current
	r.mu.Unlock()
	if cur == nil || !st.Session.Live {
		return
	}
	if len(st.History) > 0 && st.History[0].PlayID == cur.PlayID {
		st.History[0].Play = *cur
	} else if st.NowPlaying == nil || !cur.StartedAt.Before(st.NowPlaying.StartedAt) {
		none := protocol.TempoTally{PlayID: cur.PlayID}
		st.History = append([]protocol.HistoryEntry{{Play: *cur, Tempo: none}}, st.History...)
		st.Tempo = &none
	} else {
		return
	}
	p := *cur
	st.NowPlaying = &p
}

type activePoll struct {
	id    string
	timer *time.Timer
}

// newRoom returns a room, the owner of its session when owned; its tap
// runs until the session ends.
func newRoom(m *Manager, sess store.Session, owned bool) *Room {
	r := &Room{
		m: m, id: sess.ID, sess: sess, listeners: map[string]int{}, fan: hub.NewLocal(), owned: owned,
		dirtyPlays: map[string]dirty{}, dirtyPolls: map[string]struct{}{}, peak: sess.PeakListeners,
	}
	if owned {
		r.epoch = store.NewID()
	}
	r.tap = startTap(r)
	return r
}

// load restores the current play and the timers of a session's open poll
// and announcement (at the room's start, or when this relay takes the
// session over).
func (r *Room) load(ctx context.Context) error {
	cur, err := r.m.st.CurrentPlay(ctx, r.id)
	if err != nil {
		return err
	}
	if cur != nil {
		r.setCurrent(&cur.Play)
	}
	polls, err := r.m.st.Polls(ctx, r.id)
	if err != nil {
		return err
	}
	now := time.Now()
	var open *activePoll
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
			open = &activePoll{id: p.PollID}
			if p.EndsAt != nil {
				open.timer = r.pollTimer(p.PollID, *p.EndsAt)
			}
		}
	}
	ann, err := r.m.st.CurrentAnnouncement(ctx, r.id, now)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.poll = open
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
	for _, t := range []*time.Timer{r.abandon, r.annTimer, r.flushTimer, r.pinNotify} {
		if t != nil {
			t.Stop()
		}
	}
	if r.poll != nil && r.poll.timer != nil {
		r.poll.timer.Stop()
	}
}

// markEnded ends the room in memory: the session ended elsewhere.
func (r *Room) markEnded() {
	r.mu.Lock()
	r.ended = true
	r.stopTimers()
	r.mu.Unlock()
	r.dropRequests()
	r.retire()
}

func (r *Room) isEnded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

// publish broadcasts to the session's connections on every relay. The
// owner numbers its broadcasts; a mirror's (a set ended by a hand-over
// made here) are not numbered: only the owner counts.
func (r *Room) publish(t protocol.Type, payload any) {
	if !r.isOwner() {
		m := hub.NewMessage(t, payload)
		r.pubMu.Lock()
		r.sent = m // the tap leaves it alone when the broker hands it back
		r.fan.Publish(r.id, m)
		r.pubMu.Unlock()
		r.m.broker.Publish(r.id, m)
		return
	}
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	r.seq++
	m := hub.NewBroadcast(t, payload, r.epoch, r.seq)
	r.remember(r.seq, m)
	r.fan.Publish(r.id, m)
	// The broker's other subscriber here is this room's tap, which
	// leaves the room's own broadcasts alone.
	r.m.broker.Publish(r.id, m)
}

// attachDJ makes peer the room's DJ. A resuming app that names the last
// broadcast it saw (epoch, since) gets the ones it missed first, as a
// reconnecting page does (catchup.go).
func (r *Room) attachDJ(ctx context.Context, peer Peer, epoch string, since uint64) (catchUp, *protocol.Error) {
	unsub, e, seq, missed, caught := r.subscribeFrom(peer, epoch, since)
	pos := catchUp{epoch: e, seq: seq, missed: missed, caught: caught}
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		unsub()
		return pos, errEnded
	}
	old, oldUnsub := r.dj, r.djUnsub
	r.dj = peer
	r.djUnsub = unsub
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
		return pos, r.m.storeErr("resume session", err)
	}
	return pos, nil
}

// end ends the session at the given time and tells everyone.
func (r *Room) end(ctx context.Context, at time.Time, reason string) *protocol.Error {
	return r.endWith(ctx, at, reason, protocol.SessionEnded{})
}

// endWith ends the session and sends dancers ended, to which it adds the
// recap link (ended names the set that took over the stage, if any).
func (r *Room) endWith(ctx context.Context, at time.Time, reason string, ended protocol.SessionEnded) *protocol.Error {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return nil
	}
	r.ended = true
	r.stopTimers()
	peak := max(r.peak, r.dancersLocked())
	r.mu.Unlock()
	r.dropRequests()
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
	ended.RecapURL = r.m.RecapURL(r.id)
	r.publish(protocol.TypeSessionEnded, ended)
	r.retire()
	r.m.log.Info("session ended", "session", r.id, "reason", reason)
	if st := r.sess.StageID; st != "" && ended.NextSessionID == "" {
		// Between sets now: the stage's pages learn it. (A hand-over
		// announces the next set itself once it is stored.)
		go r.m.publishStage(context.Background(), st)
	}
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
