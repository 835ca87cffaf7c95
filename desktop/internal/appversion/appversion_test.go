package appversion

import (
	"os/exec"
	"path/filepath"
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

// TestLinkerSetsVersion builds a program with the -X flag the release
// build uses (the package doc's), so a renamed variable or package fails
// here rather than shipping "dev".
func TestLinkerSetsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build with -ldflags: %v", err)
	}
	exe := filepath.Join(t.TempDir(), "printversion")
	build := exec.Command(gobin, "build", "-ldflags", "-X github.com/pikadj/pika/desktop/internal/appversion.Version=7.8.9", "-o", exe, "./testdata/printversion")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(exe).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "7.8.9") {
		t.Fatalf("built with -X Version=7.8.9, it prints %q", out)
	}
}
