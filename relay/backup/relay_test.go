package backup

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// likeRecord is a like the relay acknowledged: once the ACK arrives, the
// relay promises the like is stored.
type likeRecord struct{ playID, clientID string }

// The test, end to end: dancers like tracks on a real relay over
// WebSockets while a backup is taken; the backup is restored in place of
// the relay's database, and every like acknowledged before the backup
// started is there after the relay restarts on it.
func TestBackupOfARunningRelayKeepsEveryAcknowledgedLike(t *testing.T) {
	ctx := context.Background()
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "backup@example.com", "DJ Backup")
	dj, reg := r.StartSession(t, token, "Backup night", "")

	var (
		mu    sync.Mutex
		acked []likeRecord
		fails []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		fails = append(fails, fmt.Sprintf(format, args...))
		mu.Unlock()
	}

	// Dancers like every track they hear announced, each waiting for the
	// ACK before the next like (as the dancer page does).
	const dancers = 40
	var wg sync.WaitGroup
	conns := make([]*websocket.Conn, dancers)
	for i := range conns {
		ws, _, err := websocket.DefaultDialer.Dial(r.WSURL, http.Header{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		conns[i] = ws
		client := "backup-dancer-" + strconv.Itoa(i)
		sub := protocol.Encode(protocol.TypeSubscribe, "sub", protocol.Subscribe{SessionID: reg.SessionID, ClientID: client})
		if err := ws.WriteMessage(websocket.TextMessage, sub); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			issued := client // the relay replaces it with an id it signs
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return // closed at the end of the test
				}
				env, p, err := protocol.DecodeServer(data)
				if err != nil {
					fail("dancer %s: %v", client, err)
					return
				}
				switch v := p.(type) {
				case *protocol.SessionState:
					if v.ClientID != "" {
						issued = v.ClientID
					}
				case *protocol.Play:
					n++
					id := "like-" + v.PlayID
					frame := protocol.Encode(protocol.TypeLike, id, protocol.Like{PlayID: v.PlayID})
					if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
						return
					}
				case *protocol.Ack:
					if play, ok := bytes.CutPrefix([]byte(env.ID), []byte("like-")); ok {
						mu.Lock()
						acked = append(acked, likeRecord{string(play), issued})
						mu.Unlock()
					}
				case *protocol.Error:
					fail("dancer %s: relay refused %s: %s", client, env.ID, v)
				}
			}
		}()
	}
	// Every dancer has its SESSION_STATE before the first play.
	waitUntil(t, "every dancer subscribed", func() bool {
		var st protocol.SessionState
		code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/state", "", nil, &st)
		return code == http.StatusOK && st.Listeners == dancers
	})

	countAcked := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	// The DJ plays a new track once half the dancers have liked the last
	// one (and no faster than the relay's per-connection rate limit
	// allows), so likes keep coming until the test says stop.
	stopPlaying := make(chan struct{})
	playing := make(chan struct{})
	plays := 0
	play := func() {
		plays++
		dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Backup Band", Title: "Track " + strconv.Itoa(plays)}})
	}
	play()
	go func() {
		defer close(playing)
		for {
			select {
			case <-stopPlaying:
				return
			case <-time.After(150 * time.Millisecond):
			}
			if countAcked() >= (plays-1)*dancers+dancers/2 {
				frame := protocol.Encode(protocol.TypeNowPlaying, "np"+strconv.Itoa(plays+1),
					protocol.NowPlaying{Track: protocol.Track{Artist: "Backup Band", Title: "Track " + strconv.Itoa(plays+1)}})
				if err := dj.Conn.WriteMessage(websocket.TextMessage, frame); err != nil {
					fail("DJ: %v", err)
					return
				}
				plays++
			}
		}
	}()

	waitUntil(t, "some likes acknowledged", func() bool { return countAcked() >= 3*dancers })
	mu.Lock()
	before := append([]likeRecord(nil), acked...)
	mu.Unlock()
	res, err := Create(ctx, r.DBPath, filepath.Join(t.TempDir(), "backups"), DefaultKeep, time.Now())
	if err != nil {
		t.Fatalf("backup of the running relay: %v", err)
	}
	afterBackup := countAcked()
	waitUntil(t, "likes acknowledged after the backup", func() bool { return countAcked() >= afterBackup+2*dancers })
	close(stopPlaying)
	<-playing

	r.Stop()
	wg.Wait()
	mu.Lock()
	if len(fails) > 0 {
		t.Fatalf("during the load: %v", fails)
	}
	total := len(acked)
	mu.Unlock()

	rres, err := Restore(ctx, res.Path, r.DBPath, time.Now())
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if rres.Saved == "" {
		t.Error("restore did not keep the replaced database")
	}
	r.Restart(t)

	var recap protocol.Recap
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/recap", "", nil, &recap); code != http.StatusOK {
		t.Fatalf("recap after restore: HTTP %d", code)
	}
	inRecap := map[string]int{}
	for _, p := range recap.Plays {
		inRecap[p.PlayID] = p.Likes
	}
	stored := map[string]map[string]bool{}
	for _, l := range before {
		if stored[l.playID] == nil {
			stored[l.playID] = likesIn(t, r.DBPath, l.playID)
		}
		if !stored[l.playID][l.clientID] {
			t.Errorf("like of %s by %s was acknowledged before the backup but is not in it", l.playID, l.clientID)
		}
	}
	wantPerPlay := map[string]int{}
	for _, l := range before {
		wantPerPlay[l.playID]++
	}
	for play, n := range wantPerPlay {
		if inRecap[play] < n {
			t.Errorf("recap after restore: play %s has %d likes, %d were acknowledged before the backup", play, inRecap[play], n)
		}
	}
	if recap.TotalLikes >= total {
		t.Errorf("restored relay has %d likes, as many as ever acknowledged (%d): the backup was not taken under load", recap.TotalLikes, total)
	}
	t.Logf("%d likes acknowledged before the backup, %d in the restored relay, %d acknowledged in all, %d plays", len(before), recap.TotalLikes, total, plays)
}

// waitUntil polls cond: a hang guard, not a timing assertion.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
