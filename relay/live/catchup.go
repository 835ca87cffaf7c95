package live

import "github.com/pikadj/pika/relay/hub"

// CatchUpLimit is how many of a session's latest broadcasts its room keeps
// for pages that reconnect: a page that missed no more than these gets
// just them (CAUGHT_UP) instead of a whole SESSION_STATE, which is what
// keeps a venue's Wi-Fi coming back from becoming a stampede of state
// reads. It stays under a dancer connection's queue (64 frames). With the
// counters coalesced to a frame a second or so, it covers a drop of some
// 20 to 60 seconds in a busy room.
const CatchUpLimit = 48

// catchUp is where a subscriber stands among the room's broadcasts.
type catchUp struct {
	epoch  string
	seq    uint64
	missed int
	caught bool
}

// numbered is a broadcast with its number.
type numbered struct {
	seq uint64
	m   *hub.Message
}

// remember keeps m as broadcast seq; callers hold pubMu.
func (r *Room) remember(seq uint64, m *hub.Message) {
	if len(r.recent) == CatchUpLimit {
		copy(r.recent, r.recent[1:])
		r.recent = r.recent[:CatchUpLimit-1]
	}
	r.recent = append(r.recent, numbered{seq, m})
}

// subscribeFrom adds peer to the room's broadcasts. When the page's last
// broadcast (epoch, since) is of this room and everything after it is
// still kept, those broadcasts are delivered to peer first, in order, and
// caught is true; otherwise the caller sends a whole state, and seq is
// where that state stands (for a mirror that has seen no broadcast yet,
// epoch is empty and the owner's state says where it stands). Nothing is published meanwhile, so no
// broadcast is missed or doubled between the two.
func (r *Room) subscribeFrom(peer Peer, epoch string, since uint64) (unsub func(), roomEpoch string, seq uint64, missed int, caught bool) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	if epoch != "" && epoch == r.epoch && since <= r.seq && (since == r.seq || len(r.recent) > 0 && r.recent[0].seq <= since+1) {
		for _, n := range r.recent {
			if n.seq > since {
				peer.Deliver(n.m)
				missed++
			}
		}
		caught = true
	}
	return r.fan.Subscribe(r.id, peer), r.epoch, r.seq, missed, caught
}
