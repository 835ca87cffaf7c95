package appversion

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	defer func(v string) { Version = v }(Version)
	tests := []struct {
		version, prefix string
		release         bool
	}{{"dev", "dev", false}, {"", "dev", false}, {"1.4.0", "1.4.0", true}}
	for _, tc := range tests {
		Version = tc.version
		if got := String(); !strings.HasPrefix(got, tc.prefix) || Release() != tc.release {
			t.Errorf("Version %q: String %q, Release %v; want prefix %q, %v", tc.version, got, Release(), tc.prefix, tc.release)
		}
	}
}
