package protocol

import "testing"

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
		bad  bool
	}{
		{"1.4.0", "1.4.0", 0, false},
		{"v1.4", "1.4.0", 0, false},
		{"1.4.0", "1.10.0", -1, false},
		{"1.10.0", "1.9.9", 1, false},
		{"2", "1.99.99", 1, false},
		{"1.4.0-rc.1", "1.4.0", -1, false},
		{"1.4.0", "1.4.0-rc.1", 1, false},
		{"1.4.0-rc.1", "1.4.0-rc.2", -1, false},
		{"1.4.0+abc", "1.4.0", 0, false},
		{"dev", "1.0.0", 0, true},
		{"1.2.3.4", "1.0.0", 0, true},
		{"1.02", "1.0.0", 0, true},
		{"", "1.0.0", 0, true},
		{"1.-1", "1.0.0", 0, true},
		{"1.0.0", "1.x", 0, true},
	}
	for _, tc := range tests {
		got, err := CompareVersions(tc.a, tc.b)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, %v; want %d, error %v", tc.a, tc.b, got, err, tc.want, tc.bad)
		}
	}
}
