package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestSlowSessionLoadBlocksOnlyItself: after a restart, loading a session
// whose poll expired meanwhile needs a write (closing the poll); while
// another process holds the write lock that load waits. A dancer of
// another session must still be answered meanwhile, and the first dancer
// gets its state once the lock goes.
func TestSlowSessionLoadBlocksOnlyItself(t *testing.T) {
	r := relaytest.Start(t)
	slow := startLive(t, r, "")
	dur := 60
	slow.dj.MustOK(t, protocol.TypeStartPoll, protocol.StartPoll{Question: "Next?", Options: []string{"Lindy", "Balboa"}, DurationS: &dur})
	otherToken := r.RegisterDJ(t, "dj-other-load@example.com", "DJ Other")
	_, other := r.StartSession(t, otherToken, "Other night", "2468")
	r.Stop()
	ctx := context.Background()
	lock := openDB(t, r.DBPath)
	// The poll ran out while the relay was down.
	if _, err := lock.ExecContext(ctx, `UPDATE polls SET ends_at = created_at + 1`); err != nil {
		t.Fatal(err)
	}
	r.Restart(t)
	if _, err := lock.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	defer func() {
		if locked {
			lock.ExecContext(ctx, "ROLLBACK")
		}
	}()
	a := r.Dial(t, nil)
	a.Send(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: slow.reg.SessionID, ClientID: "client-slow-load"})
	// Give the first load time to reach the lock (ordering only; nothing
	// below depends on how long anything takes).
	time.Sleep(500 * time.Millisecond)
	b := r.Dial(t, nil)
	expectError(t, b.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: other.SessionID, ClientID: "client-other-load", PIN: "0000"}), protocol.CodeForbidden)
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	locked = false
	if f := a.Next(t); f.Type != protocol.TypeSessionState {
		t.Fatalf("the slow session's dancer got %s, want its SESSION_STATE", f.Raw)
	}
	var st protocol.SessionState
	r.DoJSON(t, http.MethodGet, "/api/sessions/"+slow.reg.SessionID+"/state", "", nil, &st)
	if st.ActivePoll == nil || !st.ActivePoll.Closed {
		t.Fatalf("the expired poll is not closed: %+v", st.ActivePoll)
	}
}
