package gui

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoLocaleWarning runs this test binary again (no tests, so only the
// package inits) under C-like locales and expects no Fyne locale error on
// stderr: every pika command links this package, headless ones included.
func TestNoLocaleWarning(t *testing.T) {
	if os.Getenv(windowChildEnv) != "" {
		t.Skip("child process")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{
		{"LANG=C.UTF-8"},
		{"LANG=C"},
		{"LC_ALL=POSIX.UTF-8", "LANG=de_DE.UTF-8"},
		{},
	} {
		t.Run(strings.Join(env, ","), func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(cleanLocaleEnv(), env...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\nstdout: %s\nstderr: %s", err, out, stderr.String())
			}
			if strings.Contains(stderr.String(), "locale") || strings.Contains(string(out), "locale") {
				t.Errorf("locale complaint with %v:\n%s%s", env, out, stderr.String())
			}
		})
	}
}

// cleanLocaleEnv is this process's environment without locale variables.
func cleanLocaleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
