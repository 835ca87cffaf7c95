package server_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pikadj/pika/relay/internal/app"
	"github.com/pikadj/pika/relay/internal/loginguard"
	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// clientFrom is an HTTP client whose connections leave from src (127.0.0.2,
// 127.0.0.3…), so the relay sees distinct addresses over loopback.
func clientFrom(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 10 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}, Timeout: 30 * time.Second}
}

type loginAnswer struct {
	status     int
	retryAfter string
	err        string
	token      string
}

func loginFrom(t *testing.T, r *relaytest.Relay, src, email, password string) loginAnswer {
	t.Helper()
	body, _ := json.Marshal(protocol.LoginRequest{Email: email, Password: password})
	resp, err := clientFrom(src).Post(r.URL+"/api/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		protocol.AuthResponse
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return loginAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), out.Error, out.Token}
}

func startLoginRelay(t *testing.T, l loginguard.Limits) *relaytest.Relay {
	return relaytest.Start(t, relaytest.WithAuthRateLimit(1000, 1000),
		relaytest.WithConfig(func(c *app.Config) { c.Login = l }))
}

// expectThrottled: 429 with a Retry-After in seconds and the wait in words.
func expectThrottled(t *testing.T, a loginAnswer, what string) {
	t.Helper()
	if a.status != http.StatusTooManyRequests || a.token != "" {
		t.Fatalf("%s: %d %q, want 429", what, a.status, a.err)
	}
	if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 {
		t.Fatalf("%s: Retry-After %q", what, a.retryAfter)
	}
	if !strings.Contains(a.err, "too many failed sign-ins") || !strings.Contains(a.err, "try again in ") {
		t.Fatalf("%s: message %q", what, a.err)
	}
}

// A DJ who mistypes a few times signs in from the same address.
func TestLoginAfterAFewTypos(t *testing.T) {
	r := startLoginRelay(t, loginguard.Limits{})
	r.RegisterDJ(t, "typo@example.com", "Typo")
	for range 3 {
		if a := loginFrom(t, r, "127.0.0.2", "typo@example.com", "wrong password"); a.status != http.StatusUnauthorized {
			t.Fatalf("typo: %d %q", a.status, a.err)
		}
	}
	if a := loginFrom(t, r, "127.0.0.2", "typo@example.com", relaytest.Password); a.status != http.StatusOK || a.token == "" {
		t.Fatalf("right password after 3 typos: %d %q", a.status, a.err)
	}
}

// Guesses at one account from many addresses: past the free failures the
// account waits, the right password included (so guessing during the wait
// finds nothing), wrong tries during it are not counted, and once the wait
// is over the DJ signs in.
func TestLoginThrottledPerAccount(t *testing.T) {
	r := startLoginRelay(t, loginguard.Limits{AccountFree: 3, FirstDelay: 300 * time.Millisecond, AccountMaxDelay: 300 * time.Millisecond, AddressFree: 1000})
	r.RegisterDJ(t, "target@example.com", "Target")
	r.RegisterDJ(t, "bystander@example.com", "Bystander")
	for i := range 4 {
		src := "127.0.0." + strconv.Itoa(10+i) // a new address each time
		if a := loginFrom(t, r, src, "target@example.com", "guess "+strconv.Itoa(i)); a.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %q", i, a.status, a.err)
		}
	}
	expectThrottled(t, loginFrom(t, r, "127.0.0.20", "target@example.com", relaytest.Password), "right password during the account's wait")
	expectThrottled(t, loginFrom(t, r, "127.0.0.21", "target@example.com", "guess during wait"), "guess during the wait")
	// Another account is not affected.
	if a := loginFrom(t, r, "127.0.0.20", "bystander@example.com", relaytest.Password); a.status != http.StatusOK {
		t.Fatalf("another account: %d %q", a.status, a.err)
	}
	// The wait ends by itself (a growing delay, not a lock).
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := loginFrom(t, r, "127.0.0.20", "target@example.com", relaytest.Password)
		if a.status == http.StatusOK {
			break
		}
		if a.status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("after the wait: %d %q", a.status, a.err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// An attack from elsewhere does not keep the DJ out where they signed in
// before; an address the account never used waits.
func TestLoginTrustedAddressSkipsAccountWait(t *testing.T) {
	r := startLoginRelay(t, loginguard.Limits{AccountFree: 2, FirstDelay: time.Hour, AccountMaxDelay: time.Hour, AddressFree: 1000})
	r.RegisterDJ(t, "home@example.com", "Home")
	if a := loginFrom(t, r, "127.0.0.30", "home@example.com", relaytest.Password); a.status != http.StatusOK {
		t.Fatalf("first sign-in at home: %d %q", a.status, a.err)
	}
	for i := range 3 {
		loginFrom(t, r, "127.0.0.31", "home@example.com", "guess "+strconv.Itoa(i))
	}
	expectThrottled(t, loginFrom(t, r, "127.0.0.32", "home@example.com", relaytest.Password), "new address during the wait")
	if a := loginFrom(t, r, "127.0.0.30", "home@example.com", relaytest.Password); a.status != http.StatusOK {
		t.Fatalf("at home during the attack: %d %q", a.status, a.err)
	}
}

// One address guessing at many accounts waits for all of them, unknown
// emails counted like known ones; other addresses are not affected.
func TestLoginThrottledPerAddress(t *testing.T) {
	r := startLoginRelay(t, loginguard.Limits{AddressFree: 3, FirstDelay: time.Hour, AddressMaxDelay: time.Hour, AccountFree: 1000})
	r.RegisterDJ(t, "real@example.com", "Real")
	for i := range 4 {
		email := "nobody" + strconv.Itoa(i) + "@example.com" // no such accounts
		if a := loginFrom(t, r, "127.0.0.40", email, "guess"); a.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %q", i, a.status, a.err)
		}
	}
	expectThrottled(t, loginFrom(t, r, "127.0.0.40", "real@example.com", relaytest.Password), "the guessing address")
	if a := loginFrom(t, r, "127.0.0.41", "real@example.com", relaytest.Password); a.status != http.StatusOK {
		t.Fatalf("another address: %d %q", a.status, a.err)
	}
}

// Registering an email that has an account answers exactly as a new
// account and changes nothing on it; only its own password signs in.
func TestRegisterDoesNotRevealAccounts(t *testing.T) {
	r := startLoginRelay(t, loginguard.Limits{})
	r.RegisterDJ(t, "known@example.com", "Known")
	register := func(email, password string) (int, []byte) {
		body, _ := json.Marshal(protocol.RegisterRequest{Email: email, Password: password, DisplayName: "Stranger"})
		resp, err := clientFrom("127.0.0.50").Post(r.URL+"/api/auth/register", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}
	codeNew, bodyNew := register("fresh@example.com", "stranger password")
	codeOld, bodyOld := register("KNOWN@example.com", "stranger password")
	if codeNew != http.StatusAccepted || codeOld != codeNew || !bytes.Equal(bodyNew, bodyOld) {
		t.Fatalf("new email: %d %s; existing email: %d %s; want the same answer", codeNew, bodyNew, codeOld, bodyOld)
	}
	if a := loginFrom(t, r, "127.0.0.51", "known@example.com", "stranger password"); a.status != http.StatusUnauthorized {
		t.Fatalf("the stranger's password on the existing account: %d", a.status)
	}
	var me protocol.DJ
	a := loginFrom(t, r, "127.0.0.52", "known@example.com", relaytest.Password)
	if a.status != http.StatusOK {
		t.Fatalf("owner's password: %d %q", a.status, a.err)
	}
	if code := r.DoJSON(t, http.MethodGet, "/api/auth/me", a.token, nil, &me); code != http.StatusOK || me.DisplayName != "Known" {
		t.Fatalf("the existing account changed: %d %+v", code, me)
	}
	if a := loginFrom(t, r, "127.0.0.51", "fresh@example.com", "stranger password"); a.status != http.StatusOK {
		t.Fatalf("the new account: %d %q", a.status, a.err)
	}
}
