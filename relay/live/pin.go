package live

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// pinHashV2 marks a PIN hash keyed with the relay's secret:
// "h2$SALT$HEX(HMAC-SHA256(key, SALT NUL PIN))". The key lives outside the
// database, so a backup alone does not give the PINs away to someone
// trying every 4–8 digit value. Hashes from before it ("SALT$HEX",
// SHA-256 without a key) still match and are rehashed with the key on the
// next right PIN.
const pinHashV2 = "h2$"

func (m *Manager) hashPIN(pin string) string {
	salt := store.NewID()
	return pinHashV2 + salt + "$" + m.pinMAC(salt, pin)
}

func (m *Manager) pinMAC(salt, pin string) string {
	h := hmac.New(sha256.New, m.pinKey)
	h.Write([]byte(salt + "\x00" + pin))
	return hex.EncodeToString(h.Sum(nil))
}

// pinMatches checks a PIN; legacy reports a match against an unkeyed hash.
func (m *Manager) pinMatches(stored, pin string) (ok, legacy bool) {
	if rest, v2 := strings.CutPrefix(stored, pinHashV2); v2 {
		salt, want, ok := strings.Cut(rest, "$")
		return ok && subtle.ConstantTimeCompare([]byte(m.pinMAC(salt, pin)), []byte(want)) == 1, false
	}
	salt, want, ok := strings.Cut(stored, "$")
	if !ok {
		return false, false
	}
	sum := sha256.Sum256([]byte(salt + "\x00" + pin))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1, true
}

// pinLocked is the answer while an address may not try a PIN.
func pinLocked(retry time.Duration) *protocol.Error {
	s := max(1, int((retry+time.Second-1)/time.Second))
	return &protocol.Error{
		Code:        protocol.CodePINLocked,
		Message:     fmt.Sprintf("too many wrong PINs: try again in %s", humanSeconds(s)),
		RetryAfterS: s,
	}
}

func humanSeconds(s int) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%d s", s)
	case s < 2*3600:
		return fmt.Sprintf("%d min", (s+59)/60)
	}
	return fmt.Sprintf("%d h", (s+3599)/3600)
}

// checkPIN verifies a PIN for a protected session. An empty PIN is a page
// asking, not a guess, and is refused without counting. Otherwise the
// guard decides first: an address over its limit is refused whatever the
// PIN, so the right one cannot be found by walking. A wrong PIN counts
// against the address and the session, and the DJ hears of it.
func (m *Manager) checkPIN(ctx context.Context, sess store.Session, pin, ip string) *protocol.Error {
	if sess.PinHash == "" {
		return nil
	}
	if pin == "" {
		return errPINNeeded
	}
	prefix := pinguard.Prefix(ip)
	if retry, ok := m.guard.Check(sess.ID, prefix); !ok {
		return pinLocked(retry)
	}
	ok, legacy := m.pinMatches(sess.PinHash, pin)
	if ok {
		m.guard.Right(sess.ID, prefix)
		if legacy {
			m.rehash(ctx, sess.ID, sess.PinHash, pin)
		}
		return nil
	}
	wrong, retry := m.guard.Wrong(sess.ID, prefix)
	m.pinGuessed(sess.ID, wrong)
	if retry > 0 {
		return pinLocked(retry)
	}
	return errWrongPIN
}

// rehash replaces an unkeyed PIN hash with a keyed one, in the room too.
func (m *Manager) rehash(ctx context.Context, sessionID, old, pin string) {
	h := m.hashPIN(pin)
	m.mu.Lock()
	r := m.rooms[sessionID]
	m.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		if r.sess.PinHash != old {
			r.mu.Unlock()
			return
		}
		r.sess.PinHash = h
		r.mu.Unlock()
	}
	done, err := m.st.ReplacePinHash(ctx, sessionID, old, h)
	if err != nil {
		m.log.Error("rehashing a PIN with the relay secret failed", "session", sessionID, "err", err)
		return
	}
	if done {
		m.log.Info("pin rehashed with the relay secret", "session", sessionID)
	}
}

// pinNotifyEvery coalesces the DJ's PIN_GUESSES while a guesser is busy.
const pinNotifyEvery = time.Second

// pinGuessed tells the session's DJ, at most once a second, how many
// wrong PINs the session has taken.
func (m *Manager) pinGuessed(sessionID string, wrong int) {
	m.log.Warn("wrong pin", "session", sessionID, "wrong", wrong)
	m.mu.Lock()
	r := m.rooms[sessionID]
	m.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pinNotify != nil {
		return
	}
	r.pinNotify = time.AfterFunc(pinNotifyEvery, func() {
		r.mu.Lock()
		r.pinNotify = nil
		r.mu.Unlock()
		r.sendPINGuesses()
	})
}

// sendPINGuesses sends the DJ, if connected, the session's wrong PINs.
func (r *Room) sendPINGuesses() {
	wrong, until := r.m.guard.Status(r.id)
	r.mu.Lock()
	dj := r.dj
	r.mu.Unlock()
	if dj == nil || wrong == 0 {
		return
	}
	g := protocol.PINGuesses{Wrong: wrong}
	if time.Now().Before(until) {
		u := until.UTC().Truncate(time.Millisecond)
		g.LockedUntil = &u
	}
	dj.Deliver(hub.NewMessage(protocol.TypePINGuesses, g))
}

// SetPIN changes the session's PIN while it is live (empty: no PIN).
// Dancers already in stay in; the session's count of wrong PINs starts
// again, since guesses at the old PIN tell nothing about the new one.
func (d *DJ) SetPIN(ctx context.Context, sp *protocol.SetPIN) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	r := d.r
	var h string
	if sp.PIN != "" {
		h = r.m.hashPIN(sp.PIN)
	}
	if err := r.m.st.SetPinHash(ctx, r.id, h); err != nil {
		return r.m.storeErr("set pin", err)
	}
	r.mu.Lock()
	r.sess.PinHash = h
	r.mu.Unlock()
	r.m.guard.Reset(r.id)
	r.m.log.Info("pin changed", "session", r.id, "protected", h != "")
	return nil
}
