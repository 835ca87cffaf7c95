// Package testenv holds what the desktop packages' tests share: the rule
// for missing tools (skip, but fail under CI), the rendered corpus, ffmpeg
// as the reference decoder, and makers of files that are not regular.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// SkipUnlessCI skips a test whose tools or data are missing, except under
// CI=true, where scripts/test provides them and a skip would hide that the
// test never ran: there it fails with the reason.
func SkipUnlessCI(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatal("CI=true but " + msg)
		return
	}
	t.Skip(msg)
}
