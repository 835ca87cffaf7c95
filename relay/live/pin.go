package live

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// hashPIN salts and hashes a PIN. PINs are short, so the real protection
// is the per-IP limit on wrong guesses; the hash keeps them out of backups.
func hashPIN(pin string) string {
	salt := store.NewID()
	sum := sha256.Sum256([]byte(salt + "\x00" + pin))
	return salt + "$" + hex.EncodeToString(sum[:])
}

func pinMatches(stored, pin string) bool {
	salt, want, ok := strings.Cut(stored, "$")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(salt + "\x00" + pin))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1
}

// checkPIN verifies a PIN for a protected session. Wrong guesses are
// limited per (session, IP): a venue's dancers share one address, and a
// page that first asks without a PIN is not guessing, so an empty PIN is
// refused without counting. The limit is checked only after a PIN fails to
// match, so the right PIN always gets through.
func (m *Manager) checkPIN(sess store.Session, pin, ip string) *protocol.Error {
	if sess.PinHash == "" {
		return nil
	}
	if pin == "" {
		return errPINNeeded
	}
	if pinMatches(sess.PinHash, pin) {
		return nil
	}
	key := sess.ID + "\x00" + ip
	if m.pinLim.Blocked(key) {
		return errPINLimited
	}
	m.pinLim.Allow(key)
	return errWrongPIN
}
