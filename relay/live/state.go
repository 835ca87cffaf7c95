package live

import (
	"context"
	"errors"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Access is who asks for a session over REST: the PIN they sent, their
// address (for the PIN limits) and the DJ signed in, if any.
type Access struct {
	PIN, IP string
	DJID    string
}

// State is the SESSION_STATE of any session, live or ended, for the REST
// API. A protected session needs its PIN, unless its own DJ asks.
// clientID must be one the relay issued for the session (ValidClientID)
// or empty.
func (m *Manager) State(ctx context.Context, sessionID, clientID string, a Access) (protocol.SessionState, *protocol.Error) {
	sess, err := m.st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.SessionState{}, errNoSession
	}
	if err != nil {
		return protocol.SessionState{}, m.storeErr("read session", err)
	}
	if clientID != "" && !m.ValidClientID(idScope(sess), clientID) {
		return protocol.SessionState{}, errBadClientID
	}
	if a.DJID == "" || a.DJID != sess.DJID {
		if pe := m.checkPIN(ctx, sess, a.PIN, a.IP); pe != nil {
			return protocol.SessionState{}, pe
		}
	}
	return m.state(ctx, sess, clientID)
}

// recapOpen reports whether a session's recap needs neither PIN nor DJ: a
// live session without a PIN, or an ended one whose recap is public.
func recapOpen(s store.Session) bool {
	if s.Live() {
		return s.PinHash == ""
	}
	return s.RecapPublic
}

// recapAccess decides whether a may read the session's recap.
func (m *Manager) recapAccess(ctx context.Context, s store.Session, a Access) *protocol.Error {
	switch {
	case recapOpen(s) || a.DJID != "" && a.DJID == s.DJID:
		return nil
	case s.PinHash == "":
		return errRecapDJ
	case a.PIN == "":
		return errRecapPIN
	}
	return m.checkPIN(ctx, s, a.PIN, a.IP)
}

// Info is the API view of a session. A set on a stage is joined through
// the stage's permanent link.
func (m *Manager) Info(s store.Session) protocol.SessionInfo {
	join := m.JoinURL(s.ID)
	if s.StageSlug != "" {
		join = m.StageURL(s.StageSlug)
	}
	return protocol.SessionInfo{
		ID: s.ID, Name: s.Name, DJName: s.DJName, StartedAt: s.StartedAt, EndedAt: s.EndedAt,
		Live: s.Live(), Protected: s.PinHash != "", PublicRecap: s.RecapPublic, JoinURL: join, RecapURL: m.RecapURL(s.ID),
	}
}

// recentPollWindow keeps a just-closed poll in the state so a page that
// reconnects still shows its result.
const recentPollWindow = 15 * time.Minute

func (m *Manager) state(ctx context.Context, sess store.Session, clientID string) (protocol.SessionState, *protocol.Error) {
	now := time.Now()
	st := protocol.SessionState{Session: m.Info(sess), MyLikes: []string{}, MyTempoVotes: map[string]string{}, MyPollVotes: map[string]int{}}
	hist, more, err := m.st.PlaysPage(ctx, sess.ID, "", m.cfg.HistoryLimit)
	if err != nil {
		return st, m.storeErr("read plays", err)
	}
	st.History, st.MoreHistory = hist, more
	if sess.StageID != "" && sess.Live() {
		if st.EventAnnouncements, err = m.stageAnnouncements(ctx, sess.StageID); err != nil {
			return st, m.storeErr("read event announcements", err)
		}
	}
	act, err := m.st.Activity(ctx, sess.ID, clientID)
	if err != nil {
		return st, m.storeErr("read activity", err)
	}
	st.MyLikes, st.MyTempoVotes, st.MyPollVotes = act.Likes, act.TempoVotes, act.PollVotes
	if !sess.Live() {
		return st, nil
	}
	if len(hist) > 0 {
		cur := hist[0]
		st.NowPlaying = &cur.Play
		tempo := cur.Tempo
		st.Tempo = &tempo
	}
	polls, err := m.st.Polls(ctx, sess.ID)
	if err != nil {
		return st, m.storeErr("read polls", err)
	}
	if n := len(polls); n > 0 {
		p := polls[n-1]
		if p.EndsAt != nil && !now.Before(*p.EndsAt) {
			p.Closed = true
		}
		if !p.Closed || p.ClosedAt != nil && now.Sub(*p.ClosedAt) < recentPollWindow || p.ClosedAt == nil && p.EndsAt != nil && now.Sub(*p.EndsAt) < recentPollWindow {
			poll := p.Poll
			st.ActivePoll = &poll
		}
	}
	if st.Announcement, err = m.st.CurrentAnnouncement(ctx, sess.ID, now); err != nil {
		return st, m.storeErr("read announcement", err)
	}
	st.Listeners = m.Listeners(sess.ID)
	return st, nil
}
