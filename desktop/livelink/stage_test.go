package livelink

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestStageSetAndHandOver: the app lists the DJ's events, goes live on a
// stage, hands over; the next DJ's app takes the stage, the first app
// learns its session ended, and both see what was played at the event.
func TestStageSetAndHandOver(t *testing.T) {
	ctx := context.Background()
	r := relaytest.Start(t)
	org := r.RegisterDJ(t, "org@example.com", "Ola")
	ev, stages := r.CreateEvent(t, org, "Swing Weekend", "Main ballroom=swing-main")
	stage := stages[0]
	ana := r.EventDJ(t, org, ev.ID, "ana@example.com", "DJ Ana")
	ben := r.EventDJ(t, org, ev.ID, "ben@example.com", "DJ Ben")

	events, err := EventsOf(ctx, r.URL, ana)
	if err != nil || len(events) != 1 || len(events[0].Stages) != 1 || events[0].Stages[0].Slug != "swing-main" {
		t.Fatalf("EventsOf: %+v, %v", events, err)
	}
	if _, err := EventsOf(ctx, r.URL, protocol.TokenPrefix+"00000000000000000000000000000000"); err == nil {
		t.Error("EventsOf with an unknown token worked")
	}

	start := func(token, name string) *harness {
		h := startClient(t, Config{RelayURL: r.URL, Token: token, SessionName: name, StageID: stage.ID}, openDB(t))
		if err := h.c.GoLive(ctx); err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := start(ana, "Ana's Friday")
	regA := waitFor[Registered](t, a.c)
	if regA.Session.LocalJoinURL != r.URL+"/s/swing-main" && regA.Session.JoinURL != r.URL+"/s/swing-main" {
		t.Errorf("join links %q / %q, want the stage's", regA.Session.JoinURL, regA.Session.LocalJoinURL)
	}
	if err := a.c.SendNowPlaying(ctx, track(1), time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor[PlayStarted](t, a.c)

	var members []protocol.EventMember
	r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/members", org, nil, &members)
	var benID string
	for _, m := range members {
		if m.DisplayName == "DJ Ben" {
			benID = m.DJID
		}
	}
	if err := a.c.HandOver(ctx, benID); err != nil {
		t.Fatal(err)
	}
	// The hand-over is stored once the relay acknowledged it.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if n, err := a.c.Pending(ctx); err == nil && n == 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("HAND_OVER not acknowledged: %d pending, %v", n, err)
		}
	}

	b := start(ben, "Ben's Friday")
	if regB := waitFor[Registered](t, b.c); regB.Session.ID == regA.Session.ID {
		t.Fatal("Ben resumed Ana's session")
	}
	waitFor[SessionEnded](t, a.c)

	plays, err := EventPlays(ctx, r.URL, ben, ev.ID)
	if err != nil || len(plays) != 1 || plays[0].DJName != "DJ Ana" || plays[0].StageName != "Main ballroom" || plays[0].Track.Title != track(1).Title {
		t.Fatalf("EventPlays: %+v, %v", plays, err)
	}
}
