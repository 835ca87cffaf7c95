// Package ratelimit keeps one token-bucket limiter per key (an IP address),
// forgetting keys that have been idle for a while.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a set of limiters, one per key.
type Keyed struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	m         map[string]*entry
	lastSweep time.Time
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns limiters allowing limit events per second with burst.
func New(limit rate.Limit, burst int) *Keyed {
	return &Keyed{limit: limit, burst: burst, m: map[string]*entry{}, lastSweep: time.Now()}
}

// Allow reports whether key may act now, and consumes one event if so.
func (k *Keyed) Allow(key string) bool {
	now := time.Now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.lastSweep) > time.Minute {
		k.sweep(now)
	}
	e, ok := k.m[key]
	if !ok {
		e = &entry{lim: rate.NewLimiter(k.limit, k.burst)}
		k.m[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// sweep drops limiters idle long enough to be full again.
func (k *Keyed) sweep(now time.Time) {
	k.lastSweep = now
	full := time.Duration(float64(k.burst)/float64(k.limit)*float64(time.Second)) + time.Minute
	for key, e := range k.m {
		if now.Sub(e.seen) > full {
			delete(k.m, key)
		}
	}
}

// Blocked reports whether key has no event left right now, without
// consuming one.
func (k *Keyed) Blocked(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.m[key]
	return ok && e.lim.TokensAt(time.Now()) < 1
}
