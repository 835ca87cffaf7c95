package clientaddr

import (
	"net/netip"
	"testing"
)

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"127.0.0.2", "127.0.0.2"},
		{"203.0.113.9", "203.0.113.9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tt := range tests {
		if got := FromString(tt.in); got != tt.want {
			t.Errorf("FromString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if Key(netip.MustParseAddr("2001:db8:1:2::1")) == Key(netip.MustParseAddr("2001:db8:1:3::1")) {
		t.Error("different /64s share a key")
	}
}
