package relaytest

import (
	"net/http"
	"strings"
	"testing"
	"time"

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

// CreateEvent makes an event of the organizer org with the stages given
// (each "Name" or "Name=slug"), failing the test on any refusal. The event
// runs from today for three days in Europe/Warsaw.
func (r *Relay) CreateEvent(t testing.TB, org, name string, stages ...string) (protocol.Event, []protocol.Stage) {
	t.Helper()
	today := time.Now()
	var ev protocol.Event
	req := protocol.EventRequest{Name: name, StartsOn: today.Format(time.DateOnly), EndsOn: today.AddDate(0, 0, 2).Format(time.DateOnly), TimeZone: "Europe/Warsaw"}
	if code := r.DoJSON(t, http.MethodPost, "/api/events", org, req, &ev); code != http.StatusCreated {
		t.Fatalf("create event %s: %d", name, code)
	}
	out := make([]protocol.Stage, len(stages))
	for i, s := range stages {
		stageName, slug, _ := strings.Cut(s, "=")
		if code := r.DoJSON(t, http.MethodPost, "/api/events/"+ev.ID+"/stages", org, protocol.StageRequest{Name: stageName, Slug: slug}, &out[i]); code != http.StatusCreated {
			t.Fatalf("create stage %s: %d", stageName, code)
		}
	}
	return ev, out
}
