// Package nowplaying turns what DJ software reports while a set is played
// (VirtualDJ history, growing M3U playlists, Mixxx's and Engine DJ's
// history tables, Serato session files and Serato DJ Pro 4's master.sqlite,
// rekordbox's SQLCipher master.db, Traktor's Icecast broadcast enriched
// from its collection.nml, djay Pro's MediaLibrary.db, DJUCED's and other
// now-playing text files, Linux media players over MPRIS) into "this
// track started at T" events.
// A Spec ("kind[:location]", see Kinds) names a source for the app and the
// CLI. Watchers report what they see of their source as a Status
// (Options.OnStatus; a Tracker adds the plays) for the Live pane.
//
// Each source is a Watcher. Run watches with fsnotify and, because
// fsnotify misses changes on network drives and some editors' saves, also
// stats the files every Options.PollInterval (1 s by default), so a write
// is noticed within about a second either way. Only entries written after
// Run starts are events, plus the newest existing entry when it started
// less than Options.Recent ago (and its start time is known): a DJ who opens
// Pika! mid-track still gets that track announced.
package nowplaying

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Source names used in Event.Source and ParseSource.
const (
	SourceVirtualDJ = "virtualdj"
	SourceM3U       = "m3u"
	SourceMixxx     = "mixxx"
	SourceSerato    = "serato"
	SourceTraktor   = "traktor"
	SourceEngineDJ  = "engine"
	SourceMPRIS     = "mpris"
	SourceRekordbox = "rekordbox"
	SourceDJUCED    = "djuced"
	SourceSeratoDB  = "seratodb"
	SourceTextFile  = "textfile"
	SourceDjay      = "djay"
	SourceManual    = "manual"
)

// Event says that a track started playing. Path is the file as the DJ
// software names it (it may be a Windows path, or empty when the source
// only knows artist and title); Artist and Title are empty when the source
// does not give them. StartedAt is when the DJ software says the track
// started, or when the entry was noticed if the source has no times.
type Event struct {
	Source    string
	Path      string
	Artist    string
	Title     string
	StartedAt time.Time
	// BPM and Key, when the DJ software's library gives them (Traktor's
	// collection.nml); zero and empty otherwise. Key is a name ("A
	// minor") or whatever the software shows.
	BPM float64
	Key string
}

// Watcher is one source of events. Run sends events to out until ctx is
// done and then returns nil; it returns an error only when the source can
// never work (a malformed configuration). Files that do not exist yet are
// waited for, and unreadable or hostile content is logged and skipped.
type Watcher interface {
	Run(ctx context.Context, out chan<- Event) error
}

// Options tunes a watcher. The zero value is usable.
type Options struct {
	// Recent: at start, the newest existing entry is sent when it started
	// less than Recent ago. Zero sends only entries written after start.
	Recent time.Duration
	// Since, when set, is when the last play already relayed started (a
	// restart of Pika! within a session): at start every existing entry
	// that started after it is sent, oldest first, with its real start
	// time, instead of only the newest recent one. Entries at or before it
	// were relayed already and are not sent again. At most MaxCatchUp
	// entries are sent.
	Since time.Time
	// PollInterval is how often files are stat'ed besides fsnotify
	// (default 1 s).
	PollInterval time.Duration
	// Logger receives warnings about unreadable input (default slog.Default).
	Logger *slog.Logger
	// BroadcastPassword is the password the Traktor broadcast receiver
	// asks of its source (default: PIKA_BROADCAST_PASSWORD, else
	// DefaultBroadcastPassword).
	BroadcastPassword string
	// TraktorCollection is Traktor's collection.nml, used to add path,
	// BPM and key to broadcast plays (default: the newest "Traktor *"
	// folder under Documents/Native Instruments).
	TraktorCollection string
	// RekordboxKey is the passphrase of rekordbox's master.db (default:
	// PIKA_REKORDBOX_KEY, else the key rekordbox 6 and 7 use everywhere).
	RekordboxKey string
	// OnStatus, when set, is told what the watcher sees of its source
	// (found, not found, locked, wrong key…), typically Tracker.Report.
	// It is called from the watcher's goroutine and must not block.
	OnStatus func(Status)
	// Now is the clock (default time.Now); tests may set it.
	Now func() time.Time

	// ready, for tests, is called once the first look at the source is
	// done (existing entries skipped).
	ready func()
	// pollOnly, for benchmarks, leaves fsnotify out.
	pollOnly bool
}

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// MaxCatchUp bounds how many plays Options.Since catches up on: a night
// has far fewer; a wrong Since must not replay a whole history.
const MaxCatchUp = 200

// startEvents picks, from the entries a source already holds (oldest
// first), what is sent at start: those after Since when it is set, else
// the newest when it is recent (Options.Recent).
func (o Options) startEvents(all []Event) []Event {
	if !o.Since.IsZero() {
		var out []Event
		for _, e := range all {
			if !e.StartedAt.IsZero() && e.StartedAt.After(o.Since) {
				out = append(out, e)
			}
		}
		if len(out) > MaxCatchUp {
			o.Logger.Warn("nowplaying: more plays since the last one relayed than caught up on; sending the newest", "plays", len(out), "max", MaxCatchUp)
			out = out[len(out)-MaxCatchUp:]
		}
		return out
	}
	if n := len(all); n > 0 && o.recentEnough(all[n-1].StartedAt) {
		return all[n-1:]
	}
	return nil
}

// recentEnough reports whether an entry that started at t should be sent
// at start-up.
func (o Options) recentEnough(t time.Time) bool {
	return o.Recent > 0 && !t.IsZero() && o.Now().Sub(t) < o.Recent
}

// send delivers e unless ctx is done first.
func send(ctx context.Context, out chan<- Event, e Event) bool {
	select {
	case out <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

// Manual is the source for tracks the DJ picks by hand in the app: Play
// hands an event to the running Run.
type Manual struct {
	ch  chan Event
	opt Options
}

// NewManual returns a Manual source.
func NewManual() *Manual { return &Manual{ch: make(chan Event)} }

// newManual is NewManual with options (their OnStatus).
func newManual(opt Options) *Manual { m := NewManual(); m.opt = opt; return m }

// Play sends e (Source set to "manual", StartedAt to now when zero) to the
// Run loop; it blocks until Run takes it or ctx is done.
func (m *Manual) Play(ctx context.Context, e Event) error {
	e.Source = SourceManual
	if e.StartedAt.IsZero() {
		e.StartedAt = time.Now()
	}
	select {
	case m.ch <- e:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("manual play: %w", ctx.Err())
	}
}

// Run forwards played tracks to out until ctx is done.
func (m *Manual) Run(ctx context.Context, out chan<- Event) error {
	if m.opt.OnStatus != nil {
		m.opt.OnStatus(Status{State: StateWaiting})
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-m.ch:
			if !send(ctx, out, e) {
				return nil
			}
		}
	}
}
