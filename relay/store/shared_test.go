package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// TestStoresShareOneFile: several relays on one database file (each its
// own Store, as each relay process has) write at the same time; every
// write succeeds, none is lost or counted twice. A Store takes the write
// lock before reading, or a read-then-write batch fails at once with
// "database is locked" when another Store committed in between.
func TestStoresShareOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pika.db")
	first := open(t, path)
	defer first.Close()
	dj, _, err := first.CreateDJ(ctx, "a@example.com", "hash", "A", "t", "h1")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := first.CreateSession(ctx, dj.ID, "A", "Night", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	play, err := first.RecordPlay(ctx, sess.ID, protocol.Track{Artist: "A", Title: "B"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stores := []*store.Store{first, open(t, path), open(t, path)}
	defer stores[1].Close()
	defer stores[2].Close()
	const perStore, workers = 60, 4
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*perStore)
	for i, s := range stores {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := w; n < perStore; n += workers {
					if _, err := s.Like(ctx, sess.ID, play.Play.PlayID, fmt.Sprintf("client-%d-%04d", i, n)); err != nil {
						errs <- fmt.Errorf("store %d like %d: %w", i, n, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// The same like again through another store changes nothing.
	if changed, err := stores[2].Like(ctx, sess.ID, play.Play.PlayID, "client-0-0000"); err != nil || changed {
		t.Fatalf("repeated like: changed %v, %v", changed, err)
	}
	likes, _, err := first.Counts(ctx, play.Play.PlayID)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(stores) * perStore; likes != want {
		t.Fatalf("%d likes stored, want %d", likes, want)
	}
}
