package testenv

import (
	"fmt"
	"strings"
	"testing"
)

// recordTB records Skip and Fatal instead of stopping the test.
type recordTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordTB) Helper()           {}
func (r *recordTB) Skip(args ...any)  { r.skipped = fmt.Sprint(args...) }
func (r *recordTB) Fatal(args ...any) { r.failed = fmt.Sprint(args...) }

func TestSkipUnlessCI(t *testing.T) {
	tests := []struct {
		ci         string
		skip, fail bool
	}{
		{"", true, false},
		{"true", false, true},
		{"1", false, true},
	}
	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recordTB{TB: t}
			SkipUnlessCI(r, "ffmpeg %s", "missing")
			if (r.skipped != "") != tc.skip || (r.failed != "") != tc.fail {
				t.Errorf("skipped %q, failed %q; want skip %v, fail %v", r.skipped, r.failed, tc.skip, tc.fail)
			}
			if msg := r.skipped + r.failed; !strings.Contains(msg, "ffmpeg missing") {
				t.Errorf("message %q lacks the reason", msg)
			}
		})
	}
}
