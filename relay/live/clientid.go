package live

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/pikadj/pika/relay/internal/pinguard"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// Client ids are issued by the relay, so likes and votes count pages, not
// requests: "c" + 20 characters of randomness + 20 of their HMAC, with
// the session's id, under a key from the relay's secret, all base64url (41
// characters, a valid protocol id). An id is good for one session only, so
// ids cannot be gathered in sessions of one's own and spent in another. A
// page keeps its id across reloads; an id the relay did not sign for the
// session is replaced by a new one, and how many new ids one address gets
// per session is bounded (IDsPerAddress, refilling every IDRefill).
const (
	clientIDPrefix = "c"
	clientIDRand   = 15 // bytes → 20 base64url characters
	clientIDMAC    = 15
	clientIDLen    = 1 + 20 + 20
)

var b64 = base64.RawURLEncoding

func (m *Manager) signClientID(sessionID, random string) string {
	h := hmac.New(sha256.New, m.idKey)
	h.Write([]byte(sessionID + "\x00" + random))
	return b64.EncodeToString(h.Sum(nil)[:clientIDMAC])
}

// newClientID makes a fresh signed client id for a session.
func (m *Manager) newClientID(sessionID string) string {
	raw := make([]byte, clientIDRand)
	_, _ = rand.Read(raw) // crypto/rand does not fail on supported platforms
	r := b64.EncodeToString(raw)
	return clientIDPrefix + r + m.signClientID(sessionID, r)
}

// idScope is what a client id is signed for: the session, or for a set on
// a stage the stage, so a page that follows the room keeps its id from one
// DJ's set to the next (and still cannot spend it anywhere else).
func idScope(s store.Session) string {
	if s.StageID != "" {
		return "stage:" + s.StageID
	}
	return s.ID
}

// ValidClientID reports whether id is one this relay issued for the
// scope (idScope).
func (m *Manager) ValidClientID(sessionID, id string) bool {
	if len(id) != clientIDLen || !strings.HasPrefix(id, clientIDPrefix) {
		return false
	}
	r, mac := id[1:21], id[21:]
	return hmac.Equal([]byte(m.signClientID(sessionID, r)), []byte(mac))
}

// clientID is the id a dancer subscribes with: the one it presents when
// the relay signed it, else a new one, within the address's allowance
// for the session.
func (m *Manager) clientID(sessionID, presented, ip string) (string, *protocol.Error) {
	if m.ValidClientID(sessionID, presented) {
		return presented, nil
	}
	if !m.idLim.Allow(sessionID + "\x00" + pinguard.Prefix(ip)) {
		s := max(1, int(m.cfg.IDRefill/time.Second))
		return "", &protocol.Error{
			Code:        protocol.CodeRateLimited,
			Message:     fmt.Sprintf("too many new dancers from this network in this session; try again in %s", humanSeconds(s)),
			RetryAfterS: s,
		}
	}
	return m.newClientID(sessionID), nil
}
