// Package ical writes iCalendar (RFC 5545) feeds: the stage schedules
// dancers add to their calendars. It writes only what Pika! needs
// (VCALENDAR with VEVENTs of UTC times), with the RFC's text escaping,
// CRLF line ends and lines folded at 75 octets.
package ical

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
}

// Calendar is a VCALENDAR.
type Calendar struct {
	ProdID string // "-//Pika!//Stage schedule//EN"
	Name   string // X-WR-CALNAME, the name calendar apps show
	Events []Event
}

const stampLayout = "20060102T150405Z"

// Encode writes the calendar; stamp is every event's DTSTAMP (when the
// feed was made).
func (c Calendar) Encode(stamp time.Time) []byte {
	var b bytes.Buffer
	line := func(name, value string) { fold(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", Text(c.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", Text(c.Name))
	}
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", Text(e.UID))
		line("DTSTAMP", stamp.UTC().Format(stampLayout))
		line("DTSTART", e.Start.UTC().Format(stampLayout))
		line("DTEND", e.End.UTC().Format(stampLayout))
		line("SUMMARY", Text(e.Summary))
		if e.Location != "" {
			line("LOCATION", Text(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION", Text(e.Description))
		}
		if e.URL != "" && !strings.ContainsAny(e.URL, "\r\n\x00") {
			line("URL", e.URL)
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return b.Bytes()
}

// Text escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and
// comma get a backslash, a line break becomes \n, and other control
// characters, which TEXT may not hold, are dropped.
func Text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold writes a content line in pieces of at most 75 octets, never
// splitting a UTF-8 sequence; each continuation starts with a space.
func fold(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
