package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// strictCSP is the policy the pages are written for: no inline script or
// style, no eval, nothing from another origin.
const strictCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// cspProxy puts the relay behind a reverse proxy (WebSockets included) that
// adds strictCSP to every response the relay sends without a policy, so the
// pages are held to it whatever the relay's own headers are.
func cspProxy(t *testing.T, r *relaytest.Relay) string {
	t.Helper()
	target, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Header.Get("Content-Security-Policy") == "" {
			res.Header.Set("Content-Security-Policy", strictCSP)
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestPagesUnderStrictCSPShowServerTextAsText opens every page under the
// strict policy (the console check of newPage fails the test on any
// violation) with a DJ whose every text is HTML or script, which must show
// as plain text.
func TestPagesUnderStrictCSPShowServerTextAsText(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	base := cspProxy(t, r)
	token := r.RegisterDJ(t, "evil@example.com", `<img src=x onerror="window.pwned=1">DJ`)
	const (
		name     = `<b>Bold</b> Night <script>window.pwned=1</script>`
		title    = `<img src=x onerror="window.pwned=1">`
		artist   = `</span><svg onload="window.pwned=1">`
		question = `<a href="javascript:alert(1)">Blues</a>?`
		option   = `<i>Swing</i>`
		announce = `<iframe src="javascript:alert(1)"></iframe> & "quotes"`
	)
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: name})
	tr := trackSlowBurn
	tr.Title, tr.Artist = title, artist
	d.play(tr)
	d.startPoll(question, "Blues", option)
	d.request(protocol.TypeAnnounce, protocol.Announce{Text: announce})

	p := b.newPage(t, "dancer", 390, 844)
	injected := `() => window.pwned ? 'script ran' :
		document.querySelectorAll('main b, main i, main a[href^="javascript"], main iframe, main script, main svg:not(.chart):not(.icon), main img:not([src^="/assets/"])').length`

	step(t, "the dancer page shows every text literally")
	p.open(base + "/live/" + d.sessionID)
	p.waitText("#now-title", title)
	p.waitText("#now-artist", artist)
	p.waitText("#session-name", name)
	p.waitText("#dj-name", `<img src=x onerror="window.pwned=1">DJ`)
	p.waitText("#poll-question", question)
	p.waitText(`#poll-options button[data-index="1"] .text`, option)
	p.waitText("#announcement-text", announce)
	p.waitText("#history", title)
	if got := eval[any](p, "("+injected+")()"); fmt.Sprint(got) != "0" {
		t.Fatalf("server text was parsed as HTML on the dancer page: %v", got)
	}

	step(t, "the recap and the lists show it literally too")
	for _, path := range []string{"/", "/recap/" + d.sessionID} { // (/live goes straight to the one live session)
		p.open(base + path)
		p.waitAttr("body", "data-loaded", "true")
		body := eval[string](p, `document.body.innerText`)
		if !strings.Contains(body, name) {
			t.Errorf("%s does not show the session name as text", path)
		}
		if got := eval[any](p, "("+injected+")()"); fmt.Sprint(got) != "0" {
			t.Fatalf("server text was parsed as HTML on %s: %v", path, got)
		}
	}

	step(t, "the DJ pages load under the policy")
	for _, path := range []string{"/dj/register", "/dj/login"} {
		p.open(base + path)
		p.waitVisible("#auth-form")
	}
	p.open(base + "/dj") // no token: back to the login page
	p.waitPath("/dj/login")
}
