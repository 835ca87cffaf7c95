// Package clientaddr turns a client's IP address into the key its limits
// are counted under. An IPv6 host usually owns a whole /64, so limits keyed
// by the full address would give it 2^64 fresh budgets; IPv4 (and
// IPv4-mapped IPv6) addresses are keyed as they are.
package clientaddr

import (
	"net/netip"
	"strings"
)

// Key returns the limit key of a: the address itself for IPv4, its /64
// prefix for IPv6.
func Key(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// FromString is Key of an address in text, as echo's RealIP gives it. Text
// that is not an IP address (an odd proxy header) is its own key, so it is
// still limited, only not grouped.
func FromString(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ip
	}
	return Key(a)
}
