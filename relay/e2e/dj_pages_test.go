package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// TestDJAccountPages registers, logs in, creates and revokes a token
// through the forms, as a DJ would on a phone.
func TestDJAccountPages(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	p := b.newPage(t, "dj", 390, 844)
	const email, password = "web.dj@example.com", "correct horse battery"

	step(t, "register form validates before sending")
	{
		p.open(r.URL + "/dj/register")
		p.click("#submit")
		p.waitText("#displayName-error", "Enter the name")
		p.waitText("#email-error", "Enter your email")
		p.waitText("#password-error", "Enter your password")
		p.fill("#displayName", "DJ Web")
		p.fill("#email", "not-an-email")
		p.fill("#password", "short")
		p.click("#submit")
		p.waitText("#email-error", "does not look like an email")
		p.waitText("#password-error", "at least 10 characters")
		// Nothing reached the relay: logging in with that email fails.
		if code := r.DoJSON(t, http.MethodPost, "/api/auth/login", "", protocol.LoginRequest{Email: "not-an-email", Password: "short"}, nil); code != http.StatusUnauthorized && code != http.StatusBadRequest {
			t.Errorf("login with the refused form's data: status %d", code)
		}
	}

	step(t, "register lands on the dashboard")
	{
		p.fill("#email", email)
		p.fill("#password", password)
		p.click("#submit")
		p.waitPath("/dj")
		p.waitText("#dj-name", "DJ Web")
		p.waitText("#dj-email", email)
		p.waitText("#tokens", "this browser")
		p.waitVisible("#sessions-empty")
	}

	var created string
	step(t, "create a token, shown once, that works")
	{
		p.click("#token-create")
		p.waitText("#token-error", "Give the token a name")
		p.fill("#token-name", "MacBook")
		p.click("#token-create")
		p.waitText("#new-token-value", protocol.TokenPrefix)
		created = p.text("#new-token-value")
		if len(created) != len(protocol.TokenPrefix)+32 {
			t.Fatalf("new token %q has the wrong shape", created)
		}
		var me protocol.DJ
		if code := r.DoJSON(t, http.MethodGet, "/api/auth/me", created, nil, &me); code != http.StatusOK || me.DisplayName != "DJ Web" {
			t.Fatalf("GET /api/auth/me with the new token: %d %+v", code, me)
		}
		p.waitText("#tokens", "MacBook")
		p.click("#new-token-copy")
		p.waitVisible("#toast") // copied, or selected for copying where the clipboard is closed
		p.click("#new-token-done")
		p.waitHidden("#new-token")
		p.screenshot(outputDir(t), "dj-dashboard.png", true)
		if got := p.text("#new-token-value"); got != "" {
			t.Errorf("the token stays in the page after Done: %q", got)
		}
		// A reload lists the token without its secret.
		p.open(r.URL + "/dj")
		p.waitText("#tokens", "MacBook")
		if body := eval[string](p, `document.body.innerText`); strings.Contains(body, created) {
			t.Errorf("the dashboard shows the token again after a reload")
		}
	}

	step(t, "revoke the token")
	{
		id := eval[string](p, `[...document.querySelectorAll('#tokens li')].find((li) => li.textContent.includes('MacBook')).dataset.tokenId`)
		sel := `#tokens li[data-token-id="` + id + `"] button`
		p.click(sel)
		p.waitText(sel, "Sure?")
		p.click(sel)
		p.waitJS("MacBook gone from the list", `() => !document.querySelector('#tokens').textContent.includes('MacBook')`)
		if code := r.DoJSON(t, http.MethodGet, "/api/auth/me", created, nil, nil); code != http.StatusUnauthorized {
			t.Fatalf("GET /api/auth/me with the revoked token: status %d, want 401", code)
		}
		p.waitText("#tokens", "this browser") // the dashboard's own token is untouched
	}

	step(t, "past sessions link to their recaps")
	{
		token := eval[string](p, `localStorage.getItem('pika.djToken')`)
		d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Sunday Tea Dance"})
		d.play(trackSlowBurn)
		d.request(protocol.TypeEndSession, protocol.Empty{})
		p.open(r.URL + "/dj")
		sel := `#sessions a[data-session-id="` + d.sessionID + `"]`
		p.waitText(sel, "Sunday Tea Dance")
		p.waitText(sel, "1 track")
		p.waitAttr(sel, "href", "/recap/"+d.sessionID)
	}

	step(t, "log out, wrong password, log in")
	{
		p.click("#logout")
		p.waitPath("/dj/login")
		if tok := eval[string](p, `localStorage.getItem('pika.djToken') || ''`); tok != "" {
			t.Errorf("the token stays in localStorage after logging out")
		}
		p.fill("#email", email)
		p.fill("#password", "wrong password!")
		p.click("#submit")
		p.waitText("#form-error", "not right")
		p.fill("#password", password)
		p.click("#submit")
		p.waitPath("/dj")
		p.waitText("#dj-name", "DJ Web")
	}

	step(t, "an email registers once")
	{
		other := b.newPage(t, "second visitor", 390, 844)
		other.open(r.URL + "/dj/register")
		other.fill("#displayName", "Someone Else")
		other.fill("#email", strings.ToUpper(email))
		other.fill("#password", "another long password")
		other.click("#submit")
		// The relay's answer is the same as for a new email; the page's
		// sign-in with the stranger's password is what fails.
		other.waitText("#form-error", "already had an account")
	}
}
