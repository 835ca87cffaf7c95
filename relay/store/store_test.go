package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

func open(t testing.TB, path string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{URL: "file:" + path})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return s
}

func TestMigrationsApplyOnceAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pika.db")
	s := open(t, path)
	v, err := s.SchemaVersion(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if _, _, err := s.CreateDJ(context.Background(), "a@example.com", "hash", "A", "t", "h1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path) // migrating again must be a no-op that keeps the data
	defer s.Close()
	if v2, _ := s.SchemaVersion(context.Background()); v2 != v {
		t.Fatalf("version %d after reopen, was %d", v2, v)
	}
	if _, err := s.DJByEmail(context.Background(), "a@example.com"); err != nil {
		t.Fatalf("DJ lost on reopen: %v", err)
	}
}

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"", false},
		{"postgres://x", false},
		{"file:" + filepath.Join(dir, "a.db"), true},
		{filepath.Join(dir, "bare.db"), true},
	} {
		s, err := store.Open(context.Background(), store.Options{URL: tc.url})
		if (err == nil) != tc.ok {
			t.Errorf("Open(%q): %v, want ok=%v", tc.url, err, tc.ok)
		}
		if s != nil {
			s.Close()
		}
	}
}

func TestUniqueConstraints(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	defer s.Close()
	if _, _, err := s.CreateDJ(ctx, "a@example.com", "hash", "A", "t", "h1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		email, token string
		want         error
	}{
		{"same email", "a@example.com", "h2", store.ErrEmailTaken},
		{"same token hash", "b@example.com", "h1", nil}, // refused, but not as an email clash
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.CreateDJ(ctx, tc.email, "hash", "X", "t", tc.token)
			if err == nil {
				t.Fatal("duplicate accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	// The failed registration left nothing behind (its savepoint rolled back).
	if _, err := s.DJByEmail(ctx, "b@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("half-created DJ: %v", err)
	}
}

// TestGroupCommitUnderConcurrency sends many likes at once: each is
// committed exactly once, and a failing write in the same batch does not
// take the others down.
func TestGroupCommitUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pika.db")
	s := open(t, path)
	dj, _, err := s.CreateDJ(ctx, "a@example.com", "hash", "A", "t", "h1")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.CreateSession(ctx, dj.ID, "A", "Night", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	play, err := s.RecordPlay(ctx, sess.ID, protocol.Track{Artist: "A", Title: "B"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const clients = 300
	var wg sync.WaitGroup
	errs := make(chan error, 2*clients)
	for i := 0; i < clients; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := s.Like(ctx, sess.ID, play.Play.PlayID, fmt.Sprintf("client-%04d", i))
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := s.Like(ctx, sess.ID, "no-such-play", fmt.Sprintf("client-%04d", i))
			if !errors.Is(err, store.ErrNotFound) {
				errs <- fmt.Errorf("like of a missing play: %v", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	likes, _, err := s.Counts(ctx, play.Play.PlayID)
	if err != nil || likes != clients {
		t.Fatalf("%d likes counted, want %d (%v)", likes, clients, err)
	}
	// Every acknowledged like is on disk.
	s.Close()
	s = open(t, path)
	defer s.Close()
	tot, err := s.SessionTotals(ctx, sess.ID)
	if err != nil || tot.Likes != clients {
		t.Fatalf("after reopen %d likes (%v)", tot.Likes, err)
	}
}

func TestPurgeTokens(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	defer s.Close()
	dj, _, err := s.CreateDJ(ctx, "a@example.com", "hash", "A", "first", "h1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateToken(ctx, dj.ID, "second", "h2"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, "h2"); err != nil { // used now
		t.Fatal(err)
	}
	// Purging "everything idle since one second from now" takes both;
	// since an hour ago, none.
	if n, err := s.PurgeTokens(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("purged %d (%v), want 0", n, err)
	}
	if n, err := s.PurgeTokens(ctx, time.Now().Add(time.Second)); err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want 2", n, err)
	}
	if _, _, err := s.Authenticate(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("purged token still authenticates: %v", err)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	s.Close()
	if _, _, err := s.CreateDJ(context.Background(), "a@example.com", "hash", "A", "t", "h1"); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// TestOrphanEndsAtLastActivity: a session left live by a crash ends, when
// nobody resumes it, at its DJ's last recorded activity (or its latest
// play), not at the time the relay came back, however long it was down.
func TestOrphanEndsAtLastActivity(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	start := now.Add(-10 * time.Hour)
	tests := []struct {
		name    string
		touch   *time.Time
		wantEnd time.Time
	}{
		{"touched after the last play", ptrTime(start.Add(2 * time.Hour)), start.Add(2 * time.Hour)},
		{"never touched", nil, start.Add(30 * time.Minute)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pika.db")
			s := open(t, path)
			dj, _, err := s.CreateDJ(ctx, fmt.Sprintf("o%d@example.com", i), "hash", "O", "t", fmt.Sprintf("oh%d", i))
			if err != nil {
				t.Fatal(err)
			}
			sess, err := s.CreateSession(ctx, dj.ID, "O", "night", "", start)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordPlay(ctx, sess.ID, protocol.Track{Artist: "A", Title: "T"}, start.Add(30*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if tc.touch != nil {
				if err := s.TouchSessions(ctx, []string{sess.ID}, *tc.touch); err != nil {
					t.Fatal(err)
				}
			}
			s.Close() // the crash: nobody recorded the DJ leaving
			s = open(t, path)
			defer s.Close()
			if n, err := s.MarkOrphans(ctx, now); err != nil || n != 1 {
				t.Fatalf("MarkOrphans: %d, %v", n, err)
			}
			// The resume window runs from the restart; once it has passed
			// nobody resumed the session.
			ids, err := s.EndAbandoned(ctx, now.Add(time.Second))
			if err != nil || len(ids) != 1 {
				t.Fatalf("EndAbandoned: %v, %v", ids, err)
			}
			got, err := s.Session(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.EndedAt == nil || !got.EndedAt.Equal(tc.wantEnd) {
				t.Fatalf("ended at %v, want %v", got.EndedAt, tc.wantEnd)
			}
			plays, err := s.Plays(ctx, sess.ID)
			if err != nil || len(plays) != 1 || plays[0].EndedAt == nil || !plays[0].EndedAt.Equal(tc.wantEnd) {
				t.Fatalf("last play %+v, %v: want it ended at %v", plays, err, tc.wantEnd)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// TestSnapshotReadsAgree: reads inside a Snapshot see one moment, though a
// like commits between them.
func TestSnapshotReadsAgree(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "pika.db"))
	defer s.Close()
	dj, _, err := s.CreateDJ(ctx, "snap@example.com", "hash", "S", "t", "sh")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.CreateSession(ctx, dj.ID, "S", "night", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	play, err := s.RecordPlay(ctx, sess.ID, protocol.Track{Artist: "A", Title: "T"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Snapshot(ctx, func(snap *store.Store) error {
		plays, err := snap.Plays(ctx, sess.ID)
		if err != nil {
			return err
		}
		if _, err := s.Like(ctx, sess.ID, play.Play.PlayID, "client-snap"); err != nil {
			return err
		}
		tot, err := snap.SessionTotals(ctx, sess.ID)
		if err != nil {
			return err
		}
		if plays[0].Likes != tot.Likes {
			t.Errorf("inside one snapshot the play has %d likes, the total is %d", plays[0].Likes, tot.Likes)
		}
		if _, err := snap.Like(ctx, sess.ID, play.Play.PlayID, "client-snap2"); !errors.Is(err, store.ErrClosed) {
			t.Errorf("a write through the snapshot: %v, want ErrClosed", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tot, _ := s.SessionTotals(ctx, sess.ID); tot.Likes != 1 {
		t.Fatalf("after the snapshot: %d likes, want 1", tot.Likes)
	}
}
