package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func joinShort(s []string) string { return strings.Join(s, ", ") }

// revokedToken: a DJ connection registered with a token that is then
// revoked. Defended: the relay closes it within seconds and the session
// cannot be resumed with that token.
func revokedToken(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	c := httpFrom(e.freshIP())
	bearer := http.Header{"Authorization": {"Bearer " + d.token}}
	a, err := e.do(ctx, c, http.MethodPost, "/api/auth/tokens", bearer, protocol.CreateTokenRequest{Name: "laptop"})
	if err != nil {
		return false, "", err
	}
	var tok protocol.CreatedToken
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &tok) != nil {
		return false, "", fmt.Errorf("create token: %d %s", a.status, a.body)
	}
	l, err := e.startLive(ctx, dj{email: d.email, token: tok.Token}, "Revoked night", "", protocol.Track{Artist: "Duke Ellington", Title: "Take the A Train"})
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	if a, err = e.do(ctx, c, http.MethodDelete, "/api/auth/tokens/"+tok.ID, bearer, nil); err != nil || a.status != http.StatusNoContent {
		return false, "", fmt.Errorf("revoke token: %v %d", err, a.status)
	}
	revoked := time.Now()
	const wait = 10 * time.Second
	_ = l.conn.c.SetReadDeadline(revoked.Add(wait))
	closed := ""
	for {
		if _, _, err := l.conn.c.ReadMessage(); err != nil {
			if !strings.Contains(err.Error(), "timeout") {
				closed = err.Error()
			}
			break
		}
	}
	took := time.Since(revoked)
	// The session may not be resumed with the revoked token.
	w, _, err := e.dialWS(ctx, e.freshIP())
	if err != nil {
		return false, "", err
	}
	defer w.close()
	_, p, err := w.request(protocol.TypeRegisterSession, protocol.RegisterSession{Token: tok.Token, Name: "Revoked night", ResumeSessionID: l.id})
	if err != nil {
		return false, "", err
	}
	ok := closed != "" && errOf(p) != nil
	conn := fmt.Sprintf("still open %s after the revocation", wait)
	if closed != "" {
		conn = fmt.Sprintf("closed %s after the revocation (%s)", took.Round(100*time.Millisecond), closed)
	}
	return ok, fmt.Sprintf("DJ connection %s; resume with the revoked token: %s", conn, describe(p)), nil
}

// loginPerAccount: wrong passwords for one account from 30 addresses, 4
// each (under the per-address limit). Defended: the account's attempts
// are throttled (refused or slowed), yet the real DJ still gets in.
func loginPerAccount(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	const addrs, each = 30, 4
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		times []time.Duration
		first error
	)
	start := time.Now()
	parallel(addrs, 8, func(i int) {
		c := httpFrom(e.freshIP())
		for j := range each {
			a, err := e.do(ctx, c, http.MethodPost, "/api/auth/login", nil, protocol.LoginRequest{Email: d.email, Password: fmt.Sprintf("wrong-password-%d-%d", i, j)})
			mu.Lock()
			if err != nil {
				first = err
			} else {
				codes[a.status]++
				times = append(times, a.took)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	})
	took := time.Since(start)
	if first != nil {
		return false, "", first
	}
	// times are in the order the answers came: a growing delay shows as
	// late answers far slower than early ones (machine load slows both).
	q := len(times) / 4
	early, late := median(times[:q]), median(times[len(times)-q:])
	real, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodPost, "/api/auth/login", nil, protocol.LoginRequest{Email: d.email, Password: djPassword})
	if err != nil {
		return false, "", err
	}
	// Throttled: some attempts refused, or answers delayed more and more
	// (the last ones at least a second and five times the first ones); the
	// real DJ gets in, or is told when to try again.
	throttled := codes[http.StatusUnauthorized] < addrs*each || late >= time.Second && late >= 5*early
	realOK := real.status == http.StatusOK || real.status == http.StatusTooManyRequests && real.retryAfter != ""
	return throttled && realOK, fmt.Sprintf("%d wrong passwords for one account from %d addresses in %s: %s, median answer %s for the first quarter, %s for the last; the right password then: %d in %s",
		addrs*each, addrs, took.Round(time.Millisecond), statusCounts(codes), early.Round(time.Millisecond), late.Round(time.Millisecond), real.status, real.took.Round(time.Millisecond)), nil
}

// loginPerAddress: one address tries 40 accounts. Defended: refused with
// 429 after a small burst.
func loginPerAddress(ctx context.Context, e *env) (bool, string, error) {
	c := httpFrom(e.freshIP())
	codes := map[int]int{}
	retry := ""
	for i := range 40 {
		a, err := e.do(ctx, c, http.MethodPost, "/api/auth/login", nil, protocol.LoginRequest{Email: fmt.Sprintf("nobody-%d@pika.invalid", i), Password: "guess-password-1"})
		if err != nil {
			return false, "", err
		}
		codes[a.status]++
		if a.status == http.StatusTooManyRequests && retry == "" {
			retry = a.retryAfter
		}
	}
	ok := codes[http.StatusTooManyRequests] >= 25 && retry != ""
	return ok, fmt.Sprintf("40 logins from one address: %s (Retry-After %q)", statusCounts(codes), retry), nil
}

// registerEnumeration: a stranger registers with an email that has an
// account and with one that has none. Defended: the answers cannot be
// told apart (same status, same fields).
func registerEnumeration(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	try := func(email string) (answer, error) {
		return e.do(ctx, httpFrom(e.freshIP()), http.MethodPost, "/api/auth/register", nil,
			protocol.RegisterRequest{Email: email, Password: "stranger-password-1", DisplayName: "Stranger"})
	}
	taken, err := try(d.email)
	if err != nil {
		return false, "", err
	}
	fresh, err := try(fmt.Sprintf("fresh-%d@pika.invalid", time.Now().UnixNano()))
	if err != nil {
		return false, "", err
	}
	ok := taken.status == fresh.status && sameKeys(taken.body, fresh.body)
	return ok, fmt.Sprintf("existing email: %d %s; new email: %d %s", taken.status, shape(taken.body), fresh.status, shape(fresh.body)), nil
}

// shape shows a JSON body's fields (and an error's text), not its secrets.
func shape(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return fmt.Sprintf("(%d bytes, not a JSON object)", len(body))
	}
	if e, ok := m["error"].(string); ok {
		return fmt.Sprintf("{error: %q}", e)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "{" + strings.Join(keys, ", ") + "}"
}

func sameKeys(a, b []byte) bool {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil || len(ma) != len(mb) {
		return false
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			return false
		}
	}
	// An error text differs only if the outcome does.
	return fmt.Sprint(ma["error"]) == fmt.Sprint(mb["error"])
}

// healthzNoWrite: the database can no longer take a write (here the
// relay's file size limit drops to one byte, as a full disk would refuse
// to grow a file). Defended: /healthz answers 503, and the relay logs the
// repeated failure a few times, not once per check; from a second after
// the failure on (a passed check stands for a second).
func healthzNoWrite(ctx context.Context, e *env) (bool, string, error) {
	r, err := startRelay(ctx, e.bin, e.verbose)
	if err != nil {
		return false, "", err
	}
	defer r.stop()
	sub := &env{relay: r}
	c := httpFrom(sub.freshIP())
	before, err := sub.do(ctx, c, http.MethodGet, "/healthz", nil, nil)
	if err != nil {
		return false, "", err
	}
	if out, err := exec.CommandContext(ctx, "prlimit", "--pid", fmt.Sprint(r.pid()), "--fsize=1").CombinedOutput(); err != nil {
		return false, "", fmt.Errorf("prlimit: %v: %s", err, out)
	}
	// A passed check stands for the next second (a /healthz flood costs
	// one write a second): the checks start after it.
	time.Sleep(1200 * time.Millisecond)
	errorLines := func() int { return strings.Count(r.logs.String(), `"level":"ERROR"`) }
	logBefore := errorLines()
	codes := map[int]int{}
	const checks = 20
	for range checks {
		a, err := sub.do(ctx, c, http.MethodGet, "/healthz", nil, nil)
		if err != nil {
			return false, "", err
		}
		codes[a.status]++
	}
	time.Sleep(200 * time.Millisecond)
	lines := errorLines() - logBefore
	// Show that the database really refuses writes now: a sign-up must
	// fail.
	w, err := sub.do(ctx, httpFrom(sub.freshIP()), http.MethodPost, "/api/auth/register", nil,
		protocol.RegisterRequest{Email: "after-full@pika.invalid", Password: djPassword, DisplayName: "After"})
	if err != nil {
		return false, "", err
	}
	ok := codes[http.StatusServiceUnavailable] == checks && lines <= 5
	return ok, fmt.Sprintf("healthy: %d; after the database stops taking writes, %d checks: %s; %d error lines logged for them; a sign-up then: %d", before.status, checks, statusCounts(codes), lines, w.status), nil
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	c := append([]time.Duration(nil), d...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2]
}
