package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestEventAnnouncements: an organizer's announcement reaches a dancer in
// a set on one stage and a page following the other stage between sets,
// is in the state of pages that arrive later, and clearing it tells them.
func TestEventAnnouncements(t *testing.T) {
	r := relaytest.Start(t)
	org, ev, main := eventWithStage(t, r)
	var blues protocol.Stage
	r.DoJSON(t, http.MethodPost, "/api/events/"+ev.ID+"/stages", org, protocol.StageRequest{Name: "Blues room"}, &blues)
	ana := r.RegisterDJ(t, "ana@example.com", "DJ Ana")
	invite(t, r, org, ev.ID, ana, protocol.RoleDJ)
	_, f := goLiveOn(t, r, ana, "Friday", main.ID)
	reg := f.Payload.(*protocol.SessionRegistered)
	dancer, _ := r.Join(t, reg.SessionID, "ann-dancer-0001", "")
	follower := r.Dial(t, nil)
	follower.MustOK(t, protocol.TypeSubscribeStage, protocol.SubscribeStage{Slug: blues.Slug})

	base := "/api/events/" + ev.ID + "/announcements"
	dur := 600
	refusals := []struct {
		name string
		body any
		want string
	}{
		{"empty", map[string]any{"text": " "}, "text is required"},
		{"spoofed stage", map[string]any{"text": "x", "stageIds": []string{"0123456789abcdef"}}, "not this event's"},
		{"too short", map[string]any{"text": "x", "durationS": 1}, "durationS"},
	}
	for _, tc := range refusals {
		var e protocol.APIError
		if code := r.DoJSON(t, http.MethodPost, base, org, tc.body, &e); code != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, code, e.Error, tc.want)
		}
	}
	if code := r.DoJSON(t, http.MethodPost, base, ana, map[string]any{"text": "x"}, nil); code != 403 {
		t.Errorf("a DJ announcing to the event: %d, want 403", code)
	}

	var a protocol.EventAnnouncement
	body := protocol.EventAnnouncementRequest{Announce: protocol.Announce{Text: "Workshop at 14:00 in the blue room", DurationS: &dur}}
	if code := r.DoJSON(t, http.MethodPost, base, org, body, &a); code != 201 || a.EventName != ev.Name {
		t.Fatalf("announce: %d %+v", code, a)
	}
	for who, c := range map[string]*relaytest.Client{"dancer in the main set": dancer, "page following the blues room": follower} {
		got := c.Expect(t, protocol.TypeEventAnnouncement).Payload.(*protocol.EventAnnouncement)
		if got.AnnouncementID != a.AnnouncementID || got.Text != body.Text || got.ExpiresAt == nil {
			t.Errorf("%s got %+v", who, got)
		}
	}
	_, st := r.Join(t, reg.SessionID, "ann-dancer-0002", "")
	if len(st.EventAnnouncements) != 1 || st.EventAnnouncements[0].AnnouncementID != a.AnnouncementID {
		t.Errorf("a later dancer's state: %+v", st.EventAnnouncements)
	}
	var info protocol.StageInfo
	r.DoJSON(t, http.MethodGet, "/api/stages/"+blues.Slug, "", nil, &info)
	if len(info.Announcements) != 1 {
		t.Errorf("stage info announcements %+v", info.Announcements)
	}

	// One for the main stage only: the blues room does not get it.
	only := protocol.EventAnnouncementRequest{Announce: protocol.Announce{Text: "Main room: last dance"}, StageIDs: []string{main.ID}}
	r.DoJSON(t, http.MethodPost, base, org, only, nil)
	dancer.Expect(t, protocol.TypeEventAnnouncement)
	r.DoJSON(t, http.MethodGet, "/api/stages/"+blues.Slug, "", nil, &info)
	if len(info.Announcements) != 1 {
		t.Errorf("blues room shows %d announcements, want only the event-wide one", len(info.Announcements))
	}

	if code := r.DoJSON(t, http.MethodDelete, base+"/"+a.AnnouncementID, org, nil, nil); code != 204 {
		t.Fatalf("clear: %d", code)
	}
	if got := follower.Expect(t, protocol.TypeEventAnnouncementCleared).Payload.(*protocol.EventAnnouncementCleared); got.AnnouncementID != a.AnnouncementID {
		t.Errorf("cleared %+v", got)
	}
	if code := r.DoJSON(t, http.MethodDelete, base+"/"+a.AnnouncementID, org, nil, nil); code != 404 {
		t.Errorf("clear twice: %d, want 404", code)
	}
	for range protocol.MaxActiveEventAnnouncements - 1 {
		r.DoJSON(t, http.MethodPost, base, org, protocol.EventAnnouncementRequest{Announce: protocol.Announce{Text: "more"}}, nil)
	}
	var e protocol.APIError
	if code := r.DoJSON(t, http.MethodPost, base, org, protocol.EventAnnouncementRequest{Announce: protocol.Announce{Text: "one too many"}}, &e); code != 403 || !strings.Contains(e.Error, "clear one first") {
		t.Errorf("beyond the running limit: %d %q", code, e.Error)
	}
}
