package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// pinState asks GET /state with a PIN from a source address and returns
// the status, the Retry-After header and the error body.
func pinState(t *testing.T, r *relaytest.Relay, from, sessionID, pin string, header map[string]string) (int, string, protocol.APIError) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.URL+"/api/sessions/"+sessionID+"/state", nil)
	if err != nil {
		t.Fatal(err)
	}
	if pin != "" {
		req.Header.Set("X-Session-Pin", pin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := relaytest.HTTPClientFrom(from).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e protocol.APIError
	if resp.StatusCode != http.StatusOK {
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("error body %q: %v", body, err)
		}
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), e
}

// TestPINWalkFromOneAddress: walking the PIN space from one address stops
// at the address's budget; from then on the right PIN is refused too, over
// REST (429, Retry-After, pin_locked) and over WebSocket (ERROR pin_locked
// with retryAfterS), while another address is not affected.
func TestPINWalkFromOneAddress(t *testing.T) {
	r := relaytest.Start(t) // production limits
	l := startLive(t, r, "0042")
	budget := pinguard.Defaults().AddrGuesses
	locked := -1
	for i := 0; i < 100; i++ {
		pin := fmt.Sprintf("%04d", i)
		status, retry, e := pinState(t, r, "127.0.0.2", l.reg.SessionID, pin, nil)
		if status == http.StatusOK {
			t.Fatalf("the walk found the PIN %s after %d guesses", pin, i)
		}
		if status == http.StatusTooManyRequests {
			if n, err := strconv.Atoi(retry); err != nil || n < 1 || e.Code != protocol.CodePINLocked || e.RetryAfterS != n {
				t.Fatalf("guess %d: 429 with Retry-After %q, body %+v", i, retry, e)
			}
			if locked < 0 {
				locked = i
			}
			continue
		}
		if status != http.StatusForbidden || locked >= 0 {
			t.Fatalf("guess %d: status %d %+v (locked since %d)", i, status, e, locked)
		}
	}
	if locked != budget-1 {
		t.Fatalf("locked at guess %d, want at the %dth wrong PIN", locked+1, budget)
	}
	// The right PIN over WebSocket from the locked address: refused, with
	// the wait.
	c := r.MustDialFrom(t, "127.0.0.2")
	f := c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, PIN: "0042"})
	if e := f.Err(); e == nil || e.Code != protocol.CodePINLocked || e.RetryAfterS < 1 {
		t.Fatalf("right PIN from a locked address over WebSocket: %s", f.Raw)
	}
	// Another address gets in with the right PIN.
	if status, _, e := pinState(t, r, "127.0.0.3", l.reg.SessionID, "0042", nil); status != http.StatusOK {
		t.Fatalf("right PIN from another address: %d %+v", status, e)
	}
	d := r.MustDialFrom(t, "127.0.0.3")
	if f := d.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, PIN: "0042"}); f.Type != protocol.TypeSessionState {
		t.Fatalf("right PIN over WebSocket from another address: %s", f.Raw)
	}
}

// TestPINLockoutEndsAndDoubles: a lockout ends after its time, and the
// next one lasts twice as long.
func TestPINLockoutEndsAndDoubles(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithPINLimits(pinguard.Limits{AddrGuesses: 2, AddrRefill: time.Hour, Lockout: time.Second, LockoutMax: time.Hour}))
	l := startLive(t, r, "2468")
	for _, want := range []struct {
		pin    string
		status int
		retry  string
	}{
		{"0000", http.StatusForbidden, ""},
		{"0001", http.StatusTooManyRequests, "1"},
		{"2468", http.StatusTooManyRequests, "1"},
	} {
		if status, retry, e := pinState(t, r, "127.0.0.4", l.reg.SessionID, want.pin, nil); status != want.status || retry != want.retry {
			t.Fatalf("pin %s: %d Retry-After %q %+v; want %d %q", want.pin, status, retry, e, want.status, want.retry)
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if status, _, e := pinState(t, r, "127.0.0.4", l.reg.SessionID, "2468", nil); status != http.StatusOK {
		t.Fatalf("right PIN after the lockout: %d %+v", status, e)
	}
	// The budget is spent: the next wrong PIN locks again, for 2 s.
	if status, retry, _ := pinState(t, r, "127.0.0.4", l.reg.SessionID, "0002", nil); status != http.StatusTooManyRequests || retry != "2" {
		t.Fatalf("second lockout: %d Retry-After %q, want 429 2", status, retry)
	}
}

// TestPINVenueBehindOneAddress: a room of dancers behind one address, a
// good number of them mistyping once or twice, all get in with production
// limits.
func TestPINVenueBehindOneAddress(t *testing.T) {
	r := relaytest.Start(t)
	l := startLive(t, r, "2468")
	const dancers = 60
	for i := 0; i < dancers; i++ {
		c := r.MustDialFrom(t, "127.0.0.5")
		// Every fourth dancer mistypes once first, every tenth twice.
		var typos []string
		if i%4 == 0 {
			typos = append(typos, "2486")
		}
		if i%10 == 0 {
			typos = append(typos, "2469")
		}
		for _, p := range typos {
			expectError(t, c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, PIN: p}), protocol.CodeForbidden)
		}
		if f := c.Request(t, protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.reg.SessionID, PIN: "2468"}); f.Type != protocol.TypeSessionState {
			t.Fatalf("dancer %d with the right PIN: %s", i, f.Raw)
		}
		c.Close()
	}
}

// TestPINSessionBudget: many addresses together hit the session's budget;
// then new addresses wait (the right PIN too) while addresses that already
// entered do not, the DJ is told how many wrong PINs there were, and a
// new PIN from the DJ lets new dancers in at once and the old one no more.
func TestPINSessionBudget(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithPINLimits(pinguard.Limits{AddrGuesses: 100, SessionGuesses: 5, SessionDelay: time.Minute}))
	l := startLive(t, r, "2468")
	if status, _, e := pinState(t, r, "127.0.0.20", l.reg.SessionID, "2468", nil); status != http.StatusOK {
		t.Fatalf("early dancer: %d %+v", status, e)
	}
	for i := 2; i <= 6; i++ {
		if status, _, e := pinState(t, r, fmt.Sprintf("127.0.0.%d", i), l.reg.SessionID, "1111", nil); status != http.StatusForbidden {
			t.Fatalf("wrong PIN %d: %d %+v", i, status, e)
		}
	}
	// The sixth wrong PIN, from yet another address, is over the budget.
	if status, retry, e := pinState(t, r, "127.0.0.7", l.reg.SessionID, "1112", nil); status != http.StatusTooManyRequests || retry != "60" || e.Code != protocol.CodePINLocked {
		t.Fatalf("wrong PIN over the session budget: %d %q %+v", status, retry, e)
	}
	if status, _, _ := pinState(t, r, "127.0.0.8", l.reg.SessionID, "2468", nil); status != http.StatusTooManyRequests {
		t.Fatalf("new address with the right PIN during the delay: %d, want 429", status)
	}
	if status, _, e := pinState(t, r, "127.0.0.20", l.reg.SessionID, "2468", nil); status != http.StatusOK {
		t.Fatalf("an address that entered before, during the delay: %d %+v", status, e)
	}
	g := l.dj.ExpectWhere(t, protocol.TypePINGuesses, func(f relaytest.Frame) bool { return f.Payload.(*protocol.PINGuesses).Wrong == 6 })
	if pg := g.Payload.(*protocol.PINGuesses); pg.LockedUntil == nil || time.Until(*pg.LockedUntil) < 30*time.Second {
		t.Fatalf("PIN_GUESSES %+v: want the session's delay", pg)
	}
	l.dj.MustOK(t, protocol.TypeSetPIN, protocol.SetPIN{PIN: "97531"})
	if status, _, e := pinState(t, r, "127.0.0.8", l.reg.SessionID, "97531", nil); status != http.StatusOK {
		t.Fatalf("new PIN from a new address: %d %+v", status, e)
	}
	if status, _, _ := pinState(t, r, "127.0.0.9", l.reg.SessionID, "2468", nil); status != http.StatusForbidden {
		t.Fatalf("old PIN after SET_PIN: %d, want 403", status)
	}
	// A dancer in before the change stays in and keeps getting broadcasts.
	in, _ := r.Join(t, l.reg.SessionID, "in-before", "97531")
	l.dj.MustOK(t, protocol.TypeSetPIN, protocol.SetPIN{PIN: "8642"})
	l.dj.MustOK(t, protocol.TypeAnnounce, protocol.Announce{Text: "Still here"})
	in.Expect(t, protocol.TypeAnnouncement)
	// A dancer cannot change the PIN.
	expectError(t, in.Request(t, protocol.TypeSetPIN, protocol.SetPIN{PIN: "1111"}), protocol.CodeForbidden)
}

// TestPINIPv6Prefix: behind a trusted proxy, IPv6 addresses of one /64
// share a budget; another /64 has its own.
func TestPINIPv6Prefix(t *testing.T) {
	r := relaytest.Start(t, relaytest.WithTrustProxy(), relaytest.WithPINLimits(pinguard.Limits{AddrGuesses: 2, AddrRefill: time.Hour, SessionGuesses: 1000}))
	l := startLive(t, r, "2468")
	from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
	steps := []struct {
		ip, pin string
		status  int
	}{
		{"2001:db8:1:2::1", "0000", http.StatusForbidden},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "0001", http.StatusTooManyRequests}, // same /64
		{"2001:db8:1:2::ffff", "2468", http.StatusTooManyRequests},
		{"2001:db8:1:3::1", "2468", http.StatusOK}, // the next /64
	}
	for _, s := range steps {
		if status, _, e := pinState(t, r, "127.0.0.1", l.reg.SessionID, s.pin, from(s.ip)); status != s.status {
			t.Fatalf("pin %s from %s: %d %+v, want %d", s.pin, s.ip, status, e, s.status)
		}
	}
}
