package live

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// A revoked token ends what it holds: the DJ connections registered with
// it are closed within seconds. The revoke path tells the manager at once
// (RevokeToken); a periodic re-check of the held tokens against the
// database is the safety net (a token revoked while its connection was
// registering, or deleted by the 90-day purge).

// DefaultTokenCheckInterval is how often held tokens are re-checked.
const DefaultTokenCheckInterval = 10 * time.Second

// TokenRevoker is a Peer that can tell its client why it is closed when
// its token is revoked (an ERROR with protocol.MsgTokenRevoked, then close
// code protocol.CloseTokenRevoked). A Peer without it is kicked.
type TokenRevoker interface {
	TokenRevoked()
}

// tokenHolds maps each token id to the DJ connections registered with it.
type tokenHolds struct {
	mu      sync.Mutex
	byToken map[string]map[*DJ]struct{}
	tokenOf map[*DJ]string
}

// HoldToken records that d was registered with tokenID, so revoking that
// token closes d. If the token is already gone (revoked while d was
// registering), d is closed at once.
func (m *Manager) HoldToken(ctx context.Context, d *DJ, tokenID string) {
	h := &m.holds
	h.mu.Lock()
	if h.byToken == nil {
		h.byToken, h.tokenOf = map[string]map[*DJ]struct{}{}, map[*DJ]string{}
	}
	if h.byToken[tokenID] == nil {
		h.byToken[tokenID] = map[*DJ]struct{}{}
	}
	h.byToken[tokenID][d] = struct{}{}
	h.tokenOf[d] = tokenID
	h.mu.Unlock()
	live, err := m.st.TokensExist(ctx, []string{tokenID})
	if err != nil {
		m.log.Error("checking a DJ token failed", "err", err)
		return
	}
	if !live[tokenID] {
		m.RevokeToken(tokenID)
	}
}

// release forgets d's token; d is leaving.
func (h *tokenHolds) release(d *DJ) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id, ok := h.tokenOf[d]
	if !ok {
		return
	}
	delete(h.tokenOf, d)
	delete(h.byToken[id], d)
	if len(h.byToken[id]) == 0 {
		delete(h.byToken, id)
	}
}

// RevokeToken closes every DJ connection registered with tokenID and
// returns how many. Their sessions wait for the DJ as after any
// disconnect; resuming needs a valid token of the same account.
func (m *Manager) RevokeToken(tokenID string) int {
	h := &m.holds
	h.mu.Lock()
	var djs []*DJ
	for d := range h.byToken[tokenID] {
		djs = append(djs, d)
		delete(h.tokenOf, d)
	}
	delete(h.byToken, tokenID)
	h.mu.Unlock()
	for _, d := range djs {
		m.log.Info("dj connection closed: token revoked", "session", d.r.id, "token_id", tokenID)
		if tr, ok := d.peer.(TokenRevoker); ok {
			tr.TokenRevoked()
		} else {
			d.peer.Kick(protocol.MsgTokenRevoked)
		}
	}
	return len(djs)
}

// watchTokens re-checks the held tokens every interval until ctx is done.
func (m *Manager) watchTokens(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultTokenCheckInterval
	}
	every(ctx, interval, func() { m.recheckTokens(ctx) })
}

func (m *Manager) recheckTokens(ctx context.Context) {
	h := &m.holds
	h.mu.Lock()
	ids := make([]string, 0, len(h.byToken))
	for id := range h.byToken {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	live, err := m.st.TokensExist(ctx, ids)
	if err != nil {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
			m.log.Error("re-checking DJ tokens failed", "err", err)
		}
		return
	}
	for _, id := range ids {
		if !live[id] {
			m.RevokeToken(id)
		}
	}
}
