package live

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// hookBroker runs a function just before a subscriber is added to a topic.
type hookBroker struct {
	*hub.Local
	before func(topic string, s hub.Subscriber)
}

func (b *hookBroker) Subscribe(sessionID string, s hub.Subscriber) func() {
	if b.before != nil {
		b.before(sessionID, s)
	}
	return b.Local.Subscribe(sessionID, s)
}

// TestJoinWhilePlayCommits: a NOW_PLAYING is broadcast before its write
// commits. A dancer whose join reads the database just after the
// broadcast and before the commit must still be shown the new track, not
// the one before it (the hook runs when the dancer's own topic is
// subscribed: after it joined the room's broadcasts, before the state is
// read).
func TestJoinWhilePlayCommits(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pika.db")
	st, err := store.Open(ctx, store.Options{URL: "file:" + path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	djRow, _, err := st.CreateDJ(ctx, "dj@pika.invalid", "not-a-real-hash", "DJ Test", "test", "tokenhash")
	if err != nil {
		t.Fatal(err)
	}
	broker := &hookBroker{Local: hub.NewLocal()}
	m := NewManager(Config{Store: st, Broker: broker, PublicURL: "https://relay.pika.invalid/"})
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	f := &fixture{st: st, m: m, dj: djRow}
	dj, reg := f.register(t, newPeer(), protocol.RegisterSession{Name: "Friday"})
	if pe := dj.NowPlaying(ctx, &protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "First"}}); pe != nil {
		t.Fatal(pe)
	}

	other, err := sql.Open("libsql", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dancer := newPeer()
	done := make(chan *protocol.Error, 1)
	broker.before = func(topic string, s hub.Subscriber) {
		if s != dancer || !strings.HasPrefix(topic, dancerTopic(reg.SessionID, "")) {
			return
		}
		// The dancer is recorded; before it subscribes, another
		// connection takes the write lock (the store's busy timeout
		// outlasts it) and the DJ's next play is broadcast but cannot
		// commit.
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Error(err)
			return
		}
		go func() {
			done <- dj.NowPlaying(ctx, &protocol.NowPlaying{Track: protocol.Track{Artist: "B", Title: "Second"}})
		}()
		deadline := time.Now().Add(waitFor)
		for {
			r := m.roomOf(reg.SessionID)
			r.mu.Lock()
			title := r.current.Track.Title
			r.mu.Unlock()
			if title == "Second" {
				return
			}
			if time.Now().After(deadline) {
				t.Error("the second play was never broadcast")
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	_, state := f.join(t, dancer, reg.SessionID, "")
	broker.before = nil
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if pe := <-done; pe != nil {
		t.Fatalf("second play: %v", pe)
	}
	if state.NowPlaying == nil || state.NowPlaying.Track.Title != "Second" {
		t.Fatalf("joined mid-commit: now playing %+v, want Second", state.NowPlaying)
	}
	if len(state.History) != 2 || state.History[0].PlayID != state.NowPlaying.PlayID || state.History[1].Track.Title != "First" {
		t.Errorf("history %+v: want Second then First", state.History)
	}
	if state.Tempo == nil || state.Tempo.PlayID != state.NowPlaying.PlayID {
		t.Errorf("tempo %+v is not the new play's", state.Tempo)
	}
	if cur, err := st.CurrentPlay(ctx, reg.SessionID); err != nil || cur == nil || cur.PlayID != state.NowPlaying.PlayID {
		t.Errorf("stored current play %+v, %v; the dancer was shown %s", cur, err, state.NowPlaying.PlayID)
	}
}
