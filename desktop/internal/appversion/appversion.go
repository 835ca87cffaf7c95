// Package appversion is the desktop app's version: set when a release is
// built,
//
//	go build -ldflags "-X github.com/pikadj/pika/desktop/internal/appversion.Version=1.4.0" ./cmd/pika
//
// and "dev" otherwise, shown with the commit Go stamped into the binary.
package appversion

import (
	"runtime/debug"
	"strings"
)

// Version is the release, "1.4.0"; "dev" for a build that is not one.
var Version = "dev"

// Release reports whether Version names a release (one the update check
// can compare).
func Release() bool { return Version != "" && Version != "dev" }

// String is what `pika --version` and the About box show: "1.4.0", or
// "dev (3f2a9c1b0d4e, modified)" with the build's VCS revision.
func String() string {
	v := Version
	if v == "" {
		v = "dev"
	}
	rev, dirty := revision()
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	extra := []string{rev}
	if dirty {
		extra = append(extra, "modified")
	}
	return v + " (" + strings.Join(extra, ", ") + ")"
}

func revision() (rev string, dirty bool) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return rev, dirty
}
