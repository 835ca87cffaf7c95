package live

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

var (
	errNotEventStage = perr(protocol.CodeBadRequest, "stageIds names a stage that is not this event's")
	errTooManyEvAnn  = perr(protocol.CodeForbidden, store.ErrTooManyAnnouncements.Error()+"; clear one first")
	errNoEventAnn    = perr(protocol.CodeNotFound, "no such running announcement")
)

// AnnounceEvent stores an organizers' announcement and sends it to the
// pages on its stages, both those following a stage and those in a set
// live there.
func (m *Manager) AnnounceEvent(ctx context.Context, ev store.Event, by string, req *protocol.EventAnnouncementRequest) (protocol.EventAnnouncement, *protocol.Error) {
	stages, err := m.st.Stages(ctx, ev.ID)
	if err != nil {
		return protocol.EventAnnouncement{}, m.storeErr("read stages", err)
	}
	var targets []string
	for _, s := range stages {
		if len(req.StageIDs) == 0 || slices.Contains(req.StageIDs, s.ID) {
			targets = append(targets, s.ID)
		}
	}
	if len(targets) != len(req.StageIDs) && len(req.StageIDs) > 0 {
		return protocol.EventAnnouncement{}, errNotEventStage
	}
	now := time.Now()
	var expires *time.Time
	if req.DurationS != nil {
		e := now.Add(time.Duration(*req.DurationS) * time.Second)
		expires = &e
	}
	a, err := m.st.CreateEventAnnouncement(ctx, ev.ID, ev.Name, by, req.Text, req.StageIDs, now, expires)
	if errors.Is(err, store.ErrTooManyAnnouncements) {
		return a, errTooManyEvAnn
	}
	if err != nil {
		return a, m.storeErr("store announcement", err)
	}
	m.toStages(ctx, targets, protocol.TypeEventAnnouncement, a)
	if expires != nil {
		time.AfterFunc(time.Until(*expires), func() {
			m.toStages(context.Background(), targets, protocol.TypeEventAnnouncementCleared, protocol.EventAnnouncementCleared{AnnouncementID: a.AnnouncementID})
		})
	}
	m.log.Info("event announcement", "event", ev.ID, "announcement", a.AnnouncementID, "stages", len(targets))
	return a, nil
}

// ClearEventAnnouncement ends an announcement and tells its stages.
func (m *Manager) ClearEventAnnouncement(ctx context.Context, ev store.Event, id string) *protocol.Error {
	a, err := m.st.ClearEventAnnouncement(ctx, ev.ID, id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return errNoEventAnn
	}
	if err != nil {
		return m.storeErr("clear announcement", err)
	}
	targets := a.StageIDs
	if len(targets) == 0 {
		stages, err := m.st.Stages(ctx, ev.ID)
		if err != nil {
			return m.storeErr("read stages", err)
		}
		for _, s := range stages {
			targets = append(targets, s.ID)
		}
	}
	m.toStages(ctx, targets, protocol.TypeEventAnnouncementCleared, protocol.EventAnnouncementCleared{AnnouncementID: id})
	return nil
}

// toStages publishes a broadcast to each stage's followers and to the set
// live on it. A page following a stage and in its set gets it twice; the
// id makes the second harmless.
func (m *Manager) toStages(ctx context.Context, stageIDs []string, t protocol.Type, payload any) {
	msg := hub.NewMessage(t, payload)
	for _, id := range stageIDs {
		m.broker.Publish(stageTopic(id), msg)
		if live, err := m.st.LiveOnStage(ctx, id); err == nil {
			m.toSession(ctx, live.ID, t, payload)
		}
	}
}

// toSession has a session's owner broadcast what was made outside its
// room (an organizers' announcement), numbered like the room's own so a
// page catching up gets it again; when no owner answers it goes out
// unnumbered.
func (m *Manager) toSession(ctx context.Context, id string, t protocol.Type, payload any) {
	m.mu.Lock()
	r := m.rooms[id]
	m.mu.Unlock()
	if r != nil && r.isOwner() {
		r.publish(t, payload)
		return
	}
	if m.clustered() {
		b, err := json.Marshal(relayed{Type: t, Payload: mustJSON(payload)})
		if err == nil {
			if pe, err := m.ask(ctx, id, fwdRequest{Op: opBroadcast, Relay: m.relayID, Body: b}, nil); err == nil && pe == nil {
				return
			}
		}
	}
	m.broker.Publish(id, hub.NewMessage(t, payload))
}

// relayed is a broadcast another relay hands a session's owner.
type relayed struct {
	Type    protocol.Type   `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// stageAnnouncements are the running event announcements for a stage.
func (m *Manager) stageAnnouncements(ctx context.Context, stageID string) ([]protocol.EventAnnouncement, error) {
	st, err := m.st.Stage(ctx, stageID)
	if err != nil {
		return nil, err
	}
	return m.st.EventAnnouncements(ctx, st.EventID, stageID, time.Now())
}
