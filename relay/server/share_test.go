package server_test

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// fetch GETs path from r with an optional PIN and returns status, headers
// and body.
func fetch(t *testing.T, r *relaytest.Relay, path, pin string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pin != "" {
		req.Header.Set("X-Session-Pin", pin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

// TestRecapCards: a set's card is a 1200×630 PNG of that set; a PIN
// set's card answers exactly like its recap; the recap pages carry the
// card in og:image with the relay's public URL, and a private recap's
// page names nothing.
func TestRecapCards(t *testing.T) {
	const public = "https://pika.example"
	r := relaytest.Start(t, relaytest.WithPublicURL(public))
	a := startLive(t, r, "")
	_, b := r.StartSession(t, a.token, "Saturday <blues> & \"more\"", "")
	priv := startLive(t, r, "2468")

	cards := map[string]string{}
	for _, id := range []string{a.reg.SessionID, b.SessionID} {
		status, h, body := fetch(t, r, "/api/sessions/"+id+"/card.png", "")
		if status != http.StatusOK || h.Get("Content-Type") != "image/png" {
			t.Fatalf("card of %s: %d %s", id, status, h.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("card of %s: %v", id, err)
		}
		if s := img.Bounds().Size(); s.X != 1200 || s.Y != 630 {
			t.Fatalf("card of %s is %v, want 1200×630", id, s)
		}
		if other, ok := cards[string(body)]; ok {
			t.Fatalf("sessions %s and %s have the same card", other, id)
		}
		cards[string(body)] = id
	}

	// Same answers as the recap, with or without the PIN, live and ended.
	check := func(when string) {
		for _, c := range []struct{ pin, token string }{{"", ""}, {"1111", ""}, {"2468", ""}, {"", priv.token}, {"", a.token}} {
			base := "/api/sessions/" + priv.reg.SessionID
			rs, rc := getAs(t, r, base+"/recap", c.pin, c.token)
			cs, cc := getAs(t, r, base+"/card.png", c.pin, c.token)
			if rs != cs || rc != cc {
				t.Errorf("%s, pin %q: recap %d %s, card %d %s", when, c.pin, rs, rc, cs, cc)
			}
		}
	}
	check("live")
	if status, h, _ := fetch(t, r, "/api/sessions/"+priv.reg.SessionID+"/card.png", "2468"); status != 200 || !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("private card with PIN: %d, Cache-Control %q", status, h.Get("Cache-Control"))
	}
	priv.dj.MustOK(t, protocol.TypeEndSession, protocol.Empty{})
	check("ended")
	if status, _, _ := fetch(t, r, "/api/sessions/nosuchsession0000/card.png", ""); status != http.StatusNotFound {
		t.Errorf("card of an unknown session: %d", status)
	}

	// The pages crawlers read.
	pages := []struct {
		path      string
		want, not []string
	}{
		{"/recap/" + a.reg.SessionID,
			[]string{`<meta property="og:image" content="` + public + `/api/sessions/` + a.reg.SessionID + `/card.png">`, `<meta property="og:title" content="Test night — DJ Test · Pika!">`, `summary_large_image`}, nil},
		{"/recap/" + b.SessionID,
			[]string{`content="Saturday &lt;blues&gt; &amp; &#34;more&#34; — DJ Test · Pika!"`}, []string{"<blues>"}},
		{"/recap/" + priv.reg.SessionID,
			[]string{`<meta property="og:image" content="` + public + `/assets/img/og.png">`, `<meta property="og:title" content="Session recap on Pika!">`}, []string{"card.png", "Test night"}},
		{"/recap/not-an-id", []string{`content="Session recap on Pika!"`}, nil},
	}
	for _, p := range pages {
		status, h, body := fetch(t, r, p.path, "")
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Content-Security-Policy") == "" {
			t.Fatalf("GET %s: %d %q, CSP %q", p.path, status, h.Get("Content-Type"), h.Get("Content-Security-Policy"))
		}
		for _, w := range p.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("GET %s: no %s in\n%s", p.path, w, grepLines(string(body), "og:"))
			}
		}
		for _, n := range p.not {
			if strings.Contains(string(body), n) {
				t.Errorf("GET %s: %s in the page", p.path, n)
			}
		}
	}
}

// TestEventCard: an event recap's card and page.
func TestEventCard(t *testing.T) {
	const public = "https://pika.example"
	r := relaytest.Start(t, relaytest.WithPublicURL(public))
	_, ev, _ := eventWithStage(t, r)
	status, _, body := fetch(t, r, "/api/events/"+ev.ID+"/card.png", "")
	if status != http.StatusOK {
		t.Fatalf("event card: %d", status)
	}
	if img, err := png.Decode(bytes.NewReader(body)); err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("event card: %v", err)
	}
	if status, _, _ := fetch(t, r, "/api/events/nosuchevent00000/card.png", ""); status != http.StatusNotFound {
		t.Errorf("card of an unknown event: %d", status)
	}
	_, _, page := fetch(t, r, "/events/"+ev.ID+"/recap", "")
	for _, w := range []string{`<meta property="og:image" content="` + public + `/api/events/` + ev.ID + `/card.png">`, `<meta property="og:title" content="Warsaw Swing Weekend · Pika!">`} {
		if !strings.Contains(string(page), w) {
			t.Errorf("event recap page: no %s in\n%s", w, grepLines(string(page), "og:"))
		}
	}
}
