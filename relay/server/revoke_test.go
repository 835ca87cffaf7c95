package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// tokenID returns the id of the token the request is made with.
func tokenID(t *testing.T, r *relaytest.Relay, tok string) string {
	t.Helper()
	var list []protocol.TokenInfo
	if code := r.DoJSON(t, http.MethodGet, "/api/auth/tokens", tok, nil, &list); code != http.StatusOK {
		t.Fatalf("list tokens: %d", code)
	}
	for _, ti := range list {
		if ti.Current {
			return ti.ID
		}
	}
	t.Fatal("no current token in the list")
	return ""
}

func newToken(t *testing.T, r *relaytest.Relay, tok, name string) string {
	t.Helper()
	var ct protocol.CreatedToken
	if code := r.DoJSON(t, http.MethodPost, "/api/auth/tokens", tok, protocol.CreateTokenRequest{Name: name}, &ct); code != http.StatusCreated {
		t.Fatalf("create token: %d", code)
	}
	return ct.Token
}

// expectRevoked: the connection gets the ERROR naming the revocation, then
// close code 4003.
func expectRevoked(t *testing.T, c *relaytest.Client) {
	t.Helper()
	f := c.Expect(t, protocol.TypeError)
	if e := f.Err(); e.Code != protocol.CodeUnauthorized || e.Message != protocol.MsgTokenRevoked {
		t.Fatalf("got %s, want unauthorized %q", f.Raw, protocol.MsgTokenRevoked)
	}
	var ce *websocket.CloseError
	if err := c.WaitClosed(t); !errors.As(err, &ce) || ce.Code != protocol.CloseTokenRevoked {
		t.Fatalf("closed with %v, want close code %d", err, protocol.CloseTokenRevoked)
	}
}

// TestRevokingATokenClosesItsDJConnection: DELETE /api/auth/tokens/:id (what
// the DJ page's Revoke button sends) closes the DJ connection registered
// with that token, tells it why, and leaves the others alone; the session
// can then be resumed only with a valid token of the same DJ.
func TestRevokingATokenClosesItsDJConnection(t *testing.T) {
	r := relaytest.Start(t)
	web := r.RegisterDJ(t, "revoke@example.com", "Rev")
	laptop := newToken(t, r, web, "laptop")
	spare := newToken(t, r, web, "spare")
	other := r.RegisterDJ(t, "other@example.com", "Other")

	dj, reg := r.StartSession(t, laptop, "Friday", "")
	otherDJ, _ := r.StartSession(t, other, "Elsewhere", "")
	dancer, _ := r.Join(t, reg.SessionID, "dancer-0001", "")

	// Revoking an unrelated token changes nothing for this connection.
	if code := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+tokenID(t, r, spare), web, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke spare: %d", code)
	}
	dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "still here"})

	if code := r.DoJSON(t, http.MethodDelete, "/api/auth/tokens/"+tokenID(t, r, laptop), web, nil, nil); code != http.StatusNoContent {
		t.Fatalf("revoke laptop: %d", code)
	}
	expectRevoked(t, dj)
	// The other DJ and the dancers are untouched.
	otherDJ.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "fine"})
	if e := dancer.Request(t, protocol.TypeLike, protocol.Like{PlayID: "none"}).Err(); e == nil || e.Code != protocol.CodeNotFound {
		t.Fatalf("dancer after the revoke: %+v, want its like answered (not_found)", e)
	}

	resume := func(tok string) relaytest.Frame {
		c := r.Dial(t, nil)
		return c.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: tok, Name: "Friday", ResumeSessionID: reg.SessionID})
	}
	if e := resume(laptop).Err(); e == nil || e.Code != protocol.CodeUnauthorized {
		t.Fatalf("resume with the revoked token: %+v, want unauthorized", e)
	}
	if e := resume(other).Err(); e == nil || e.Code != protocol.CodeForbidden {
		t.Fatalf("resume with another DJ's token: %+v, want forbidden", e)
	}
	f := resume(web)
	if p, ok := f.Payload.(*protocol.SessionRegistered); !ok || !p.Resumed || p.SessionID != reg.SessionID {
		t.Fatalf("resume with a valid token of the same DJ: %s", f.Raw)
	}
}

// TestPurgedTokenClosesItsConnection: a token that disappears without the
// revoke call (the 90-day purge, another process) is found by the
// periodic re-check.
func TestPurgedTokenClosesItsConnection(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.TokenCheckInterval = 100 * time.Millisecond }))
	tok := r.RegisterDJ(t, "purged@example.com", "P")
	id := tokenID(t, r, tok)
	dj, _ := r.StartSession(t, tok, "Night", "")
	db := openDB(t, r.DBPath)
	if _, err := db.ExecContext(context.Background(), "DELETE FROM tokens WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	expectRevoked(t, dj)
}
