package core

import (
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/shared/protocol"
)

// EventKind says which fields of an Event are set.
type EventKind string

// Event kinds.
const (
	EventAnalysis     EventKind = "analysis"     // Progress
	EventLibrary      EventKind = "library"      // Track (nil: many tracks changed, e.g. after an import)
	EventImport       EventKind = "import"       // Import: a folder scan's progress
	EventNowPlaying   EventKind = "now_playing"  // NowPlaying
	EventConnection   EventKind = "connection"   // Connected, Err (why it dropped), RetryIn
	EventSession      EventKind = "session"      // Session (registered, resumed or ended)
	EventLikes        EventKind = "likes"        // Likes
	EventTempo        EventKind = "tempo"        // Tempo
	EventListeners    EventKind = "listeners"    // Listeners
	EventPoll         EventKind = "poll"         // Poll (started, updated or closed)
	EventAnnouncement EventKind = "announcement" // Announcement (nil: cleared)
	EventError        EventKind = "error"        // Err: something the DJ should read
)

// Event is one thing the UI may show. Only the fields of its Kind are set.
type Event struct {
	Kind       EventKind
	Time       time.Time
	Progress   *library.Progress
	Track      *library.Track
	Import     *ImportProgress
	NowPlaying *NowPlaying
	Connected  bool
	// RetryIn is when the link tries again after a drop; 0 when it does
	// not (the relay refused the session: see the EventError before it).
	RetryIn      time.Duration
	Session      *Session
	Likes        *protocol.LikeCount
	Tempo        *protocol.TempoTally
	Listeners    int
	Poll         *protocol.Poll
	Announcement *protocol.Announcement
	Err          error
}

// ImportProgress is how far a folder import has read.
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
}

// hub fans events out to subscribers. A slow subscriber loses old events
// (its channel keeps the newest), never blocks the core.
type hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

func newHub() *hub { return &hub{subs: map[chan Event]struct{}{}} }

func (h *hub) subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 256)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

func (h *hub) publish(e Event) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- e:
			default:
			}
		}
	}
}
