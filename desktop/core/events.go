package core

import (
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/shared/protocol"
)

// Event is one thing the UI may show: one of the types below, a sealed set
// as livelink.Event is. Use a type switch.
type Event interface{ isEvent() }

// AnalysisProgress: the analysis queue moved on.
type AnalysisProgress struct{ library.Progress }

// LibraryChanged: a track changed (Track), or many did (Track nil: after
// an import or a batch of analyses).
type LibraryChanged struct{ Track *library.Track }

// Playing: a play was sent to the relay, or its numbers or playId
// arrived.
type Playing struct{ NowPlaying }

// Connected: the link to the relay is up.
type Connected struct{}

// Disconnected: the link dropped (Err says why); it retries after RetryIn,
// or, with RetryIn 0, does not (the relay refused the session: see the
// Error before it).
type Disconnected struct {
	Err     error
	RetryIn time.Duration
}

// SessionChanged: the session was registered, resumed or ended.
type SessionChanged struct{ Session }

// Likes: a play's like count changed.
type Likes struct{ protocol.LikeCount }

// Tempo: a play's tempo votes changed.
type Tempo struct{ protocol.TempoTally }

// Listeners: how many dancers have the page open.
type Listeners struct{ Count int }

// PollChanged: a poll started, its tallies changed or it closed.
type PollChanged struct{ protocol.Poll }

// AnnouncementShown: the relay confirmed a banner; At is when the core
// heard of it.
type AnnouncementShown struct {
	protocol.Announcement
	At time.Time
}

// AnnouncementCleared: the banner is gone.
type AnnouncementCleared struct{}

// Error is something the DJ should read.
type Error struct{ Err error }

// PINGuessed: someone is guessing the session's PIN. Wrong is how many
// wrong PINs the relay refused since the PIN was set; until LockedUntil
// (when set) the relay keeps new phones out, and changing the PIN
// (Core.SetPIN) lets them in again.
type PINGuessed struct {
	Wrong       int
	LockedUntil *time.Time
}

func (AnalysisProgress) isEvent()    {}
func (LibraryChanged) isEvent()      {}
func (ImportProgress) isEvent()      {}
func (Playing) isEvent()             {}
func (Connected) isEvent()           {}
func (Disconnected) isEvent()        {}
func (SessionChanged) isEvent()      {}
func (Likes) isEvent()               {}
func (Tempo) isEvent()               {}
func (Listeners) isEvent()           {}
func (PollChanged) isEvent()         {}
func (AnnouncementShown) isEvent()   {}
func (AnnouncementCleared) isEvent() {}
func (Error) isEvent()               {}
func (PINGuessed) isEvent()          {}

// ImportProgress (an event too) is how far a folder import has read.
type ImportProgress struct {
	Folder  string
	Files   int    // audio files looked at so far
	Current string // "" once the scan is over
}

// NowPlaying is a track the DJ software started, as sent to the relay.
type NowPlaying struct {
	Track     protocol.Track // what the dancers see
	LibraryID int64          // 0 when the track is not in the library
	Path      string         // as the DJ software named it
	Source    string         // "virtualdj", "manual"…
	StartedAt time.Time
	// Analysing is true while the track is being analysed on the spot: its
	// numbers follow in another NowPlaying event.
	Analysing bool
	// PlayID is the relay's id for the play, once the relay has echoed it.
	PlayID string
}

// Session is the live session.
type Session struct {
	ID      string
	Name    string
	DJName  string
	JoinURL string // for the QR code: public, never a LAN address ("" when unknown)
	// LocalJoinURL is the relay's own link when it is local (testing on
	// this machine); never show it as the QR code.
	LocalJoinURL string
	RecapURL     string
	Resumed      bool
	Ended        bool
	// EndedHere: End ended it on this computer without the relay's word
	// (see ErrEndedHere).
	EndedHere bool
}
