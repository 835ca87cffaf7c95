package live

import (
	"context"
	"slices"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// comfortWindow is how far back the dashboard's tempo comfort looks.
const comfortWindow = 30 * time.Minute

// dashboardRecent is how many of a stage's last tracks the dashboard shows.
const dashboardRecent = 5

// EventPlays lists the event's plays for its DJs and organizers, in the
// order played, with likes and tempo votes.
func (m *Manager) EventPlays(ctx context.Context, eventID string) ([]protocol.EventPlay, *protocol.Error) {
	rows, err := m.st.EventPlays(ctx, eventID, time.Time{})
	if err != nil {
		return nil, m.storeErr("read event plays", err)
	}
	out := make([]protocol.EventPlay, len(rows))
	for i, r := range rows {
		out[i] = r.EventPlay
	}
	return out, nil
}

func (m *Manager) setSummary(s store.Session) protocol.SetSummary {
	return protocol.SetSummary{
		SessionID: s.ID, Name: s.Name, DJName: s.DJName, StartedAt: s.StartedAt, EndedAt: s.EndedAt, Live: s.Live(),
		Protected: s.PinHash != "", Tracks: s.Plays, PeakListeners: max(s.PeakListeners, m.Listeners(s.ID)), RecapURL: m.RecapURL(s.ID),
	}
}

// EventRecap summarises an event. full is the organizers' view: the
// tempo votes of each play and the tracks of PIN sets. Everything is read
// in one read transaction so the totals agree.
func (m *Manager) EventRecap(ctx context.Context, ev store.Event, full bool) (protocol.EventRecap, *protocol.Error) {
	var (
		rc protocol.EventRecap
		pe *protocol.Error
	)
	err := m.st.Snapshot(ctx, func(st *store.Store) error {
		rc, pe = m.eventRecap(ctx, st, ev, full)
		return nil
	})
	if err != nil {
		return protocol.EventRecap{}, m.storeErr("read event recap", err)
	}
	return rc, pe
}

func (m *Manager) eventRecap(ctx context.Context, st *store.Store, ev store.Event, full bool) (protocol.EventRecap, *protocol.Error) {
	view, err := m.EventView(ctx, ev, "")
	if err != nil {
		return protocol.EventRecap{}, m.storeErr("read stages", err)
	}
	rc := protocol.EventRecap{Event: view, Full: full, TopTracks: []protocol.EventPlay{}, Polls: []protocol.EventPoll{}}
	byStage := map[string]*protocol.StageRecap{}
	for _, s := range view.Stages {
		rc.Stages = append(rc.Stages, protocol.StageRecap{Stage: s, Sets: []protocol.SetSummary{}, Plays: []protocol.EventPlay{}})
	}
	for i := range rc.Stages {
		byStage[rc.Stages[i].Stage.ID] = &rc.Stages[i]
	}
	sessions, err := st.EventSessions(ctx, ev.ID)
	if err != nil {
		return rc, m.storeErr("read sets", err)
	}
	private := map[string]bool{}
	for _, s := range sessions {
		sr := byStage[s.StageID]
		if sr == nil {
			continue
		}
		set := m.setSummary(s)
		sr.Sets = append(sr.Sets, set)
		sr.PeakListeners = max(sr.PeakListeners, set.PeakListeners)
		rc.PeakListeners = max(rc.PeakListeners, set.PeakListeners)
		private[s.ID] = set.Protected && !full
		if private[s.ID] {
			continue
		}
		polls, err := st.Polls(ctx, s.ID)
		if err != nil {
			return rc, m.storeErr("read polls", err)
		}
		for _, p := range polls {
			rp := protocol.RecapPoll{Poll: p.Poll, CreatedAt: p.CreatedAt, ClosedAt: p.ClosedAt}
			rp.Closed = rp.Closed || (p.EndsAt != nil && !time.Now().Before(*p.EndsAt))
			for _, n := range p.Tallies {
				rp.Votes += n
			}
			rc.Polls = append(rc.Polls, protocol.EventPoll{RecapPoll: rp, StageName: sr.Stage.Name, DJName: s.DJName})
		}
	}
	plays, err := st.EventPlays(ctx, ev.ID, time.Time{})
	if err != nil {
		return rc, m.storeErr("read plays", err)
	}
	for _, p := range plays {
		sr := byStage[p.StageID]
		if sr == nil || private[p.SessionID] {
			continue
		}
		ep := p.EventPlay
		if !full {
			// Tempo votes per track are the DJ's and the organizers' own.
			ep.Tempo = nil
		}
		sr.Plays = append(sr.Plays, ep)
		rc.TotalLikes += ep.Likes
		if ep.Likes > 0 {
			rc.TopTracks = append(rc.TopTracks, ep)
		}
	}
	slices.SortStableFunc(rc.TopTracks, func(a, b protocol.EventPlay) int { return b.Likes - a.Likes })
	rc.TopTracks = rc.TopTracks[:min(10, len(rc.TopTracks))]
	if rc.Dancers, err = st.EventDancers(ctx, ev.ID); err != nil {
		return rc, m.storeErr("count dancers", err)
	}
	return rc, nil
}

// Dashboard is the organizers' live view of an event: each stage's set,
// dancers now, the last tracks with their reactions, and the tempo
// comfort of the last 30 minutes.
func (m *Manager) Dashboard(ctx context.Context, ev store.Event) (protocol.EventDashboard, *protocol.Error) {
	now := time.Now()
	view, err := m.EventView(ctx, ev, protocol.RoleOrganizer)
	if err != nil {
		return protocol.EventDashboard{}, m.storeErr("read stages", err)
	}
	d := protocol.EventDashboard{Event: view, At: now, Stages: []protocol.StageDashboard{}}
	plays, err := m.st.EventPlays(ctx, ev.ID, now.Add(-12*time.Hour))
	if err != nil {
		return d, m.storeErr("read plays", err)
	}
	for _, s := range view.Stages {
		sd := protocol.StageDashboard{Stage: s, Recent: []protocol.EventPlay{}}
		if live, err := m.st.LiveOnStage(ctx, s.ID); err == nil {
			set := m.setSummary(live)
			sd.Live, sd.Listeners = &set, m.Listeners(live.ID)
		}
		for i := len(plays) - 1; i >= 0 && len(sd.Recent) < dashboardRecent; i-- {
			if plays[i].StageID == s.ID {
				sd.Recent = append(sd.Recent, plays[i].EventPlay)
			}
		}
		if sd.Comfort, err = m.st.StageTempo(ctx, s.ID, now.Add(-comfortWindow)); err != nil {
			return d, m.storeErr("read tempo votes", err)
		}
		sd.Comfort.WindowS = int(comfortWindow.Seconds())
		slots, err := m.st.Schedule(ctx, s.ID)
		if err != nil {
			return d, m.storeErr("read schedule", err)
		}
		_, sd.Next = nowAndNext(slots, now)
		d.Stages = append(d.Stages, sd)
	}
	return d, nil
}
