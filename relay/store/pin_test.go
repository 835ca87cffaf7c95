package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
)

// TestSessionPINAndRecapChoice: the recap's default follows the PIN, a
// choice is kept, SetPinHash replaces the PIN, ReplacePinHash only while
// the old hash is still there.
func TestSessionPINAndRecapChoice(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	dj, _, err := s.CreateDJ(ctx, "pin@example.com", "hash", "P", "t", "h1")
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	tests := []struct {
		pin    string
		choice *bool
		public bool
	}{
		{"", nil, true},
		{"h2$salt$mac", nil, false},
		{"h2$salt$mac", &yes, true},
		{"", &no, false},
	}
	for _, tc := range tests {
		made, err := s.StartSession(ctx, store.NewSession{DJID: dj.ID, DJName: "P", Name: "Night", PinHash: tc.pin, At: time.Now(), RecapPublic: tc.choice})
		if err != nil {
			t.Fatal(err)
		}
		read, err := s.Session(ctx, made.ID)
		if err != nil {
			t.Fatal(err)
		}
		if made.RecapPublic != tc.public || read.RecapPublic != tc.public || read.PinHash != tc.pin {
			t.Errorf("pin %q choice %v: made %v read %v (pin %q), want public %v", tc.pin, tc.choice, made.RecapPublic, read.RecapPublic, read.PinHash, tc.public)
		}
	}
	sess, _ := s.CreateSession(ctx, dj.ID, "P", "Night", "old", time.Now())
	if err := s.SetPinHash(ctx, sess.ID, "new"); err != nil {
		t.Fatal(err)
	}
	if done, err := s.ReplacePinHash(ctx, sess.ID, "old", "rehashed"); err != nil || done {
		t.Fatalf("ReplacePinHash of a hash changed meanwhile: %v %v, want not done", done, err)
	}
	if done, err := s.ReplacePinHash(ctx, sess.ID, "new", "rehashed"); err != nil || !done {
		t.Fatalf("ReplacePinHash: %v %v", done, err)
	}
	if err := s.SetPinHash(ctx, sess.ID, ""); err != nil {
		t.Fatal(err)
	}
	if read, _ := s.Session(ctx, sess.ID); read.PinHash != "" {
		t.Fatalf("PIN after clearing: %q", read.PinHash)
	}
	if err := s.SetPinHash(ctx, "0000000000000000", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetPinHash of no session: %v, want ErrNotFound", err)
	}
}
