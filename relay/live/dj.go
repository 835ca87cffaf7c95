package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// DJ is a DJ's connection to its live session.
type DJ struct {
	r    *Room
	peer Peer
	once sync.Once
}

// SessionID names the DJ's session.
func (d *DJ) SessionID() string { return d.r.id }

// SendPINGuesses sends the DJ a PIN_GUESSES if the session's PIN has been
// guessed at, for a DJ that just came back.
func (d *DJ) SendPINGuesses() { d.r.sendPINGuesses() }

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
		r.m.holds.release(d)
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
		r.setCurrent(predicted)
		r.deferFlush()
		r.publish(protocol.TypeNowPlaying, *predicted)
	}
	res, err := wait(ctx)
	if err != nil {
		// A write that failed (not one we stopped waiting for, which may
		// still commit) leaves no play: take the broadcast back.
		if predicted != nil && ctx.Err() == nil {
			r.setCurrent(prev)
			if prev != nil {
				r.publish(protocol.TypeNowPlaying, *prev)
			} else if st, pe := r.m.state(context.Background(), r.session(), ""); pe == nil {
				r.publish(protocol.TypeSessionState, st)
			}
		}
		return r.m.storeErr("record play", err)
	}
	r.forgetPlayed()
	if res.Current && (predicted == nil || !samePlay(*predicted, res.Play)) {
		// The database knew better than memory: broadcast what was stored.
		p := res.Play
		r.setCurrent(&p)
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
	r.notify("New poll", p.Question)
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
	r.notify("Announcement", row.Text)
	return nil
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

// Register opens a session for a DJ, or resumes the one named in the
// request when the DJ left it less than the resume window ago.
func (m *Manager) Register(ctx context.Context, peer Peer, dj protocol.DJ, req *protocol.RegisterSession) (*DJ, protocol.SessionRegistered, *protocol.Error) {
	var (
		r       *Room
		resumed bool
	)
	if req.ResumeSessionID != "" {
		sess, err := m.st.Session(ctx, req.ResumeSessionID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, protocol.SessionRegistered{}, errNoResume
		}
		if err != nil {
			return nil, protocol.SessionRegistered{}, m.storeErr("read session", err)
		}
		if sess.DJID != dj.ID {
			return nil, protocol.SessionRegistered{}, errNotYours
		}
		if sess.DJLeftAt != nil && time.Since(*sess.DJLeftAt) > m.cfg.ResumeWindow && sess.Live() {
			m.endAbandoned(ctx)
			return nil, protocol.SessionRegistered{}, errDJAway
		}
		if !sess.Live() {
			return nil, protocol.SessionRegistered{}, errResumeEnded
		}
		var pe *protocol.Error
		if r, pe = m.room(ctx, sess.ID); pe != nil {
			return nil, protocol.SessionRegistered{}, pe
		}
		// The DJ's relay owns the session, so its commands apply here.
		if pe = m.takeOwnership(ctx, r); pe != nil {
			return nil, protocol.SessionRegistered{}, pe
		}
		resumed = true
	} else {
		if m.isClosing() {
			return nil, protocol.SessionRegistered{}, errRestarting
		}
		var pinHash string
		if req.PIN != "" {
			pinHash = m.hashPIN(req.PIN)
		}
		var (
			sess store.Session
			pe   *protocol.Error
		)
		if req.StageID != "" {
			sess, pe = m.startOnStage(ctx, dj, req, pinHash)
		} else {
			sess, pe = m.createCapped(ctx, dj, func() (store.Session, error) {
				return m.st.StartSession(ctx, store.NewSession{
					DJID: dj.ID, DJName: dj.DisplayName, Name: req.Name, PinHash: pinHash, At: time.Now(), RecapPublic: req.PublicRecap,
				})
			})
		}
		if pe != nil {
			return nil, protocol.SessionRegistered{}, pe
		}
		if m.clustered() {
			// A new session: nobody else can hold its lease.
			if _, err := m.claim(ctx, sess.ID); err != nil {
				return nil, protocol.SessionRegistered{}, m.storeErr("claim session", err)
			}
		}
		r = newRoom(m, sess, true)
		r.serve()
		m.mu.Lock()
		m.rooms[sess.ID] = r
		m.mu.Unlock()
	}
	var since catchUp
	if resumed {
		since = catchUp{epoch: req.Epoch, seq: req.Seq}
	}
	pos, pe := r.attachDJ(ctx, peer, since.epoch, since.seq)
	if pe != nil {
		return nil, protocol.SessionRegistered{}, pe
	}
	m.obs.DJsConnected(1)
	event := "session started"
	if resumed {
		event = "session resumed"
	}
	m.log.Info(event, "session", r.id, "dj", dj.ID, "protected", r.session().PinHash != "")

	return &DJ{r: r, peer: peer}, protocol.SessionRegistered{
		SessionID: r.id, DJName: dj.DisplayName, JoinURL: m.Info(r.session()).JoinURL, RecapURL: m.RecapURL(r.id), Resumed: resumed,
		Epoch: pos.epoch, Seq: pos.seq, Missed: pos.missed, CaughtUp: pos.caught,
	}, nil
}

// State is the session's state, for a DJ whose app resumed without
// naming a broadcast the room still keeps: the counts it missed.
func (d *DJ) State(ctx context.Context) (protocol.SessionState, *protocol.Error) {
	return d.r.joinState(ctx, "")
}
