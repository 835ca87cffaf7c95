package loginguard

import (
	"testing"
	"time"
)

func TestDelaysGrowAndCap(t *testing.T) {
	g := New(Limits{AccountFree: 3, AccountMaxDelay: 8 * time.Second, AddressFree: 100, FirstDelay: time.Second})
	var waits []time.Duration
	for range 8 {
		g.Failed("dj@example.com", "192.0.2.1")
		// From an untrusted address elsewhere: only the account's wait.
		waits = append(waits, g.Wait("dj@example.com", "198.51.100.7").Round(time.Second))
	}
	want := []time.Duration{0, 0, 0, 1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if w := g.Wait("other@example.com", "198.51.100.7"); w != 0 {
		t.Fatalf("another account waits %v", w)
	}
}

func TestTrustedAddressSkipsTheAccountWait(t *testing.T) {
	g := New(Limits{AccountFree: 1, AddressFree: 100})
	g.Succeeded("dj@example.com", "192.0.2.10") // the DJ's home
	for range 5 {
		g.Failed("dj@example.com", "203.0.113.66") // an attacker
	}
	if w := g.Wait("dj@example.com", "192.0.2.10"); w != 0 {
		t.Fatalf("the DJ's own address waits %v", w)
	}
	if w := g.Wait("dj@example.com", "192.0.2.11"); w == 0 {
		t.Fatal("an untrusted address does not wait")
	}
}

func TestAddressWaitCoversEveryAccount(t *testing.T) {
	g := New(Limits{AccountFree: 100, AddressFree: 2})
	for i := range 4 {
		g.Failed(string(rune('a'+i))+"@example.com", "2001:db8:1:2::5")
	}
	// Same /64, another account, even one trusted elsewhere.
	if w := g.Wait("z@example.com", "2001:db8:1:2:ffff::1"); w == 0 {
		t.Fatal("the /64 does not wait")
	}
	if w := g.Wait("z@example.com", "2001:db8:1:3::1"); w != 0 {
		t.Fatalf("another /64 waits %v", w)
	}
}

func TestForget(t *testing.T) {
	g := New(Limits{AccountFree: 1, Forget: 10 * time.Millisecond, FirstDelay: time.Millisecond, AddressFree: 100})
	g.Failed("a@example.com", "192.0.2.1")
	g.Failed("a@example.com", "192.0.2.1")
	time.Sleep(20 * time.Millisecond)
	g.Failed("a@example.com", "192.0.2.1") // first failure again: free
	if w := g.Wait("a@example.com", "192.0.2.2"); w != 0 {
		t.Fatalf("old failures still count: wait %v", w)
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.2":                 "127.0.0.2",
		"::ffff:192.0.2.1":          "192.0.2.1",
		"2001:db8:aa:bb:1:2:3:4":    "2001:db8:aa:bb::/64",
		"2001:db8:aa:bb:ffff::9999": "2001:db8:aa:bb::/64",
		"not-an-ip":                 "not-an-ip",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRound(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Millisecond: "1 s",
		40 * time.Second:      "40 s",
		119 * time.Second:     "119 s",
		3 * time.Minute:       "3 min",
		14*time.Minute + 1e9:  "15 min",
	} {
		if got := Round(d); got != want {
			t.Errorf("Round(%v) = %q, want %q", d, got, want)
		}
	}
}
