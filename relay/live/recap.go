package live

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Recap summarises a session, live or ended, for a (see recapAccess).
// Everything is read in one read transaction, so totals agree with the
// per-play numbers. The access check runs on every call; the recap itself
// of an ended session is computed once and then kept, a long live one
// for 2 s (recapCache).
func (m *Manager) Recap(ctx context.Context, sessionID string, a Access) (protocol.Recap, *protocol.Error) {
	sess, err := m.st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.Recap{}, errNoSession
	}
	if err != nil {
		return protocol.Recap{}, m.storeErr("read session", err)
	}
	if pe := m.recapAccess(ctx, sess, a); pe != nil {
		return protocol.Recap{}, pe
	}
	own := a.DJID != "" && a.DJID == sess.DJID
	if rc, ok := m.recaps.get(sessionID, time.Now()); ok {
		return recapFor(rc, own), nil
	}
	var (
		rc protocol.Recap
		pe *protocol.Error
	)
	err = m.st.Snapshot(ctx, func(st *store.Store) error {
		rc, pe = m.recap(ctx, st, sessionID)
		return nil
	})
	if err != nil {
		return protocol.Recap{}, m.storeErr("read recap", err)
	}
	if pe == nil {
		m.recaps.keep(sessionID, rc, time.Now())
	}
	return recapFor(rc, own), pe
}

// recapFor is the recap as a reader sees it: the tempo votes per track are
// the DJ's own (SetAnalytics), so everyone else gets a copy without them.
func recapFor(rc protocol.Recap, own bool) protocol.Recap {
	if own {
		rc.Full = true
		return rc
	}
	plays := make([]protocol.RecapPlay, len(rc.Plays))
	for i, p := range rc.Plays {
		p.Tempo = nil
		plays[i] = p
	}
	rc.Plays = plays
	return rc
}

func (m *Manager) recap(ctx context.Context, st *store.Store, sessionID string) (protocol.Recap, *protocol.Error) {
	sess, err := st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.Recap{}, errNoSession
	}
	if err != nil {
		return protocol.Recap{}, m.storeErr("read session", err)
	}
	now := time.Now()
	rc := protocol.Recap{Session: m.Info(sess), Plays: []protocol.RecapPlay{}, Polls: []protocol.RecapPoll{}, Announcements: []protocol.RecapAnnouncement{}}
	end := now
	if sess.EndedAt != nil {
		end = *sess.EndedAt
	}
	rc.DurationS = end.Sub(sess.StartedAt).Seconds()
	plays, err := st.Plays(ctx, sessionID)
	if err != nil {
		return rc, m.storeErr("read plays", err)
	}
	slices.Reverse(plays)
	for _, p := range plays {
		rc.Plays = append(rc.Plays, protocol.RecapPlay{PlayID: p.PlayID, Track: p.Track, StartedAt: p.StartedAt, EndedAt: p.EndedAt, Likes: p.Likes, Tempo: &p.Tempo})
	}
	polls, err := st.Polls(ctx, sessionID)
	if err != nil {
		return rc, m.storeErr("read polls", err)
	}
	for _, p := range polls {
		rp := protocol.RecapPoll{Poll: p.Poll, CreatedAt: p.CreatedAt, ClosedAt: p.ClosedAt}
		if !rp.Closed && p.EndsAt != nil && !now.Before(*p.EndsAt) {
			rp.Closed, rp.ClosedAt = true, p.EndsAt
		}
		for _, n := range p.Tallies {
			rp.Votes += n
		}
		rc.Polls = append(rc.Polls, rp)
	}
	anns, err := st.Announcements(ctx, sessionID)
	if err != nil {
		return rc, m.storeErr("read announcements", err)
	}
	for _, a := range anns {
		rc.Announcements = append(rc.Announcements, protocol.RecapAnnouncement{AnnouncementID: a.AnnouncementID, Text: a.Text, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt})
	}
	tot, err := st.SessionTotals(ctx, sessionID)
	if err != nil {
		return rc, m.storeErr("read totals", err)
	}
	rc.PeakListeners = max(sess.PeakListeners, m.Listeners(sessionID))
	rc.UniqueDancers, rc.TotalLikes, rc.TotalVotes = tot.UniqueDancers, tot.Likes, tot.TempoVotes
	return rc, nil
}
