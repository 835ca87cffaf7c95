// Package auth holds the rules for DJ credentials: token format and
// hashing, email normalisation and password limits.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/pikadj/pika/shared/protocol"
)

// Password limits. bcrypt reads at most 72 bytes; longer passwords are
// refused rather than silently truncated.
const (
	MinPasswordLen  = 10
	MaxPasswordLen  = 72
	MaxEmailLen     = 254
	MaxNameLen      = 60
	MaxTokenNameLen = 60
)

// NewToken returns a fresh raw token: the prefix and 32 random hex chars.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return protocol.TokenPrefix + hex.EncodeToString(b[:])
}

// HashToken is what the database stores instead of the token.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// LooksLikeToken reports whether raw has the shape of a DJ token, so
// garbage is refused before a database look-up.
func LooksLikeToken(raw string) bool {
	if len(raw) != len(protocol.TokenPrefix)+32 || !strings.HasPrefix(raw, protocol.TokenPrefix) {
		return false
	}
	_, err := hex.DecodeString(raw[len(protocol.TokenPrefix):])
	return err == nil
}

// NormaliseEmail trims and lower-cases an address and checks its shape.
func NormaliseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("email is required")
	}
	if len(s) > MaxEmailLen {
		return "", errors.New("email is too long")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", errors.New("email is not a valid address")
	}
	return s, nil
}

// CheckPassword applies the password rules.
func CheckPassword(p string) error {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLen:
		return errors.New("password must be at least 10 characters")
	case len(p) > MaxPasswordLen:
		return errors.New("password must be at most 72 bytes")
	}
	return nil
}

// CleanName trims a display or token name and checks it with the
// protocol's text rules (no control or invisible characters).
func CleanName(what, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New(what + " is required")
	case utf8.ValidString(s) && utf8.RuneCountInString(s) > max:
		return "", errors.New(what + " is too long")
	}
	if err := protocol.CheckText(what, s, protocol.SingleLine); err != nil {
		return "", err
	}
	return s, nil
}
