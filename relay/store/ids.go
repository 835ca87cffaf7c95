package store

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns a random 16-hex-character id for sessions, plays, polls and
// the like: unguessable enough for join links, short enough to type.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b[:])
}
