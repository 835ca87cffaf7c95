// Package pinguard limits wrong PIN guesses, per address and per session,
// so that a 4-digit PIN cannot be walked: an address over its limit has
// every PIN refused, the right one too, until its lockout ends; a session
// that has seen too many wrong PINs from all addresses together refuses
// PINs from addresses that have not entered it yet for a delay that
// doubles with each further wrong guess.
//
// A venue's dancers share one address, so the per-address limit is a
// budget that refills (a few mistypes an hour are always fine), and an
// address that entered with the right PIN is not held up by the session's
// delay. Addresses are keyed by Prefix: IPv6 by its /64.
package pinguard

import (
	"net/netip"
	"sync"
	"time"
)

// Limits configure a Guard. Zero fields get the defaults in brackets.
type Limits struct {
	// AddrGuesses is how many wrong PINs one address may make in a
	// session before it is locked out [30]; one more is allowed every
	// AddrRefill [20s].
	AddrGuesses int
	AddrRefill  time.Duration
	// Lockout is the first lockout of an address [1m]; each further one
	// doubles, up to LockoutMax [1h].
	Lockout    time.Duration
	LockoutMax time.Duration
	// SessionGuesses is how many wrong PINs a session takes from all
	// addresses together [100] before each further one closes it to new
	// addresses for SessionDelay [2s], doubling up to SessionDelayMax
	// [10m]; after SessionDelayMax without a wrong PIN the delay starts
	// from SessionDelay again.
	SessionGuesses  int
	SessionDelay    time.Duration
	SessionDelayMax time.Duration
}

// Defaults returns the production limits.
func Defaults() Limits {
	return Limits{
		AddrGuesses: 30, AddrRefill: 20 * time.Second, Lockout: time.Minute, LockoutMax: time.Hour,
		SessionGuesses: 100, SessionDelay: 2 * time.Second, SessionDelayMax: 10 * time.Minute,
	}
}

func (l *Limits) fill() {
	d := Defaults()
	if l.AddrGuesses <= 0 {
		l.AddrGuesses = d.AddrGuesses
	}
	if l.AddrRefill <= 0 {
		l.AddrRefill = d.AddrRefill
	}
	if l.Lockout <= 0 {
		l.Lockout = d.Lockout
	}
	if l.LockoutMax < l.Lockout {
		l.LockoutMax = max(d.LockoutMax, l.Lockout)
	}
	if l.SessionGuesses <= 0 {
		l.SessionGuesses = d.SessionGuesses
	}
	if l.SessionDelay <= 0 {
		l.SessionDelay = d.SessionDelay
	}
	if l.SessionDelayMax < l.SessionDelay {
		l.SessionDelayMax = max(d.SessionDelayMax, l.SessionDelay)
	}
}

// Guard keeps the guess counts. It is safe for concurrent use.
type Guard struct {
	lim Limits

	mu        sync.Mutex
	addrs     map[addrKey]*addrState
	sessions  map[string]*sessState
	lastSweep time.Time
}

type addrKey struct{ session, prefix string }

type addrState struct {
	tokens      float64 // wrong guesses left
	refilled    time.Time
	lockedUntil time.Time
	lockouts    int
	lastWrong   time.Time
}

type sessState struct {
	wrong       int // since the PIN was set
	lockedUntil time.Time
	delay       time.Duration // the next session delay
	lastWrong   time.Time
	trusted     map[string]struct{}
	seen        time.Time
}

// New returns a Guard with lim (zero fields: defaults).
func New(lim Limits) *Guard {
	lim.fill()
	return &Guard{lim: lim, addrs: map[addrKey]*addrState{}, sessions: map[string]*sessState{}, lastSweep: time.Now()}
}

// Limits returns the limits in force.
func (g *Guard) Limits() Limits { return g.lim }

// Prefix is the key of an address: an IPv4 address as is, an IPv6 address
// by its /64 (one subscriber usually holds a whole /64). Anything
// unparsable is its own key.
func Prefix(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// Check reports whether prefix may try a PIN for session now; when not,
// retry is how long until it may.
func (g *Guard) Check(session, prefix string) (retry time.Duration, ok bool) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if a := g.addrs[addrKey{session, prefix}]; a != nil && now.Before(a.lockedUntil) {
		return a.lockedUntil.Sub(now), false
	}
	if s := g.sessions[session]; s != nil && now.Before(s.lockedUntil) {
		if _, in := s.trusted[prefix]; !in {
			return s.lockedUntil.Sub(now), false
		}
	}
	return 0, true
}

// Wrong records a wrong PIN. It returns the session's wrong PINs since its
// PIN was set and, when this guess locked prefix or the session, how long
// until prefix may try again (zero otherwise).
func (g *Guard) Wrong(session, prefix string) (wrong int, retry time.Duration) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.maybeSweep(now)
	k := addrKey{session, prefix}
	a := g.addrs[k]
	if a == nil {
		a = &addrState{tokens: float64(g.lim.AddrGuesses), refilled: now}
		g.addrs[k] = a
	}
	a.tokens = min(float64(g.lim.AddrGuesses), a.tokens+float64(now.Sub(a.refilled))/float64(g.lim.AddrRefill))
	a.refilled = now
	a.lastWrong = now
	a.tokens--
	if a.tokens < 1 {
		lock := g.lim.Lockout << min(a.lockouts, 30)
		if lock <= 0 || lock > g.lim.LockoutMax {
			lock = g.lim.LockoutMax
		}
		a.lockouts++
		a.lockedUntil = now.Add(lock)
		retry = lock
	}
	s := g.session(session, now)
	s.wrong++
	// Once guessing has stopped for as long as the longest delay, a stray
	// typo costs the room the first delay again, not the longest.
	if now.Sub(s.lastWrong) > g.lim.SessionDelayMax {
		s.delay = 0
	}
	s.lastWrong = now
	if s.wrong > g.lim.SessionGuesses {
		if s.delay == 0 {
			s.delay = g.lim.SessionDelay
		}
		s.lockedUntil = now.Add(s.delay)
		if _, in := s.trusted[prefix]; !in {
			retry = max(retry, s.delay)
		}
		s.delay = min(s.delay*2, g.lim.SessionDelayMax)
	}
	return s.wrong, retry
}

// Right records that prefix entered session with the right PIN: the
// session's delay no longer holds it up.
func (g *Guard) Right(session, prefix string) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.session(session, now)
	if len(s.trusted) < maxTrusted {
		s.trusted[prefix] = struct{}{}
	}
}

// maxTrusted bounds the addresses remembered per session.
const maxTrusted = 10000

// Reset forgets a session's wrong PINs and its delay, for a new PIN:
// guesses at the old one tell nothing about it. Locked-out addresses stay
// locked out.
func (g *Guard) Reset(session string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.sessions[session]; s != nil {
		s.wrong, s.delay, s.lockedUntil = 0, 0, time.Time{}
	}
}

// Status is a session's wrong PINs since its PIN was set and until when
// it refuses new addresses (zero: it does not).
func (g *Guard) Status(session string) (wrong int, lockedUntil time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.sessions[session]; s != nil {
		return s.wrong, s.lockedUntil
	}
	return 0, time.Time{}
}

func (g *Guard) session(id string, now time.Time) *sessState {
	s := g.sessions[id]
	if s == nil {
		s = &sessState{trusted: map[string]struct{}{}}
		g.sessions[id] = s
	}
	s.seen = now
	return s
}

// sessionIdle is how long a session's counts outlive its last PIN.
const sessionIdle = 24 * time.Hour

// maybeSweep forgets addresses whose budget is full again and whose
// lockouts are long past, and sessions nobody tried for a day.
func (g *Guard) maybeSweep(now time.Time) {
	if now.Sub(g.lastSweep) < time.Minute {
		return
	}
	g.lastSweep = now
	refill := time.Duration(g.lim.AddrGuesses) * g.lim.AddrRefill
	for k, a := range g.addrs {
		if now.Sub(a.lastWrong) > refill && now.Sub(a.lockedUntil) > g.lim.LockoutMax {
			delete(g.addrs, k)
		}
	}
	for id, s := range g.sessions {
		if now.Sub(s.seen) > sessionIdle {
			delete(g.sessions, id)
		}
	}
}
