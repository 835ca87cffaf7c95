package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "pika.secret")
	first, err := Load("", path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := Load("", path)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("second load %q, %v; want the same secret %q", again, err, first)
	}
	other, _ := Load("", filepath.Join(dir, "other.secret"))
	if bytes.Equal(first, other) {
		t.Error("two fresh secrets are equal")
	}
	env := strings.Repeat("e", MinLen)
	if got, err := Load(env, path); err != nil || string(got) != env {
		t.Errorf("env secret: %q, %v", got, err)
	}
	for _, bad := range []struct{ env, file string }{{"short", ""}, {"", "tooshort"}} {
		p := path
		if bad.file != "" {
			p = filepath.Join(dir, "bad.secret")
			os.WriteFile(p, []byte(bad.file), 0o600)
		}
		if _, err := Load(bad.env, p); err == nil {
			t.Errorf("Load(%q, file %q) accepted a short secret", bad.env, bad.file)
		}
	}
	if bytes.Equal(Derive(first, "a"), Derive(first, "b")) || !bytes.Equal(Derive(first, "a"), Derive(again, "a")) {
		t.Error("Derive does not separate purposes or is not stable")
	}
}
