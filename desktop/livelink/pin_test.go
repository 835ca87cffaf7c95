package livelink

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// stateStatus is the status of GET /state with a PIN.
func stateStatus(t *testing.T, r *relaytest.Relay, sessionID, pin string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+"/api/sessions/"+sessionID+"/state", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Session-Pin", pin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestPINGuessesAndSetPIN: wrong PINs at the relay reach the DJ's client
// as PINGuesses; SetPIN changes the PIN while live (the old one stops
// working, the new one works); the DJ's choice of a public recap is sent
// with the registration.
func TestPINGuessesAndSetPIN(t *testing.T) {
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "pin-dj@example.com", "DJ Pin")
	public := true
	h := startClient(t, Config{
		RelayURL: r.URL, Token: token, SessionName: "Guarded", PIN: "2468", PublicRecap: &public,
		Logger: slog.New(slog.DiscardHandler),
	}, openDB(t))
	if err := h.c.GoLive(context.Background()); err != nil {
		t.Fatal(err)
	}
	sess := waitFor[Registered](t, h.c).Session

	for _, pin := range []string{"1111", "1112", "1113"} {
		if st := stateStatus(t, r, sess.ID, pin); st != http.StatusForbidden {
			t.Fatalf("wrong PIN %s: %d", pin, st)
		}
	}
	for {
		g := waitFor[PINGuesses](t, h.c)
		if g.Wrong == 3 {
			break
		}
		if g.Wrong < 1 || g.Wrong > 3 {
			t.Fatalf("PINGuesses %+v", g)
		}
	}

	if err := h.c.SetPIN(context.Background(), "12"); err == nil {
		t.Fatal("SetPIN took a 2-digit PIN")
	}
	if err := h.c.SetPIN(context.Background(), "97531"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitLong)
	for stateStatus(t, r, sess.ID, "97531") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the new PIN never worked")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := stateStatus(t, r, sess.ID, "2468"); st != http.StatusForbidden {
		t.Fatalf("old PIN after SetPIN: %d, want 403", st)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := h.c.End(ctx); err != nil {
		t.Fatal(err)
	}
	var rc protocol.Recap
	if st := r.DoJSON(t, http.MethodGet, "/api/sessions/"+sess.ID+"/recap", "", nil, &rc); st != http.StatusOK || !rc.Session.PublicRecap {
		t.Fatalf("recap of a session the DJ made public: %d %+v", st, rc.Session)
	}
}
