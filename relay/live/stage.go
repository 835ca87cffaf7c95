package live

import (
	"context"
	"errors"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Stages: one live set per stage; the next DJ takes over only after the
// live one handed over (HAND_OVER), and dancers who follow the stage move
// to the new set on the same connection.

func stageTopic(stageID string) string { return "stage:" + stageID }

var (
	errNoStage    = perr(protocol.CodeNotFound, "no such stage")
	errNotInEvent = perr(protocol.CodeForbidden, "you are not a DJ of this stage's event; accept the organizer's invitation first")
	errNotOnStage = perr(protocol.CodeBadRequest, "this session is not on a stage, so there is nothing to hand over")
	errNotEventDJ = perr(protocol.CodeBadRequest, "that account is not a DJ of this event")
)

// stageTaken is the refusal of a second DJ on a stage, naming who is on.
func stageTaken(djName, stageName string) *protocol.Error {
	return perr(protocol.CodeForbidden, djName+" is live on "+stageName+". Two DJs cannot be live on one stage: ask "+djName+" to hand over to you from their app, then go live again.")
}

// claimStage checks that dj may go live on the stage and finds the set it
// replaces: none when the stage is free, the DJ's own earlier set, or the
// set whose DJ handed over. Callers hold m.stageMu.
func (m *Manager) claimStage(ctx context.Context, stageID string, dj protocol.DJ) (protocol.Stage, *store.Session, *protocol.Error) {
	st, err := m.st.Stage(ctx, stageID)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.Stage{}, nil, errNoStage
	}
	if err != nil {
		return protocol.Stage{}, nil, m.storeErr("read stage", err)
	}
	role, err := m.st.Role(ctx, st.EventID, dj.ID)
	if err != nil {
		return st, nil, m.storeErr("read event role", err)
	}
	if role == "" {
		return st, nil, errNotInEvent
	}
	live, err := m.st.LiveOnStage(ctx, st.ID)
	if errors.Is(err, store.ErrNotFound) {
		return st, nil, nil
	}
	if err != nil {
		return st, nil, m.storeErr("read stage", err)
	}
	// The hand-over is in the database: the next DJ may go live on
	// another relay than the one the set is on.
	to, handed, err := m.st.HandOver(ctx, live.ID, time.Now())
	if err != nil {
		return st, nil, m.storeErr("read stage", err)
	}
	switch {
	case live.DJID == dj.ID:
		// The DJ's own set (an app that lost its session): replace it.
	case handed && (to == "" || to == dj.ID):
	default:
		return st, nil, stageTaken(live.DJName, st.Name)
	}
	return st, &live, nil
}

// startOnStage creates the session of a Register with a stageID, ending
// the set it takes over and moving that set's dancers to it. It counts
// against the DJ's live sessions like any other.
func (m *Manager) startOnStage(ctx context.Context, dj protocol.DJ, req *protocol.RegisterSession, pinHash string) (store.Session, *protocol.Error) {
	m.stageMu.Lock()
	defer m.stageMu.Unlock()
	st, prev, pe := m.claimStage(ctx, req.StageID, dj)
	if pe != nil {
		return store.Session{}, pe
	}
	id := store.NewID()
	now := time.Now()
	var refused *protocol.Error // why create gave up, when it did
	ns := store.NewSession{ID: id, DJID: dj.ID, DJName: dj.DisplayName, Name: req.Name, PinHash: pinHash,
		StageID: st.ID, At: now, RecapPublic: req.PublicRecap}
	if prev != nil {
		ns.Replaces = prev.ID
	}
	sess, pe := m.createCapped(ctx, dj, func() (store.Session, error) {
		sess, err := m.st.StartSession(ctx, ns)
		if errors.Is(err, store.ErrStageBusy) {
			refused = stageTaken("another DJ", st.Name)
		}
		return sess, err
	})
	if refused == nil && pe == nil && prev != nil {
		// The previous set ended with the new one's creation: now its
		// room closes and its dancers are sent to the set that exists.
		reason := "handed over to " + dj.DisplayName
		if prev.DJID == dj.ID {
			reason = "replaced by a new session of the same DJ"
		}
		next := protocol.SessionEnded{NextSessionID: id, NextDJName: dj.DisplayName}
		m.mu.Lock()
		r := m.rooms[prev.ID]
		m.mu.Unlock()
		if r != nil {
			_ = r.endWith(ctx, now, reason, next)
		} else {
			// Its room is on other relays (or nowhere): their taps
			// hear it and close their copies.
			next.RecapURL = m.RecapURL(prev.ID)
			m.broker.Publish(prev.ID, hub.NewMessage(protocol.TypeSessionEnded, next))
			m.log.Info("session ended", "session", prev.ID, "reason", reason)
		}
	}
	if refused != nil {
		return store.Session{}, refused
	}
	if pe != nil {
		return store.Session{}, pe
	}
	sess.StageSlug = st.Slug
	go m.publishStage(context.Background(), st.ID)
	return sess, nil
}

// HandOver lets the next DJ of the event take this session's stage.
func (d *DJ) HandOver(ctx context.Context, h *protocol.HandOver) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	sess := d.r.session()
	if sess.StageID == "" {
		return errNotOnStage
	}
	m := d.r.m
	if h.ToDJID != "" {
		st, err := m.st.Stage(ctx, sess.StageID)
		if err != nil {
			return m.storeErr("read stage", err)
		}
		role, err := m.st.Role(ctx, st.EventID, h.ToDJID)
		if err != nil {
			return m.storeErr("read event role", err)
		}
		if role == "" {
			return errNotEventDJ
		}
	}
	if err := m.st.SetHandOver(ctx, sess.ID, h.ToDJID, time.Now().Add(protocol.HandOverWindow)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errEnded
		}
		return m.storeErr("hand over", err)
	}
	m.log.Info("stage handed over", "session", sess.ID, "stage", sess.StageID, "to", h.ToDJID)
	return nil
}

// EventView is the public view of an event with its stages; role is the
// reader's (empty for anyone).
func (m *Manager) EventView(ctx context.Context, ev store.Event, role protocol.EventRole) (protocol.Event, error) {
	stages, err := m.st.Stages(ctx, ev.ID)
	if err != nil {
		return protocol.Event{}, err
	}
	for i := range stages {
		stages[i].URL = m.StageURL(stages[i].Slug)
	}
	out := protocol.Event{ID: ev.ID, Name: ev.Name, StartsOn: ev.StartsOn, EndsOn: ev.EndsOn, TimeZone: ev.TimeZone,
		Accent: ev.Accent, Stages: stages, Role: role, CreatedAt: ev.CreatedAt}
	if ev.HasLogo {
		out.LogoURL = "/api/events/" + ev.ID + "/logo"
	}
	return out, nil
}

// StageInfo is what a stage's page shows: the stage, its event, the set
// live on it, and its public schedule.
func (m *Manager) StageInfo(ctx context.Context, st protocol.Stage) (protocol.StageInfo, *protocol.Error) {
	ev, err := m.st.Event(ctx, st.EventID)
	if err != nil {
		return protocol.StageInfo{}, m.storeErr("read event", err)
	}
	view, err := m.EventView(ctx, ev, "")
	if err != nil {
		return protocol.StageInfo{}, m.storeErr("read stages", err)
	}
	st.URL = m.StageURL(st.Slug)
	info := protocol.StageInfo{Stage: st, Event: view}
	if live, err := m.st.LiveOnStage(ctx, st.ID); err == nil {
		sum := live.Summary(m.Listeners(live.ID))
		info.Live = &sum
	} else if !errors.Is(err, store.ErrNotFound) {
		return protocol.StageInfo{}, m.storeErr("read stage", err)
	}
	if last, err := m.st.LastOnStage(ctx, st.ID); err == nil {
		sum := last.Summary(0)
		info.Last = &sum
	} else if !errors.Is(err, store.ErrNotFound) {
		return protocol.StageInfo{}, m.storeErr("read stage", err)
	}
	info.EventRecapURL = m.cfg.PublicURL + "/events/" + ev.ID + "/recap"
	if info.Announcements, err = m.st.EventAnnouncements(ctx, ev.ID, st.ID, time.Now()); err != nil {
		return protocol.StageInfo{}, m.storeErr("read announcements", err)
	}
	slots, err := m.st.Schedule(ctx, st.ID)
	if err != nil {
		return protocol.StageInfo{}, m.storeErr("read schedule", err)
	}
	// Which account a set belongs to is the organizers' business.
	for i := range slots {
		slots[i].DJID = ""
	}
	info.Schedule = slots
	info.Now, info.Next = nowAndNext(slots, time.Now())
	return info, nil
}

// StageBySlug reads the stage behind a link.
func (m *Manager) StageBySlug(ctx context.Context, slug string) (protocol.Stage, *protocol.Error) {
	st, err := m.st.StageBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return st, errNoStage
	}
	if err != nil {
		return st, m.storeErr("read stage", err)
	}
	return st, nil
}

// SubscribeStage has peer follow the stage: it receives STAGE_STATE each
// time a set starts or ends there. The returned state is sent first (the
// caller holds the peer's broadcasts until then).
func (m *Manager) SubscribeStage(ctx context.Context, peer Peer, slug string) (func(), protocol.StageInfo, *protocol.Error) {
	st, pe := m.StageBySlug(ctx, slug)
	if pe != nil {
		return nil, protocol.StageInfo{}, pe
	}
	unsub := m.broker.Subscribe(stageTopic(st.ID), peer)
	info, pe := m.StageInfo(ctx, st)
	if pe != nil {
		unsub()
		return nil, protocol.StageInfo{}, pe
	}
	return unsub, info, nil
}

// publishStage sends the stage's state to the pages following it.
func (m *Manager) publishStage(ctx context.Context, stageID string) {
	st, err := m.st.Stage(ctx, stageID)
	if err != nil {
		if !errors.Is(err, store.ErrClosed) {
			m.log.Error("reading stage for its pages failed", "stage", stageID, "err", err)
		}
		return
	}
	info, pe := m.StageInfo(ctx, st)
	if pe != nil {
		return
	}
	m.broker.Publish(stageTopic(stageID), hub.NewMessage(protocol.TypeStageState, info))
}

// nowAndNext picks the set on now and the first one after it from a
// schedule in time order.
func nowAndNext(slots []protocol.ScheduleSlot, now time.Time) (cur, next *protocol.ScheduleSlot) {
	for i := range slots {
		sl := &slots[i]
		switch {
		case !now.Before(sl.StartsAt) && now.Before(sl.EndsAt):
			cur = sl
		case sl.StartsAt.After(now):
			return cur, sl
		}
	}
	return cur, nil
}
