package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

var weekend = protocol.EventRequest{Name: "Warsaw Swing Weekend", StartsOn: "2026-12-04", EndsOn: "2026-12-06", TimeZone: "Europe/Warsaw", Accent: "#c0392b"}

// eventWithStage makes an event organised by a fresh account, with one
// stage, and returns the organizer's token, the event and the stage.
func eventWithStage(t *testing.T, r *relaytest.Relay) (string, protocol.Event, protocol.Stage) {
	t.Helper()
	org := r.RegisterDJ(t, "org@example.com", "Ola Organizer")
	var ev protocol.Event
	if got := r.DoJSON(t, http.MethodPost, "/api/events", org, weekend, &ev); got != http.StatusCreated {
		t.Fatalf("create event: %d", got)
	}
	var st protocol.Stage
	if got := r.DoJSON(t, http.MethodPost, "/api/events/"+ev.ID+"/stages", org, protocol.StageRequest{Name: "Sala główna"}, &st); got != http.StatusCreated {
		t.Fatalf("create stage: %d", got)
	}
	return org, ev, st
}

// invite creates an invitation of role and accepts it with token.
func invite(t *testing.T, r *relaytest.Relay, org, eventID, token string, role protocol.EventRole) protocol.Event {
	t.Helper()
	var inv protocol.Invite
	if got := r.DoJSON(t, http.MethodPost, "/api/events/"+eventID+"/invites", org, protocol.InviteRequest{Label: "for a friend", Role: role}, &inv); got != http.StatusCreated {
		t.Fatalf("create invite: %d", got)
	}
	if !strings.HasPrefix(inv.Token, protocol.InvitePrefix) || !strings.HasSuffix(inv.URL, "/invite#"+inv.Token) {
		t.Fatalf("invite token %q url %q", inv.Token, inv.URL)
	}
	var ev protocol.Event
	if got := r.DoJSON(t, http.MethodPost, "/api/invites/accept", token, map[string]string{"token": inv.Token}, &ev); got != http.StatusOK {
		t.Fatalf("accept invite: %d", got)
	}
	return ev
}

func TestEventLifecycle(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, st := eventWithStage(t, r)
	if ev.Role != protocol.RoleOrganizer || ev.TimeZone != "Europe/Warsaw" || ev.Accent != "#c0392b" {
		t.Fatalf("created event %+v", ev)
	}
	if !regexp.MustCompile(`^sala-glowna-[0-9a-f]{6}$`).MatchString(st.Slug) || st.URL != r.URL+"/s/"+st.Slug {
		t.Fatalf("stage slug %q url %q", st.Slug, st.URL)
	}

	// A DJ accepts an invitation: the event appears in their list, as DJ.
	dj := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	if got := invite(t, r, org, ev.ID, dj, protocol.RoleDJ); got.Role != protocol.RoleDJ || len(got.Stages) != 1 {
		t.Fatalf("accepted event %+v", got)
	}
	var mine []protocol.Event
	r.DoJSON(t, http.MethodGet, "/api/events", dj, nil, &mine)
	if len(mine) != 1 || mine[0].ID != ev.ID || mine[0].Stages[0].Slug != st.Slug || mine[0].StartsOn != weekend.StartsOn || mine[0].EndsOn != weekend.EndsOn {
		t.Fatalf("DJ's events %+v", mine)
	}
	// The DJ reads but cannot edit.
	if got := r.DoJSON(t, http.MethodPut, "/api/events/"+ev.ID, dj, weekend, nil); got != http.StatusForbidden {
		t.Errorf("DJ edits the event: %d, want 403", got)
	}
	// A stranger does not learn that the event exists.
	stranger := r.RegisterDJ(t, "eve@example.com", "Eve")
	for _, path := range []string{"/api/events/" + ev.ID, "/api/events/" + ev.ID + "/members", "/api/events/" + ev.ID + "/invites"} {
		if got := r.DoJSON(t, http.MethodGet, path, stranger, nil, nil); got != http.StatusNotFound {
			t.Errorf("stranger GET %s: %d, want 404", path, got)
		}
	}

	// The schedule: Ana now, a guest DJ next; dancers see both.
	now := time.Now().UTC().Truncate(time.Second)
	var members []protocol.EventMember
	r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/members", org, nil, &members)
	var anaID string
	for _, m := range members {
		if m.DisplayName == "DJ Ana" {
			anaID = m.DJID
		}
	}
	sched := protocol.ScheduleRequest{Slots: []protocol.ScheduleSlot{
		{DJID: anaID, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)},
		{DJName: "DJ Ben (guest)", StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour)},
	}}
	var saved protocol.ScheduleRequest
	if got := r.DoJSON(t, http.MethodPut, "/api/events/"+ev.ID+"/stages/"+st.ID+"/schedule", org, sched, &saved); got != http.StatusOK || len(saved.Slots) != 2 || saved.Slots[0].DJName != "DJ Ana" {
		t.Fatalf("schedule: %d %+v", got, saved)
	}
	var info protocol.StageInfo
	if got := r.DoJSON(t, http.MethodGet, "/api/stages/"+st.Slug, "", nil, &info); got != http.StatusOK {
		t.Fatalf("stage info: %d", got)
	}
	if info.Event.Name != weekend.Name || info.Event.Role != "" || info.Live != nil ||
		info.Now == nil || info.Now.DJName != "DJ Ana" || info.Next == nil || info.Next.DJName != "DJ Ben (guest)" ||
		len(info.Schedule) != 2 || info.Schedule[0].DJID != "" {
		t.Fatalf("stage info %+v", info)
	}

	// A co-organizer by invitation can edit; the last organizer stays.
	co := r.RegisterDJ(t, "co@example.com", "Cora")
	invite(t, r, org, ev.ID, co, protocol.RoleOrganizer)
	renamed := weekend
	renamed.Name = "Warsaw Swing Weekend 2026"
	if got := r.DoJSON(t, http.MethodPut, "/api/events/"+ev.ID, co, renamed, &ev); got != http.StatusOK || ev.Name != renamed.Name {
		t.Fatalf("co-organizer edit: %d %+v", got, ev)
	}
	r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID+"/members", org, nil, &members)
	for _, m := range members {
		if m.DisplayName == "Cora" {
			if got := r.DoJSON(t, http.MethodDelete, "/api/events/"+ev.ID+"/members/"+m.DJID, org, nil, nil); got != http.StatusNoContent {
				t.Fatalf("remove co-organizer: %d", got)
			}
		}
		if m.DisplayName == "Ola Organizer" {
			if got := r.DoJSON(t, http.MethodDelete, "/api/events/"+ev.ID+"/members/"+m.DJID, org, nil, nil); got != http.StatusConflict {
				t.Errorf("remove the last organizer: %d, want 409", got)
			}
		}
	}
}

func TestEventRefusals(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, st := eventWithStage(t, r)
	base := "/api/events/" + ev.ID
	with := func(f func(*protocol.EventRequest)) protocol.EventRequest { e := weekend; f(&e); return e }
	now := time.Now().UTC()
	tests := []struct {
		name, method, path string
		body               any
		status             int
		msg                string
	}{
		{"unknown time zone", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.TimeZone = "Mars/Olympus" }), 400, "time zone"},
		{"ends before it starts", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.EndsOn = "2026-12-01" }), 400, "before"},
		{"too long", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.EndsOn = "2027-03-01" }), 400, "at most 31 days"},
		{"not a date", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.StartsOn = "4 Dec" }), 400, "YYYY-MM-DD"},
		{"bad accent", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.Accent = "red" }), 400, "#rrggbb"},
		{"no name", http.MethodPost, "/api/events", with(func(e *protocol.EventRequest) { e.Name = "  " }), 400, "name is required"},
		{"bad slug", http.MethodPost, base + "/stages", protocol.StageRequest{Name: "Blues", Slug: "Blues Room!"}, 400, "lowercase"},
		{"taken slug", http.MethodPost, base + "/stages", protocol.StageRequest{Name: "Again", Slug: st.Slug}, 409, "already taken"},
		{"overlapping sets", http.MethodPut, base + "/stages/" + st.ID + "/schedule", protocol.ScheduleRequest{Slots: []protocol.ScheduleSlot{
			{DJName: "A", StartsAt: now, EndsAt: now.Add(2 * time.Hour)},
			{DJName: "B", StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour)}}}, 400, "overlaps"},
		{"set ends before it starts", http.MethodPut, base + "/stages/" + st.ID + "/schedule", protocol.ScheduleRequest{Slots: []protocol.ScheduleSlot{
			{DJName: "A", StartsAt: now, EndsAt: now.Add(-time.Hour)}}}, 400, "after startsAt"},
		{"set by a DJ not in the event", http.MethodPut, base + "/stages/" + st.ID + "/schedule", protocol.ScheduleRequest{Slots: []protocol.ScheduleSlot{
			{DJID: "0123456789abcdef", StartsAt: now, EndsAt: now.Add(time.Hour)}}}, 400, "not a DJ of this event"},
		{"bad invite role", http.MethodPost, base + "/invites", map[string]string{"label": "x", "role": "owner"}, 400, "role"},
		{"unknown invite", http.MethodPost, "/api/invites/accept", map[string]string{"token": protocol.InvitePrefix + "00000000000000000000000000000000"}, 404, "not valid"},
		{"no such stage page", http.MethodGet, "/api/stages/no-such-stage", nil, 404, "no such stage"},
		{"unauthenticated create", http.MethodPost, "/api/events", weekend, 401, "token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := org
			if tc.status == 401 {
				token = ""
			}
			var e protocol.APIError
			if got := r.DoJSON(t, tc.method, tc.path, token, tc.body, &e); got != tc.status || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("%d %q, want %d containing %q", got, e.Error, tc.status, tc.msg)
			}
		})
	}

	// An invitation is single-use.
	var inv protocol.Invite
	r.DoJSON(t, http.MethodPost, base+"/invites", org, protocol.InviteRequest{Label: "DJ Ben"}, &inv)
	ben := r.RegisterDJ(t, "ben@example.com", "DJ Ben")
	eve := r.RegisterDJ(t, "eve@example.com", "Eve")
	for _, tc := range []struct {
		who    string
		token  string
		status int
	}{{"Ben", ben, 200}, {"Ben again", ben, 200}, {"Eve with Ben's link", eve, 409}} {
		if got := r.DoJSON(t, http.MethodPost, "/api/invites/accept", tc.token, map[string]string{"token": inv.Token}, nil); got != tc.status {
			t.Errorf("%s accepts: %d, want %d", tc.who, got, tc.status)
		}
	}
	var list []protocol.Invite
	r.DoJSON(t, http.MethodGet, base+"/invites", org, nil, &list)
	if len(list) != 1 || list[0].AcceptedBy != "DJ Ben" || list[0].Token != "" {
		t.Errorf("invites %+v: want Ben's, accepted, without its token", list)
	}
	if got := r.DoJSON(t, http.MethodDelete, base+"/invites/"+list[0].ID, org, nil, nil); got != http.StatusNotFound {
		t.Errorf("revoking an accepted invite: %d, want 404", got)
	}
}

// TestEventLogo: an organizer uploads a real PNG, anyone fetches it, and
// what is not an image or is too large is refused with what to do.
func TestEventLogo(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, _ := eventWithStage(t, r)
	png, _ := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
	put := func(body []byte) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, r.URL+"/api/events/"+ev.ID+"/logo", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+org)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e protocol.APIError
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Error
	}
	if code, msg := put([]byte("<svg onload=alert(1)>")); code != http.StatusUnsupportedMediaType || !strings.Contains(msg, "PNG") {
		t.Errorf("SVG logo: %d %q", code, msg)
	}
	if code, msg := put(append(append([]byte{}, png...), make([]byte, protocol.MaxLogoBytes)...)); code != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "256 KB") {
		t.Errorf("huge logo: %d %q", code, msg)
	}
	if code, msg := put(png); code != http.StatusNoContent {
		t.Fatalf("PNG logo: %d %q", code, msg)
	}
	resp, err := http.Get(r.URL + "/api/events/" + ev.ID + "/logo")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, png) {
		t.Errorf("logo fetch: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
	}
	var view protocol.Event
	r.DoJSON(t, http.MethodGet, "/api/events/"+ev.ID, org, nil, &view)
	if view.LogoURL != "/api/events/"+ev.ID+"/logo" {
		t.Errorf("logoUrl %q", view.LogoURL)
	}
}
