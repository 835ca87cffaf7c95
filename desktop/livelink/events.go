package livelink

import (
	"time"

	"github.com/pikadj/pika/shared/protocol"
)

// Event is something the UI may show. Use a type switch over the concrete
// types below.
type Event interface{ isEvent() }

// Connected: the WebSocket to the relay is open (registration follows).
type Connected struct{}

// Disconnected: the connection dropped or could not be made; the client
// retries after RetryIn (zero when it stopped trying: not live any more).
type Disconnected struct {
	Err     error
	RetryIn time.Duration
}

// Registered: the session is live (new or resumed).
type Registered struct{ Session Session }

// PlayStarted: the relay broadcast a now-playing (the DJ's own, echoed
// with its playId, which likes and votes refer to).
type PlayStarted struct{ Play protocol.Play }

// Likes: a play's like count changed.
type Likes struct{ protocol.LikeCount }

// Tempo: a play's tempo votes changed.
type Tempo struct{ protocol.TempoTally }

// PollStarted: a poll opened.
type PollStarted struct{ protocol.PollStarted }

// PollUpdate: a poll's tallies changed; Closed is true for POLL_CLOSED.
type PollUpdate struct {
	protocol.PollTallies
	Closed bool
}

// Announcement: a banner is shown to the dancers.
type Announcement struct{ protocol.Announcement }

// AnnouncementCleared: the banner is gone.
type AnnouncementCleared struct{}

// Listeners: how many dancers have the page open.
type Listeners struct{ Count int }

// SessionEnded: the session ended (by End or by the relay).
type SessionEnded struct{ RecapURL string }

// Error: the relay refused something (a message from the outbox, the
// registration). Type is the refused frame's type when known.
type Error struct {
	Type protocol.Type
	Err  *protocol.Error
}

// OutboxDropped: messages were dropped from the outbox. Without Stale the
// outbox was full and its oldest went; with Stale they were queued for an
// earlier session (Session, "" when unknown) that could not be resumed, and
// are not replayed into the new one.
type OutboxDropped struct {
	Count   int
	Stale   bool
	Session string
}

func (Connected) isEvent()           {}
func (Disconnected) isEvent()        {}
func (Registered) isEvent()          {}
func (PlayStarted) isEvent()         {}
func (Likes) isEvent()               {}
func (Tempo) isEvent()               {}
func (PollStarted) isEvent()         {}
func (PollUpdate) isEvent()          {}
func (Announcement) isEvent()        {}
func (AnnouncementCleared) isEvent() {}
func (Listeners) isEvent()           {}
func (SessionEnded) isEvent()        {}
func (Error) isEvent()               {}
func (OutboxDropped) isEvent()       {}

// PINGuesses: someone is guessing the session's PIN: Wrong wrong PINs
// since it was set (see protocol.PINGuesses).
type PINGuesses struct{ protocol.PINGuesses }

func (PINGuesses) isEvent() {}

// State: the relay's full picture of the session (sent after a resume).
type State struct{ protocol.SessionState }

func (State) isEvent() {}
