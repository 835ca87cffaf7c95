package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/pikadj/pika/shared/protocol"
)

// randomPIN is a 4-digit PIN.
func randomPIN() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10000))
	return fmt.Sprintf("%04d", n.Int64())
}

// wrongPINs returns n 4-digit PINs other than pin.
func wrongPINs(pin string, n int) []string {
	out := make([]string, 0, n)
	for i := 0; len(out) < n && i < 10000; i++ {
		if g := fmt.Sprintf("%04d", i); g != pin {
			out = append(out, g)
		}
	}
	return out
}

// saysWhen: the refusal tells the client when to try again (a Retry-After
// header, or a time in its message).
var whenInMessage = regexp.MustCompile(`\d+\s*(s|sec|second|seconds|min|minute|minutes)\b`)

func saysWhen(retryAfter, msg string) bool {
	return retryAfter != "" || whenInMessage.MatchString(msg)
}

func (e *env) pinSession(ctx context.Context, name string) (*live, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return nil, "", err
	}
	pin := randomPIN()
	l, err := e.startLive(ctx, d, name, pin, protocol.Track{Artist: "Nina Simone", Title: "Feeling Good"})
	return l, pin, err
}

// pinBruteREST: one address guesses PINs through /state, then sends the
// right one. Defended: after the address's wrong-guess limit even the
// right PIN is refused, with when to come back.
func pinBruteREST(ctx context.Context, e *env) (bool, string, error) {
	l, pin, err := e.pinSession(ctx, "PIN night REST")
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	c := httpFrom(e.freshIP())
	const guesses = 200
	codes := map[int]int{}
	for _, g := range wrongPINs(pin, guesses) {
		a, err := e.do(ctx, c, http.MethodGet, "/api/sessions/"+l.id+"/state", pinHeader(g), nil)
		if err != nil {
			return false, "", err
		}
		codes[a.status]++
	}
	a, err := e.do(ctx, c, http.MethodGet, "/api/sessions/"+l.id+"/state", pinHeader(pin), nil)
	if err != nil {
		return false, "", err
	}
	ok := a.status != http.StatusOK && saysWhen(a.retryAfter, a.apiError())
	return ok, fmt.Sprintf("%d wrong PINs answered %s; then the right PIN: %d %q (Retry-After %q)",
		guesses, statusCounts(codes), a.status, a.apiError(), a.retryAfter), nil
}

// pinBruteWS: the same over WebSocket SUBSCRIBE frames.
func pinBruteWS(ctx context.Context, e *env) (bool, string, error) {
	l, pin, err := e.pinSession(ctx, "PIN night WS")
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	ip := e.freshIP()
	const guesses, perConn = 100, 20
	codes := map[string]int{}
	var c *ws
	for i, g := range wrongPINs(pin, guesses) {
		// A fresh socket every few guesses keeps under the per-connection
		// frame limit, as a real attacker would.
		if i%perConn == 0 {
			if c != nil {
				c.close()
			}
			if c, _, err = e.dialWS(ctx, ip); err != nil {
				return false, "", err
			}
		}
		_, p, err := c.paced(protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.id, ClientID: fmt.Sprintf("guesser-%06d", i), PIN: g})
		if err != nil {
			return false, "", err
		}
		codes[answerCode(p)]++
	}
	c.close()
	if c, _, err = e.dialWS(ctx, ip); err != nil {
		return false, "", err
	}
	defer c.close()
	_, p, err := c.paced(protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.id, ClientID: "guesser-right", PIN: pin})
	if err != nil {
		return false, "", err
	}
	pe := errOf(p)
	ok := pe != nil && saysWhen("", pe.Message)
	return ok, fmt.Sprintf("%d wrong PINs answered %s; then the right PIN: %s", guesses, codeCounts(codes), describe(p)), nil
}

// pinWalk: many addresses, each under its own limit, walk the PIN space
// together, then a fresh address sends the right PIN. Defended: the
// session's own budget stops the walk (few guesses are checked at all),
// so 10,000 PINs are out of reach.
func pinWalk(ctx context.Context, e *env) (bool, string, error) {
	l, pin, err := e.pinSession(ctx, "PIN night walk")
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	const addrs, each = 150, 8
	guesses := wrongPINs(pin, addrs*each)
	var checked, limited, other atomic.Int64
	var firstErr atomic.Value
	parallel(addrs, 16, func(i int) {
		c := httpFrom(e.freshIP())
		for _, g := range guesses[i*each : (i+1)*each] {
			a, err := e.do(ctx, c, http.MethodGet, "/api/sessions/"+l.id+"/state", pinHeader(g), nil)
			switch {
			case err != nil:
				firstErr.CompareAndSwap(nil, err)
				return
			case a.status == http.StatusForbidden:
				checked.Add(1)
			case a.status == http.StatusTooManyRequests:
				limited.Add(1)
			default:
				other.Add(1)
			}
		}
	})
	if err, _ := firstErr.Load().(error); err != nil {
		return false, "", err
	}
	a, err := e.do(ctx, httpFrom(e.freshIP()), http.MethodGet, "/api/sessions/"+l.id+"/state", pinHeader(pin), nil)
	if err != nil {
		return false, "", err
	}
	// A walk that gets more than 2% of the space checked in seconds would
	// finish within minutes.
	ok := checked.Load() <= 200 && limited.Load() > 0
	return ok, fmt.Sprintf("%d wrong PINs from %d addresses: %d checked (\"wrong PIN\"), %d refused as limited, %d other; right PIN from a fresh address then: %d",
		addrs*each, addrs, checked.Load(), limited.Load(), other.Load(), a.status), nil
}

// pinPrivate: someone without the PIN reads a protected session's state,
// history, recap and the session list. Defended: nothing played, polled
// or announced shows.
func pinPrivate(ctx context.Context, e *env) (bool, string, error) {
	d, err := e.newDJ(ctx)
	if err != nil {
		return false, "", err
	}
	secret := protocol.Track{Artist: "Secret Artist", Title: "Secret Title"}
	l, err := e.startLive(ctx, d, "Private night", randomPIN(), secret)
	if err != nil {
		return false, "", err
	}
	defer l.conn.close()
	if _, p, err := l.conn.request(protocol.TypeStartPoll, protocol.StartPoll{Question: "Secret poll?", Options: []string{"Secret yes", "Secret no"}}); err != nil || errOf(p) != nil {
		return false, "", fmt.Errorf("START_POLL: %v %v", err, errOf(p))
	}
	if _, p, err := l.conn.request(protocol.TypeAnnounce, protocol.Announce{Text: "Secret announcement"}); err != nil || errOf(p) != nil {
		return false, "", fmt.Errorf("ANNOUNCE: %v %v", err, errOf(p))
	}
	c := httpFrom(e.freshIP())
	var leaks, held []string
	for _, path := range []string{"/api/sessions/" + l.id + "/state", "/api/sessions/" + l.id + "/plays", "/api/sessions/" + l.id + "/recap", "/api/sessions"} {
		a, err := e.do(ctx, c, http.MethodGet, path, nil, nil)
		if err != nil {
			return false, "", err
		}
		name := strings.Replace(path, l.id, ":id", 1)
		if strings.Contains(string(a.body), "Secret") {
			leaks = append(leaks, fmt.Sprintf("%s %d", name, a.status))
		} else {
			held = append(held, fmt.Sprintf("%s %d", name, a.status))
		}
	}
	// Over WebSocket without the PIN.
	w, _, err := e.dialWS(ctx, e.freshIP())
	if err != nil {
		return false, "", err
	}
	defer w.close()
	_, p, err := w.request(protocol.TypeSubscribe, protocol.Subscribe{SessionID: l.id, ClientID: "private-reader-1"})
	if err != nil {
		return false, "", err
	}
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), "Secret") {
		leaks = append(leaks, "SUBSCRIBE")
	} else {
		held = append(held, "SUBSCRIBE "+answerCode(p))
	}
	figures := "kept private: " + strings.Join(held, ", ")
	if len(leaks) > 0 {
		figures = "revealed tracks/poll/announcement: " + strings.Join(leaks, ", ") + "; " + figures
	}
	return len(leaks) == 0, figures, nil
}

// answerCode names a WebSocket answer: the ERROR code, or the frame type.
func answerCode(p any) string {
	switch v := p.(type) {
	case *protocol.Error:
		return string(v.Code)
	case *protocol.SessionState:
		return "SESSION_STATE"
	case *protocol.SessionRegistered:
		return "SESSION_REGISTERED"
	case *protocol.Ack:
		return "ACK"
	}
	return fmt.Sprintf("%T", p)
}

func describe(p any) string {
	if pe := errOf(p); pe != nil {
		return fmt.Sprintf("ERROR %s %q", pe.Code, pe.Message)
	}
	return answerCode(p) + " (let in)"
}
