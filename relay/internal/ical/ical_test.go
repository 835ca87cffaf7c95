package ical

import (
	"strings"
	"testing"
	"time"
)

func TestEncodeParsesBack(t *testing.T) {
	start := time.Date(2026, 12, 4, 21, 0, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct{ name, summary string }{
		{"plain", "DJ Ana · Main ballroom"},
		{"separators", `DJ "A,na"; \x · Sala`},
		{"newlines", "DJ\nAna\r\nBen\rCid"},
		{"long multibyte", strings.Repeat("Łódź ż ", 40)},
		{"controls", "DJ\x00\x1b\x7fAna\tB"},
		{"escape-like", `\n\\;`},
	}
	for _, tc := range tests {
		cal := Calendar{ProdID: "-//Pika!//Test//EN", Name: tc.summary, Events: []Event{{UID: "u1@x", Start: start, End: start.Add(time.Hour), Summary: tc.summary, Location: tc.summary}}}
		root, err := Parse(cal.Encode(start))
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, cal.Encode(start))
		}
		if len(root.Subs) != 1 || root.Subs[0].Name != "VEVENT" {
			t.Fatalf("%s: %+v", tc.name, root)
		}
		ev := root.Subs[0]
		if got := ev.Get("DTSTART"); len(got) != 1 || got[0] != "20261204T200000Z" {
			t.Errorf("%s: DTSTART %v, want the time in UTC", tc.name, got)
		}
		got, err := Unescape(ev.Get("SUMMARY")[0])
		want := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\x00", "", "\x1b", "", "\x7f", "").Replace(tc.summary)
		if err != nil || got != want {
			t.Errorf("%s: SUMMARY reads back %q (%v), want %q", tc.name, got, err, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	ok := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
	if _, err := Parse([]byte(ok)); err != nil {
		t.Fatalf("a minimal calendar: %v", err)
	}
	tests := map[string]string{
		"bare LF":       strings.ReplaceAll(ok, "\r\n", "\n"),
		"long line":     "BEGIN:VCALENDAR\r\nX-A:" + strings.Repeat("a", 80) + "\r\nEND:VCALENDAR\r\n",
		"unclosed":      "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
		"no colon":      "BEGIN:VCALENDAR\r\nVERSION\r\nEND:VCALENDAR\r\n",
		"no final CRLF": strings.TrimSuffix(ok, "\r\n"),
	}
	for name, in := range tests {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, bad := range []string{"a,b", "a;b", `a\x`, `a\`} {
		if _, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) accepted", bad)
		}
	}
}
