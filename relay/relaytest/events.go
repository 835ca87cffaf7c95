package relaytest

import (
	"net/http"
	"testing"

	"github.com/pikadj/pika/shared/protocol"
)

// EventDJ registers an account that accepted an invitation to the event
// (org is an organizer's token) and returns its token.
func (r *Relay) EventDJ(t testing.TB, org, eventID, email, name string) string {
	t.Helper()
	token := r.RegisterDJ(t, email, name)
	var inv protocol.Invite
	if code := r.DoJSON(t, http.MethodPost, "/api/events/"+eventID+"/invites", org, protocol.InviteRequest{Label: name}, &inv); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("invite %s: %d", name, code)
	}
	if code := r.DoJSON(t, http.MethodPost, "/api/invites/accept", token, map[string]string{"token": inv.Token}, nil); code != http.StatusOK {
		t.Fatalf("%s accepts the invitation: %d", name, code)
	}
	return token
}
