package auth

import (
	"strings"
	"testing"
)

func TestNormaliseEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Ana@Example.COM ", "ana@example.com"},
		{"a.b+tag@sub.example.org", "a.b+tag@sub.example.org"},
		{"", ""},
		{"no-at-sign", ""},
		{"a@localhost", ""},
		{"Ana <ana@example.com>", ""},
		{"a@b.c\n", "a@b.c"},
		{strings.Repeat("a", 250) + "@b.co", ""},
	}
	for _, tc := range tests {
		got, err := NormaliseEmail(tc.in)
		if (err == nil) != (tc.want != "") || got != tc.want {
			t.Errorf("NormaliseEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"123456789", false},
		{"1234567890", true},
		{"ééééééééé", false}, // nine characters, eighteen bytes
		{"éééééééééé", true},
		{strings.Repeat("x", 72), true},
		{strings.Repeat("x", 73), false},
	}
	for _, tc := range tests {
		if err := CheckPassword(tc.in); (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || !LooksLikeToken(a) || len(a) != 38 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if h := HashToken(a); h == a || len(h) != 64 || h != HashToken(a) || h == HashToken(b) {
		t.Fatalf("hash %q", HashToken(a))
	}
	for _, bad := range []string{"", "pk_dj_", "pk_dj_zz" + strings.Repeat("0", 30), "xx_dj_" + strings.Repeat("0", 32), a + "0"} {
		if LooksLikeToken(bad) {
			t.Errorf("LooksLikeToken(%q)", bad)
		}
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  DJ Ana ", "DJ Ana"},
		{"", ""},
		{"tab\there", ""},
		{strings.Repeat("n", 61), ""},
		{"Ünïcødé ok", "Ünïcødé ok"},
	}
	for _, tc := range tests {
		got, err := CleanName("name", tc.in, 60)
		if (err == nil) != (tc.want != "") || got != tc.want {
			t.Errorf("CleanName(%q) = %q, %v", tc.in, got, err)
		}
	}
}
