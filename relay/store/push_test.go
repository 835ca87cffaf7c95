package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
)

// TestEndedSessionDropsItsPushSubscriptions: a set that ended sends no
// more pushes, so its subscriptions go; a stage's stay for the next set.
func TestEndedSessionDropsItsPushSubscriptions(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	dj, _, err := s.CreateDJ(ctx, "a@example.com", "hash", "A", "t", "h1")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.StartSession(ctx, store.NewSession{DJID: dj.ID, DJName: "A", Name: "Friday", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []store.PushSubscription{
		{Endpoint: "https://push.example/a", P256dh: "k", Auth: "a", SessionID: sess.ID},
		{Endpoint: "https://push.example/b", P256dh: "k", Auth: "a", StageID: "stage-1"},
	} {
		if err := s.SavePushSubscription(ctx, sub, 10); err != nil {
			t.Fatal(err)
		}
	}
	if ended, err := s.EndSession(ctx, sess.ID, time.Now()); err != nil || !ended {
		t.Fatalf("end: %v %v", ended, err)
	}
	if subs, err := s.PushSubscriptions(ctx, sess.ID, ""); err != nil || len(subs) != 0 {
		t.Errorf("the ended set still has %d subscriptions (%v)", len(subs), err)
	}
	if subs, err := s.PushSubscriptions(ctx, "", "stage-1"); err != nil || len(subs) != 1 {
		t.Errorf("the stage has %d subscriptions (%v), want its 1", len(subs), err)
	}
}
