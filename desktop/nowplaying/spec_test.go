package nowplaying

import (
	"strings"
	"testing"
)

func TestSpecRoundTrip(t *testing.T) {
	tests := []struct {
		text     string
		kind     string
		location string
		str      string
	}{
		{"virtualdj", "virtualdj", "", "virtualdj"},
		{" VirtualDJ:/Users/dj/VDJ ", "virtualdj", "/Users/dj/VDJ", "virtualdj:/Users/dj/VDJ"},
		{`serato:C:\Users\Zoë\Music\_Serato_`, "serato", `C:\Users\Zoë\Music\_Serato_`, `serato:C:\Users\Zoë\Music\_Serato_`},
		{"m3u:/tmp/a b.m3u8", "m3u", "/tmp/a b.m3u8", "m3u:/tmp/a b.m3u8"},
		{"manual:ignored", "manual", "", "manual"},
		{"mixxx:", "mixxx", "", "mixxx"},
	}
	for _, tc := range tests {
		s, err := ParseSpec(tc.text)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tc.text, err)
			continue
		}
		if s.Kind != tc.kind || s.Location != tc.location || s.String() != tc.str {
			t.Errorf("ParseSpec(%q) = %+v (%q), want %s %q (%q)", tc.text, s, s, tc.kind, tc.location, tc.str)
		}
		back, err := ParseSpec(s.String())
		if err != nil || back != s {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", s.String(), back, err, s)
		}
	}
}

func TestNewSpecErrors(t *testing.T) {
	tests := []struct{ kind, loc, wantErr string }{
		{"m3u", " ", "needs the path"},
		{"winamp", "", "unknown source"},
	}
	for _, tc := range tests {
		if _, err := NewSpec(tc.kind, tc.loc); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("NewSpec(%q, %q) err = %v, want %q", tc.kind, tc.loc, err, tc.wantErr)
		}
	}
	for _, k := range Kinds() {
		if !strings.Contains(SourceUsage(), k.Usage) || !strings.HasPrefix(k.Usage, k.Name) {
			t.Errorf("kind %s: usage %q not in %q", k.Name, k.Usage, SourceUsage())
		}
	}
}
