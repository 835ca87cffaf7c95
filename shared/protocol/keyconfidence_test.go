package protocol

import "testing"

func TestTrackKeyConfidence(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name      string
		track     Track
		valid     bool
		uncertain bool
	}{
		{"no confidence", Track{Title: "x", Key: "A minor"}, true, false},
		{"certain", Track{Title: "x", Key: "A minor", KeyConfidence: f(0.62)}, true, false},
		{"at the threshold", Track{Title: "x", Key: "A minor", KeyConfidence: f(MinCertainKeyConfidencePct / 100.0)}, true, false},
		{"uncertain", Track{Title: "x", Key: "A minor", KeyConfidence: f(0.18)}, true, true},
		{"confidence without key", Track{Title: "x", KeyConfidence: f(0.1)}, true, false},
		{"above 1", Track{Title: "x", Key: "A minor", KeyConfidence: f(1.5)}, false, false},
		{"negative", Track{Title: "x", Key: "A minor", KeyConfidence: f(-0.1)}, false, true},
	}
	for _, tc := range tests {
		tr := tc.track
		if err := tr.Validate(); (err == nil) != tc.valid {
			t.Errorf("%s: Validate() = %v, want valid %v", tc.name, err, tc.valid)
		}
		if got := tr.KeyUncertain(); got != tc.uncertain {
			t.Errorf("%s: KeyUncertain() = %v, want %v", tc.name, got, tc.uncertain)
		}
	}
}
