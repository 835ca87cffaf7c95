package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// TestInviteExpiryAndStageRules checks what the REST tests cannot reach
// in real time: an invitation past its expiry, and the refusals that must
// leave the rest of a write batch committed.
func TestInviteExpiryAndStageRules(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	defer s.Close()
	org, _, err := s.CreateDJ(ctx, "org@example.com", "x", "Org", "t", "hash-org")
	if err != nil {
		t.Fatal(err)
	}
	dj, _, err := s.CreateDJ(ctx, "dj@example.com", "x", "DJ", "t", "hash-dj")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvent(ctx, org.ID, protocol.EventRequest{Name: "E", StartsOn: "2026-12-04", EndsOn: "2026-12-05", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.CreateInvite(ctx, ev.ID, org.ID, "late", protocol.RoleDJ, "inv-hash", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"after expiry", now.Add(2 * time.Hour), store.ErrInviteExpired},
		{"in time", now, nil},
		{"again after expiry, by the same DJ", now.Add(2 * time.Hour), nil},
	}
	for _, tc := range tests {
		if _, err := s.AcceptInvite(ctx, "inv-hash", dj.ID, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if role, err := s.Role(ctx, ev.ID, dj.ID); err != nil || role != protocol.RoleDJ {
		t.Errorf("role %q, %v", role, err)
	}

	for i := range protocol.MaxStagesPerEvent {
		if _, err := s.CreateStage(ctx, ev.ID, "Room", "room-"+string(rune('a'+i))+"x"); err != nil {
			t.Fatalf("stage %d: %v", i, err)
		}
		if i == 0 {
			if _, err := s.CreateStage(ctx, ev.ID, "Dup", "room-ax"); !errors.Is(err, store.ErrSlugTaken) {
				t.Errorf("duplicate slug: %v", err)
			}
		}
	}
	if _, err := s.CreateStage(ctx, ev.ID, "One too many", "one-too-many"); !errors.Is(err, store.ErrTooManyStages) {
		t.Errorf("stage %d: %v, want ErrTooManyStages", protocol.MaxStagesPerEvent+1, err)
	}
	stages, err := s.Stages(ctx, ev.ID)
	if err != nil || len(stages) != protocol.MaxStagesPerEvent || stages[0].Position != 1 {
		t.Fatalf("stages %d %v", len(stages), err)
	}
	if err := s.RemoveMember(ctx, ev.ID, org.ID); !errors.Is(err, store.ErrLastOrganizer) {
		t.Errorf("removing the last organizer: %v", err)
	}
	if err := s.DeleteStage(ctx, ev.ID, stages[0].ID); err != nil {
		t.Errorf("deleting an unused stage: %v", err)
	}
}
