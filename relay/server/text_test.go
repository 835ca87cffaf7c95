package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestTextCannotSpoof: the real relay refuses invisible and control
// characters in every text people read, over WebSocket and REST, naming
// the field and the character, and keeps emoji and announcement newlines.
func TestTextCannotSpoof(t *testing.T) {
	r := relaytest.Start(t)
	tok := r.RegisterDJ(t, "text@example.com", "DJ 👩‍💻")
	dj, _ := r.StartSession(t, tok, "Friday 🎉", "")

	frames := []struct {
		name    string
		typ     protocol.Type
		payload any
		want    string // "" accepted
	}{
		{"title with RLO", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "A", Title: "evil\u202Egnp"}}, "title contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"},
		{"artist with ZWSP", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Pi\u200Bka", Title: "x"}}, "artist contains an invisible character (U+200B ZERO WIDTH SPACE)"},
		{"title with C1", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Title: "a\u009Bb"}}, "title contains a control character (U+009B)"},
		{"emoji title", protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Band 🏳️‍🌈", Title: "Song 👨‍👩‍👧"}}, ""},
		{"poll question isolate", protocol.TypeStartPoll, protocol.StartPoll{Question: "Next\u2067?", Options: []string{"a", "b"}}, "question contains an invisible character (U+2067 RIGHT-TO-LEFT ISOLATE)"},
		{"poll option BOM", protocol.TypeStartPoll, protocol.StartPoll{Question: "Next?", Options: []string{"a", "\uFEFFb"}}, "option 2 contains an invisible character (U+FEFF"},
		{"announcement LRO", protocol.TypeAnnounce, protocol.Announce{Text: "Break \u202D now"}, "text contains an invisible character (U+202D LEFT-TO-RIGHT OVERRIDE)"},
		{"announcement with newline", protocol.TypeAnnounce, protocol.Announce{Text: "Break now\nback at 10 🕙"}, ""},
	}
	for _, f := range frames {
		t.Run(f.name, func(t *testing.T) {
			got := dj.Request(t, f.typ, f.payload)
			e := got.Err()
			if f.want == "" {
				if e != nil {
					t.Fatalf("refused: %s", e.Message)
				}
				return
			}
			if e == nil || e.Code != protocol.CodeBadRequest || !strings.Contains(e.Message, f.want) {
				t.Fatalf("got %s %s, want bad_request containing %q", got.Type, got.Raw, f.want)
			}
		})
	}

	// A session name and a DJ's display name, over WebSocket and REST.
	c := r.Dial(t, nil)
	e := c.Request(t, protocol.TypeRegisterSession, protocol.RegisterSession{Token: tok, Name: "Fri\u200Fday"}).Err()
	if e == nil || !strings.Contains(e.Message, "name contains an invisible character (U+200F RIGHT-TO-LEFT MARK)") {
		t.Fatalf("session name with RLM: %+v", e)
	}
	rest := []struct {
		name, path string
		token      string
		body       any
		want       string
	}{
		{"display name", "/api/auth/register", "", protocol.RegisterRequest{Email: "rlo@example.com", Password: relaytest.Password, DisplayName: "adm\u202Enimi"}, "displayName contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"},
		{"display name newline", "/api/auth/register", "", protocol.RegisterRequest{Email: "nl@example.com", Password: relaytest.Password, DisplayName: "two\nlines"}, "displayName cannot contain a line break"},
		{"token name", "/api/auth/tokens", tok, protocol.CreateTokenRequest{Name: "lap\u2066top"}, "name contains an invisible character (U+2066 LEFT-TO-RIGHT ISOLATE)"},
	}
	for _, tc := range rest {
		var apiErr protocol.APIError
		if code := r.DoJSON(t, http.MethodPost, tc.path, tc.token, tc.body, &apiErr); code != http.StatusBadRequest || apiErr.Error != tc.want {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, code, apiErr.Error, tc.want)
		}
	}
}
