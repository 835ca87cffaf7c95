package live

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

var errAnalyticsPrivate = perr(protocol.CodeForbidden, "a set's analytics are for its DJ and the organizers of its event only")

// Analytics is a set's private numbers for djID, who must be its DJ or an
// organizer of the event whose stage it was on.
func (m *Manager) Analytics(ctx context.Context, sessionID, djID string) (protocol.SetAnalytics, *protocol.Error) {
	sess, err := m.st.Session(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.SetAnalytics{}, errNoSession
	}
	if err != nil {
		return protocol.SetAnalytics{}, m.storeErr("read session", err)
	}
	if pe := m.analyticsAccess(ctx, sess, djID); pe != nil {
		return protocol.SetAnalytics{}, pe
	}
	var (
		plays   []protocol.HistoryEntry
		samples []protocol.ListenerSample
	)
	err = m.st.Snapshot(ctx, func(st *store.Store) error {
		var err error
		if plays, err = st.Plays(ctx, sessionID); err != nil {
			return err
		}
		samples, err = st.ListenerSamples(ctx, sessionID)
		return err
	})
	if err != nil {
		return protocol.SetAnalytics{}, m.storeErr("read analytics", err)
	}
	slices.Reverse(plays) // oldest first
	end := time.Now()
	if sess.EndedAt != nil {
		end = *sess.EndedAt
	}
	return analyse(m.Info(sess), sess.PeakListeners, plays, samples, end), nil
}

func (m *Manager) analyticsAccess(ctx context.Context, sess store.Session, djID string) *protocol.Error {
	if djID != "" && djID == sess.DJID {
		return nil
	}
	if djID == "" || sess.StageID == "" {
		return errAnalyticsPrivate
	}
	st, err := m.st.Stage(ctx, sess.StageID)
	if err != nil {
		return m.storeErr("read stage", err)
	}
	role, err := m.st.Role(ctx, st.EventID, djID)
	if err != nil {
		return m.storeErr("read event role", err)
	}
	if role != protocol.RoleOrganizer {
		return errAnalyticsPrivate
	}
	return nil
}

// analyse computes the analytics of plays (oldest first) from the dancer
// counts; a play without an end lasts until the next one or setEnd.
func analyse(info protocol.SessionInfo, peak int, plays []protocol.HistoryEntry, samples []protocol.ListenerSample, setEnd time.Time) protocol.SetAnalytics {
	a := protocol.SetAnalytics{Session: info, Plays: []protocol.PlayAnalytics{}, NoLikes: []string{}, Listeners: samples, PeakListeners: peak}
	// after is the index of the first sample later than t.
	after := func(t time.Time) int {
		i, _ := slices.BinarySearchFunc(samples, t, func(s protocol.ListenerSample, t time.Time) int {
			if s.At.After(t) {
				return 1
			}
			return -1
		})
		return i
	}
	// countAt is the dancer count at t: the last sample at or before it.
	countAt := func(t time.Time) int {
		if i := after(t); i > 0 {
			return samples[i-1].Count
		}
		return 0
	}
	for i, p := range plays {
		end := setEnd
		if p.EndedAt != nil {
			end = *p.EndedAt
		} else if i+1 < len(plays) {
			end = plays[i+1].StartedAt
		}
		pa := protocol.PlayAnalytics{
			RecapPlay:  protocol.RecapPlay{PlayID: p.PlayID, Track: p.Track, StartedAt: p.StartedAt, EndedAt: p.EndedAt, Likes: p.Likes},
			TempoVotes: p.Tempo, Shares: protocol.SharesOf(p.Tempo),
			ListenersStart: countAt(p.StartedAt), ListenersEnd: countAt(end),
		}
		pa.ListenersLow = pa.ListenersStart
		peak := pa.ListenersStart
		lo, hi := after(p.StartedAt), after(end)
		for _, s := range samples[lo:max(lo, hi)] {
			pa.ListenersLow = min(pa.ListenersLow, s.Count)
			peak = max(peak, s.Count)
			pa.DropOff = max(pa.DropOff, peak-s.Count)
		}
		pa.ListenersPeak = peak
		a.Tempo.Faster += p.Tempo.Faster
		a.Tempo.Perfect += p.Tempo.Perfect
		a.Tempo.Slower += p.Tempo.Slower
		if p.Likes == 0 {
			a.NoLikes = append(a.NoLikes, p.PlayID)
		}
		a.Plays = append(a.Plays, pa)
	}
	a.Shares = protocol.SharesOf(a.Tempo)
	return a
}
