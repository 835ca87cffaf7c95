package settings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pikadj/pika/shared/protocol"
	"github.com/zalando/go-keyring"
)

// keyringService names Pika!'s keychain entry; tests use their own.
var keyringService = "Pika!"

const (
	keyringUser = "dj-token"
	// keyringTimeout bounds a keychain call: on a Linux box without a
	// session bus the Secret Service client can hang.
	keyringTimeout = 3 * time.Second
)

// ValidateToken checks that tok looks like a DJ token, without saying
// anything about its value in the error.
func ValidateToken(tok string) error {
	if !strings.HasPrefix(tok, protocol.TokenPrefix) || len(tok) > 100 || len(tok) <= len(protocol.TokenPrefix) {
		return errors.New("the token must start with " + protocol.TokenPrefix + " (copy it from your DJ page)")
	}
	for _, r := range tok {
		if r <= ' ' || r > '~' {
			return errors.New("the token contains spaces or unexpected characters")
		}
	}
	return nil
}

func (s *Store) tokenFile() string { return filepath.Join(s.dir, "token") }

// withTimeout runs a keychain call, giving up after keyringTimeout.
func withTimeout[T any](f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-time.After(keyringTimeout):
		var zero T
		return zero, errors.New("keychain did not answer")
	}
}

// useKeyring says whether to try the keychain: not when disabled, nor
// after it failed once in this process (no Secret Service on this Linux
// box), so a missing keychain costs one attempt, not one per call.
func (s *Store) useKeyring() bool { return s.keyring && !s.keyringDown.Load() }

func (s *Store) keyringFailed(err error) {
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		s.keyringDown.Store(true)
		slog.Debug("keychain unavailable; using a private token file", "err", err)
	}
}

// Token returns the saved DJ token, or "" when none is saved.
func (s *Store) Token() (string, error) {
	if s.useKeyring() {
		tok, err := withTimeout(func() (string, error) { return keyring.Get(keyringService, keyringUser) })
		if err == nil && tok != "" {
			return tok, nil
		}
		s.keyringFailed(err)
	}
	f, err := os.Open(s.tokenFile())
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return "", fmt.Errorf("read token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if err := ValidateToken(tok); err != nil {
		return "", fmt.Errorf("the saved token in %s is damaged: save it again", s.tokenFile())
	}
	return tok, nil
}

// SetToken saves the token in the keychain when there is one, else in a
// file only the user can read. An empty token forgets it.
func (s *Store) SetToken(tok string) error {
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return s.DeleteToken()
	}
	if err := ValidateToken(tok); err != nil {
		return err
	}
	if s.useKeyring() {
		_, err := withTimeout(func() (struct{}, error) {
			return struct{}{}, keyring.Set(keyringService, keyringUser, tok)
		})
		s.keyringFailed(err)
		if err == nil {
			// Never leave an older copy on disk once the keychain holds it.
			if rmErr := os.Remove(s.tokenFile()); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				return fmt.Errorf("remove old token file: %w", rmErr)
			}
			return nil
		}
	}
	return writeFileAtomic(s.dir, s.tokenFile(), []byte(tok+"\n"))
}

// DeleteToken forgets the token everywhere it may be.
func (s *Store) DeleteToken() error {
	if s.useKeyring() {
		_, err := withTimeout(func() (struct{}, error) {
			return struct{}{}, keyring.Delete(keyringService, keyringUser)
		})
		s.keyringFailed(err)
	}
	if err := os.Remove(s.tokenFile()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete token: %w", err)
	}
	return nil
}
