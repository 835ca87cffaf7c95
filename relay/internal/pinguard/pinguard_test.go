package pinguard

import (
	"testing"
	"time"
)

func TestPrefix(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an ip", "not an ip"},
	}
	for _, tc := range tests {
		if got := Prefix(tc.ip); got != tc.want {
			t.Errorf("Prefix(%q) = %q, want %q", tc.ip, got, tc.want)
		}
	}
}

// TestSessionDelayGrows: past the session's budget each wrong PIN doubles
// the delay, up to its cap; Reset starts over.
func TestSessionDelayGrows(t *testing.T) {
	g := New(Limits{AddrGuesses: 1000, SessionGuesses: 2, SessionDelay: time.Second, SessionDelayMax: 4 * time.Second})
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
	for i, w := range want {
		n, retry := g.Wrong("s", "a")
		if n != i+1 || retry != w {
			t.Fatalf("wrong PIN %d: count %d retry %v, want %d %v", i+1, n, retry, i+1, w)
		}
	}
	if _, ok := g.Check("s", "b"); ok {
		t.Fatal("a new address passes during the session's delay")
	}
	g.Right("s", "c")
	if _, ok := g.Check("s", "c"); !ok {
		t.Fatal("an address that entered is held up by the session's delay")
	}
	g.Reset("s")
	if _, ok := g.Check("s", "b"); !ok {
		t.Fatal("Reset kept the session's delay")
	}
	if n, _ := g.Status("s"); n != 0 {
		t.Fatalf("after Reset %d wrong PINs, want 0", n)
	}
}

// TestSessionDelayCalmsDown: once guessing stops for the longest delay,
// the next wrong PIN costs the first delay again.
func TestSessionDelayCalmsDown(t *testing.T) {
	g := New(Limits{AddrGuesses: 1000, SessionGuesses: 1, SessionDelay: 10 * time.Millisecond, SessionDelayMax: 40 * time.Millisecond})
	var retry time.Duration
	for range 5 {
		_, retry = g.Wrong("s", "a")
	}
	if retry != 40*time.Millisecond {
		t.Fatalf("delay after a burst %v, want the longest", retry)
	}
	time.Sleep(60 * time.Millisecond)
	if _, retry = g.Wrong("s", "a"); retry != 10*time.Millisecond {
		t.Fatalf("delay after a quiet spell %v, want the first again", retry)
	}
}
