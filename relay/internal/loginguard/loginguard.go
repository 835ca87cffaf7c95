// Package loginguard slows password guessing without locking the real DJ
// out. Failed sign-ins are counted per account (all addresses together)
// and per address (all accounts together, IPv6 by /64). Past a number of
// free failures each further one doubles a wait, up to a cap; while it
// runs, attempts are refused with the time left and are not judged (so
// a right password cannot be found by trying during it) and not counted
// (so waiting is enough). Nothing locks for good:
//
//   - the account's wait is capped low (a minute by default), so a crowd
//     of addresses together gets about one guess a minute at an account,
//     and the DJ, wherever they are, never waits longer than that;
//   - an address the account signed in from before (remembered for 30
//     days, in memory) skips the account's wait, so an attack from
//     elsewhere does not keep the DJ out at home or at the usual venue;
//   - the address's wait (15 minutes at most by default) only hits the
//     addresses that guess.
//
// A few typos cost nothing: the first failures are free.
package loginguard

import (
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"time"
)

// Limits are the guard's settings; zero fields get the defaults.
type Limits struct {
	AccountFree     int           // failures per account before waits start (10)
	AccountMaxDelay time.Duration // the account's longest wait (1 min)
	AddressFree     int           // failures per address before waits start (20)
	AddressMaxDelay time.Duration // the address's longest wait (15 min)
	FirstDelay      time.Duration // the first wait, doubling with each failure after (1 s)
	Forget          time.Duration // failures are forgotten after this long without one (1 h)
	TrustFor        time.Duration // how long a sign-in makes its address trusted for the account (30 days)
}

func (l *Limits) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if l.AccountFree <= 0 {
		l.AccountFree = 10
	}
	if l.AddressFree <= 0 {
		l.AddressFree = 20
	}
	def(&l.AccountMaxDelay, time.Minute)
	def(&l.AddressMaxDelay, 15*time.Minute)
	def(&l.FirstDelay, time.Second)
	def(&l.Forget, time.Hour)
	def(&l.TrustFor, 30*24*time.Hour)
}

// Guard tracks failed sign-ins. It is safe for concurrent use.
type Guard struct {
	lim Limits

	mu        sync.Mutex
	accounts  map[string]*record
	addresses map[string]*record
	trusted   map[string]time.Time // account + "\x00" + address → until
	lastSweep time.Time
}

type record struct {
	failures int
	last     time.Time // latest failure
	until    time.Time // attempts before this are refused
}

// New returns a guard with the given limits.
func New(l Limits) *Guard {
	l.defaults()
	return &Guard{lim: l, accounts: map[string]*record{}, addresses: map[string]*record{}, trusted: map[string]time.Time{}, lastSweep: time.Now()}
}

// Limits returns the guard's settings, defaults filled in.
func (g *Guard) Limits() Limits { return g.lim }

// Wait says how long the sign-in of account from ip must wait before it
// can be judged: zero to go ahead. account is the normalised email (known
// or not: the answer must not tell).
func (g *Guard) Wait(account, ip string) time.Duration {
	now := time.Now()
	addr := AddressKey(ip)
	g.mu.Lock()
	defer g.mu.Unlock()
	var wait time.Duration
	if r := g.addresses[addr]; r != nil {
		wait = max(wait, r.until.Sub(now))
	}
	if r := g.accounts[account]; r != nil && !g.trustedLocked(account, addr, now) {
		wait = max(wait, r.until.Sub(now))
	}
	return max(wait, 0)
}

// Failed records a wrong password (or unknown account) from ip.
func (g *Guard) Failed(account, ip string) {
	now := time.Now()
	addr := AddressKey(ip)
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.lastSweep) > time.Minute {
		g.sweep(now)
	}
	g.fail(g.accounts, account, g.lim.AccountFree, g.lim.AccountMaxDelay, now)
	g.fail(g.addresses, addr, g.lim.AddressFree, g.lim.AddressMaxDelay, now)
}

// Succeeded records a sign-in: ip becomes trusted for account. Failures
// are not reset, so signing in to one's own account does not buy an
// attacker fresh guesses at another.
func (g *Guard) Succeeded(account, ip string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.trusted[account+"\x00"+AddressKey(ip)] = time.Now().Add(g.lim.TrustFor)
}

func (g *Guard) trustedLocked(account, addr string, now time.Time) bool {
	until, ok := g.trusted[account+"\x00"+addr]
	return ok && now.Before(until)
}

func (g *Guard) fail(m map[string]*record, key string, free int, maxDelay time.Duration, now time.Time) {
	r := m[key]
	if r == nil || now.Sub(r.last) > g.lim.Forget {
		r = &record{}
		m[key] = r
	}
	r.failures++
	r.last = now
	if over := r.failures - free; over > 0 {
		d := maxDelay
		if over < 40 {
			d = min(maxDelay, time.Duration(float64(g.lim.FirstDelay)*math.Pow(2, float64(over-1))))
		}
		r.until = now.Add(d)
	}
}

// sweep forgets failures older than Forget and expired trust.
func (g *Guard) sweep(now time.Time) {
	g.lastSweep = now
	for _, m := range []map[string]*record{g.accounts, g.addresses} {
		for k, r := range m {
			if now.Sub(r.last) > g.lim.Forget && now.After(r.until) {
				delete(m, k)
			}
		}
	}
	for k, until := range g.trusted {
		if now.After(until) {
			delete(g.trusted, k)
		}
	}
}

// AddressKey is what an address is counted under: an IPv4 address as is,
// an IPv6 address by its /64 (one host usually holds the whole /64).
func AddressKey(ip string) string {
	p := net.ParseIP(strings.TrimSpace(ip))
	if p == nil {
		return ip
	}
	if v4 := p.To4(); v4 != nil {
		return v4.String()
	}
	return p.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// Message is the refusal shown to the person signing in.
func Message(wait time.Duration) string {
	return fmt.Sprintf("too many failed sign-ins for this account or from this address; try again in %s", Round(wait))
}

// Round is a wait in whole seconds (at least one) or minutes, as people
// read it: "40 s", "3 min".
func Round(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	if s < 120 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%d min", (s+59)/60)
}
