// Package secret holds the relay's own secret, kept outside the database:
// it keys the PIN hashes (so a backup alone cannot be brute-forced for the
// PINs) and signs the client ids the relay issues. It comes from an
// environment setting or a file in the data folder, generated on first
// start.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MinLen is the shortest secret accepted from the environment.
const MinLen = 32

// Load returns the secret: fromEnv when set (at least MinLen characters),
// else the contents of path, which is created with a fresh random secret
// (mode 0600) when it does not exist.
func Load(fromEnv, path string) ([]byte, error) {
	if fromEnv != "" {
		if len(fromEnv) < MinLen {
			return nil, fmt.Errorf("PIKA_RELAY_SECRET is %d characters; it needs at least %d (for example: openssl rand -hex 32)", len(fromEnv), MinLen)
		}
		return []byte(fromEnv), nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < MinLen {
			return nil, fmt.Errorf("secret file %s holds %d characters, needs at least %d: restore it from a backup, or delete it to make a new one (PIN sessions then need their PIN set again)", path, len(s), MinLen)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret file: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("make secret: %w", err)
	}
	s := hex.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("make secret folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another relay made it first: use theirs.
			return Load("", path)
		}
		return nil, fmt.Errorf("create secret file: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret file: %w", err)
	}
	return []byte(s), nil
}

// Derive returns a key for one purpose, so one secret serves several
// without one use revealing another's key.
func Derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("pika relay key\x00" + purpose))
	return m.Sum(nil)
}
