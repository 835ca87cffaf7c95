package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// SESSION_STATE and /state carry the newest plays only; /plays pages
// through the rest, newest first, each play once.
func TestHistoryBoundedAndPaged(t *testing.T) {
	const limit, plays = 5, 12
	r := relaytest.Start(t, relaytest.WithConfig(func(c *app.Config) { c.HistoryLimit = limit }))
	token := r.RegisterDJ(t, "dj-history@example.com", "DJ History")
	dj, reg := r.StartSession(t, token, "Long night", "")
	var want []string // newest first
	for i := range plays {
		f := dj.MustOK(t, protocol.TypeNowPlaying, protocol.NowPlaying{Track: protocol.Track{Artist: "Artist", Title: fmt.Sprintf("Song %02d", i)}})
		_ = f
		np := dj.Expect(t, protocol.TypeNowPlaying).Payload.(*protocol.Play)
		want = append([]string{np.PlayID}, want...)
	}
	_, st := r.Join(t, reg.SessionID, "client-history-1", "")
	var rest protocol.SessionState
	if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/state", "", nil, &rest); code != http.StatusOK {
		t.Fatalf("/state: %d", code)
	}
	for name, s := range map[string]protocol.SessionState{"SESSION_STATE": st, "/state": rest} {
		if len(s.History) != limit || !s.MoreHistory {
			t.Fatalf("%s: %d plays, moreHistory %v; want %d and true", name, len(s.History), s.MoreHistory, limit)
		}
		for i, h := range s.History {
			if h.PlayID != want[i] {
				t.Fatalf("%s: play %d is %s, want %s", name, i, h.PlayID, want[i])
			}
		}
	}
	got := playIDs(st.History)
	before, more := got[len(got)-1], true
	for more {
		var page protocol.PlaysPage
		if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/plays?limit=4&before="+before, "", nil, &page); code != http.StatusOK {
			t.Fatalf("/plays before %s: %d", before, code)
		}
		if len(page.Plays) == 0 {
			t.Fatal("empty page with more")
		}
		got = append(got, playIDs(page.Plays)...)
		before, more = got[len(got)-1], page.More
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged history %v, want %v", got, want)
	}

	tests := []struct {
		name  string
		query string
		code  int
	}{
		{"no cursor is the newest", "?limit=3", http.StatusOK},
		{"unknown play", "?before=0000000000000000", http.StatusNotFound},
		{"bad cursor", "?before=../x", http.StatusBadRequest},
		{"limit zero", "?limit=0", http.StatusBadRequest},
		{"limit too big", "?limit=201", http.StatusBadRequest},
		{"limit not a number", "?limit=ten", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e protocol.APIError
			if code := r.DoJSON(t, http.MethodGet, "/api/sessions/"+reg.SessionID+"/plays"+tt.query, "", nil, &e); code != tt.code {
				t.Fatalf("%s: %d %q, want %d", tt.query, code, e.Error, tt.code)
			}
			if tt.code != http.StatusOK && e.Error == "" {
				t.Fatal("error without a message")
			}
		})
	}
}

func TestPlaysOfProtectedSessionNeedThePIN(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "4321")
	path := "/api/sessions/" + l.reg.SessionID + "/plays"
	if code := r.DoJSON(t, http.MethodGet, path, "", nil, nil); code != http.StatusForbidden {
		t.Fatalf("without the PIN: %d, want 403", code)
	}
	req, _ := http.NewRequest(http.MethodGet, r.URL+path, nil)
	req.Header.Set("X-Session-Pin", "4321")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the PIN: %d", resp.StatusCode)
	}
}

func playIDs(h []protocol.HistoryEntry) []string {
	out := make([]string, len(h))
	for i, e := range h {
		out[i] = e.PlayID
	}
	return out
}
