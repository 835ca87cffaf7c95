package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/internal/ical"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestStageCalendar: a stage's schedule as an RFC 5545 feed that a strict
// reader accepts line by line, with hostile DJ names escaped.
func TestStageCalendar(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithPublicURL("https://pika.example"))
	org, ev, st := eventWithStage(t, r)
	start := time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)
	names := []string{
		`DJ "Ana", the; \best`,
		strings.Repeat("Ż", auth.MaxNameLen), // long, multibyte: folded mid-name
		"DJ Ben",
	}
	var req protocol.ScheduleRequest
	for i, n := range names {
		req.Slots = append(req.Slots, protocol.ScheduleSlot{DJName: n, StartsAt: start.Add(time.Duration(i) * time.Hour), EndsAt: start.Add(time.Duration(i+1) * time.Hour)})
	}
	if got := r.DoJSON(t, http.MethodPut, "/api/events/"+ev.ID+"/stages/"+st.ID+"/schedule", org, req, nil); got != http.StatusOK {
		t.Fatalf("schedule: %d", got)
	}
	status, h, body := fetch(t, r, "/api/stages/"+st.Slug+"/schedule.ics", "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", status, h.Get("Content-Type"))
	}
	cal, err := ical.Parse(body)
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	if v := cal.Get("VERSION"); len(v) != 1 || v[0] != "2.0" || len(cal.Get("PRODID")) != 1 {
		t.Fatalf("VCALENDAR without VERSION 2.0 or PRODID: %+v", cal.Props)
	}
	if len(cal.Subs) != len(names) {
		t.Fatalf("%d events, want %d", len(cal.Subs), len(names))
	}
	uids := map[string]bool{}
	for i, e := range cal.Subs {
		one := func(prop string) string {
			v := e.Get(prop)
			if len(v) != 1 {
				t.Fatalf("event %d: %d %s, want 1", i, len(v), prop)
			}
			return v[0]
		}
		text := func(prop string) string {
			s, err := ical.Unescape(one(prop))
			if err != nil {
				t.Fatalf("event %d %s: %v", i, prop, err)
			}
			return s
		}
		if e.Name != "VEVENT" {
			t.Fatalf("event %d is a %s", i, e.Name)
		}
		uid := one("UID")
		if uids[uid] || !strings.HasSuffix(uid, "@pika.example") {
			t.Errorf("event %d: UID %q repeated or not on the relay's host", i, uid)
		}
		uids[uid] = true
		if _, err := time.Parse("20060102T150405Z", one("DTSTAMP")); err != nil {
			t.Errorf("event %d: DTSTAMP: %v", i, err)
		}
		s0, s1 := req.Slots[i].StartsAt.Format("20060102T150405Z"), req.Slots[i].EndsAt.Format("20060102T150405Z")
		if one("DTSTART") != s0 || one("DTEND") != s1 {
			t.Errorf("event %d: %s–%s, want %s–%s", i, one("DTSTART"), one("DTEND"), s0, s1)
		}
		if got, want := text("SUMMARY"), names[i]+" · Sala główna"; got != want {
			t.Errorf("event %d: SUMMARY %q, want %q", i, got, want)
		}
		if got, want := text("LOCATION"), "Sala główna, "+weekend.Name; got != want {
			t.Errorf("event %d: LOCATION %q, want %q", i, got, want)
		}
	}
	if status, _, _ := fetch(t, r, "/api/stages/no-such-stage/schedule.ics", ""); status != http.StatusNotFound {
		t.Errorf("unknown stage: %d", status)
	}
}
