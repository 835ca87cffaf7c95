package nowplaying

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"
)

// State is what a watcher can tell of its source.
type State int

// States, in words a DJ reads in Status.Text.
const (
	StateStarting    State = iota // not looked yet
	StateWaiting                  // the source is read; no track played since
	StateFollowing                // tracks arrive: see Status.LastTrack
	StateNotFound                 // the file or folder does not exist (yet)
	StateLocked                   // the DJ program holds the database locked
	StateWrongKey                 // an encrypted database did not open with the key
	StateNoBroadcast              // the broadcast receiver listens; nothing streams
	StateUnreadable               // another problem: Status.Problem says which
	StateWrongFile                // the file is a database, not the DJ program's one
)

// Status says which source is followed, when it last gave a track, and why
// nothing arrives. Watchers report it through Options.OnStatus; a Tracker
// adds the plays.
type Status struct {
	Kind     string // a Kind's Name
	Location string // the file, folder or port looked at ("" when unknown)
	State    State
	Problem  string    // the underlying error, for StateUnreadable and StateLocked
	Since    time.Time // when State began
	// LastTrack is when the last play arrived (zero: none yet), LastTitle
	// its "Artist – Title".
	LastTrack time.Time
	LastTitle string
}

// Text is the status in a DJ's words, one line.
func (s Status) Text() string {
	name := s.Kind
	if k, ok := KindNamed(s.Kind); ok {
		name = k.Label
	}
	at := ""
	if s.Location != "" {
		at = " (" + s.Location + ")"
	}
	switch s.State {
	case StateStarting:
		return "Looking for " + name + at + "…"
	case StateWaiting, StateFollowing:
		if s.LastTrack.IsZero() {
			return "Following " + name + at + ": no track played yet"
		}
		return fmt.Sprintf("Following %s: last track at %s, %s", name, s.LastTrack.Local().Format("15:04"), s.LastTitle)
	case StateNotFound:
		return fmt.Sprintf("%s: %s not found. Is %s installed on this computer, and is this the right place? Pika! keeps looking.", name, orUnknown(s.Location), name)
	case StateLocked:
		return name + ": the database is locked by the DJ program; Pika! tries again every second."
	case StateWrongKey:
		return name + ": wrong key: the database does not open with the key Pika! has. " + RekordboxKeyHelp + "."
	case StateNoBroadcast:
		return fmt.Sprintf("%s: no broadcast yet on %s. Switch broadcasting on in Traktor (Preferences › Broadcasting: Address 127.0.0.1, Port %s).", name, orUnknown(s.Location), portOf(s.Location))
	case StateWrongFile:
		return fmt.Sprintf("%s: %s is not %s's database (the history Pika! reads is not in it). Check the place given for the source, or leave it empty for the usual one.", name, orUnknown(s.Location), name)
	default:
		return fmt.Sprintf("%s: cannot read%s: %s. Pika! tries again.", name, at, s.Problem)
	}
}

// OK reports whether the source is read without a problem.
func (s Status) OK() bool { return s.State == StateWaiting || s.State == StateFollowing }

func orUnknown(s string) string {
	if s == "" {
		return "the source"
	}
	return s
}

func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// statusOf classifies a watcher's error.
func statusOf(kind, loc string, err error) Status {
	s := Status{Kind: kind, Location: loc, State: StateWaiting}
	if err == nil {
		return s
	}
	var pe *fs.PathError
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.State = StateNotFound
		if errors.As(err, &pe) {
			s.Location = pe.Path
		}
	case errors.Is(err, ErrWrongKey):
		s.State = StateWrongKey
	case strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY"):
		s.State, s.Problem = StateLocked, msg
	case strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") ||
		strings.Contains(msg, "file is not a database") || strings.Contains(msg, "SQLITE_NOTADB"):
		// Another program's database, or not a database: waiting does
		// not help, the DJ has to name the right file.
		s.State, s.Problem = StateWrongFile, msg
	default:
		s.State, s.Problem = StateUnreadable, msg
	}
	return s
}

// report sends a status to Options.OnStatus.
func (o Options) report(s Status) {
	if o.OnStatus != nil {
		o.OnStatus(s)
	}
}

// Tracker keeps a source's Status: what its watcher reports plus the plays
// it sent. It calls onChange (outside its lock) each time the status
// changes, so a UI redraws on change only. Safe for concurrent use.
type Tracker struct {
	mu       sync.Mutex
	st       Status
	onChange func(Status)
	now      func() time.Time
}

// NewTracker starts a status for spec; onChange may be nil.
func NewTracker(spec Spec, onChange func(Status)) *Tracker {
	return &Tracker{st: Status{Kind: spec.Kind, Location: spec.Location, State: StateStarting, Since: time.Now()}, onChange: onChange, now: time.Now}
}

// Report takes a watcher's status (use it as Options.OnStatus).
func (t *Tracker) Report(s Status) {
	t.update(func(st *Status) {
		if s.Location == "" {
			s.Location = st.Location
		}
		s.LastTrack, s.LastTitle = st.LastTrack, st.LastTitle
		if s.State == StateWaiting && !s.LastTrack.IsZero() {
			s.State = StateFollowing
		}
		s.Kind, s.Since = st.Kind, st.Since
		*st = s
	})
}

// Played records a play the watcher sent.
func (t *Tracker) Played(e Event) {
	t.update(func(st *Status) {
		st.State, st.LastTrack = StateFollowing, e.StartedAt
		if st.LastTrack.IsZero() {
			st.LastTrack = t.now()
		}
		st.LastTitle = strings.TrimPrefix(e.Artist+" – "+e.Title, " – ")
		if e.Title == "" && e.Artist == "" {
			st.LastTitle = e.Path
		}
	})
}

// Status returns the current status.
func (t *Tracker) Status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st
}

func (t *Tracker) update(f func(*Status)) {
	t.mu.Lock()
	before := t.st
	f(&t.st)
	if t.st.State != before.State {
		t.st.Since = t.now()
	} else {
		t.st.Since = before.Since
	}
	after, changed := t.st, t.st != before
	t.mu.Unlock()
	if changed && t.onChange != nil {
		t.onChange(after)
	}
}
