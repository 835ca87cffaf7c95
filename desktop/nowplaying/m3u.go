package nowplaying

import (
	"context"
	"errors"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// m3uParser reads M3U/M3U8 lines: "#EXTINF:secs,Artist - Title" and
// VirtualDJ's "#EXTVDJ:<tag>value</tag>…" describe the path line that
// follows them; other comments are ignored.
type m3uParser struct {
	source string
	// day is the local date of a VirtualDJ history file, used when an
	// entry has only <time>hh:mm</time>.
	day     time.Time
	pending *Event
	// hasVDJ and hasINF say which descriptions pending already holds.
	hasVDJ, hasINF bool
}

// maxText bounds artist and title, as the relay does (protocol's
// MaxArtistTitleLen): longer text is cut rather than refused.
const maxText = 300

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxText]))
}

var (
	vdjTag = regexp.MustCompile(`<([A-Za-z]+)>([^<]*)</([A-Za-z]+)>`)
	hhmm   = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$`)
)

// line feeds one line; it returns an event when the line completes an
// entry. StartedAt is zero when the entry carries no time.
func (p *m3uParser) line(s string) (Event, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Event{}, false
	case hasPrefixFold(s, "#EXTVDJ:"):
		if p.hasVDJ {
			p.pending = nil // a second description without a path: the first was orphaned
		}
		e := p.pendingEvent()
		p.hasVDJ = true
		parseVDJTags(s[len("#EXTVDJ:"):], e, p.day)
		e.Artist, e.Title = clip(e.Artist), clip(e.Title)
		return Event{}, false
	case hasPrefixFold(s, "#EXTINF:"):
		if p.hasINF {
			p.pending = nil
		}
		e := p.pendingEvent()
		p.hasINF = true
		// When both describe the entry, VirtualDJ's tags win.
		if info, ok := extinfTitle(s[len("#EXTINF:"):]); ok && e.Artist == "" && e.Title == "" {
			e.Artist, e.Title = splitArtistTitle(info)
			e.Artist, e.Title = clip(e.Artist), clip(e.Title)
		}
		return Event{}, false
	case strings.HasPrefix(s, "#"):
		return Event{}, false
	}
	e := Event{Source: p.source}
	if p.pending != nil {
		e = *p.pending
	}
	p.pending, p.hasVDJ, p.hasINF = nil, false, false
	e.Path = s
	return e, true
}

func (p *m3uParser) pendingEvent() *Event {
	if p.pending == nil {
		p.pending = &Event{Source: p.source}
	}
	return p.pending
}

// parseVDJTags fills e from VirtualDJ's tags. The tags' order varies
// between versions, so they are read by name; values are XML-escaped.
func parseVDJTags(s string, e *Event, day time.Time) {
	var clock string
	for _, m := range vdjTag.FindAllStringSubmatch(s, -1) {
		if !strings.EqualFold(m[1], m[3]) {
			continue
		}
		v := strings.TrimSpace(html.UnescapeString(m[2]))
		switch strings.ToLower(m[1]) {
		case "artist":
			e.Artist = v
		case "title":
			e.Title = v
		case "lastplaytime":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 946684800 && n < 1<<36 {
				e.StartedAt = time.Unix(n, 0)
			}
		case "time":
			clock = v
		}
	}
	if e.StartedAt.IsZero() && clock != "" {
		if t, ok := clockOn(day, clock); ok {
			e.StartedAt = t
		}
	}
}

// clockOn returns the local time hh:mm[:ss] on day (today when day is zero).
func clockOn(day time.Time, clock string) (time.Time, bool) {
	m := hhmm.FindStringSubmatch(clock)
	if m == nil {
		return time.Time{}, false
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec := 0
	if m[3] != "" {
		sec, _ = strconv.Atoi(m[3])
	}
	if h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day.IsZero() {
		day = time.Now()
	}
	y, mo, d := day.Date()
	return time.Date(y, mo, d, h, mi, sec, 0, time.Local), true
}

// extinfTitle returns the text after the first comma that is outside
// the quoted attribute values (`-1 tvg-name="a,b",Artist - Title`).
func extinfTitle(s string) (string, bool) {
	quoted := false
	for i, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			return s[i+1:], true
		}
	}
	return "", false
}

// splitArtistTitle splits "Artist - Title"; without the separator the
// whole text is the title.
func splitArtistTitle(s string) (artist, title string) {
	s = strings.TrimSpace(s)
	if a, t, ok := strings.Cut(s, " - "); ok {
		return strings.TrimSpace(a), strings.TrimSpace(t)
	}
	return "", s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// M3U watches one M3U/M3U8 playlist or history file that grows as tracks
// are played; each new path line is an event. Such files carry no times
// unless they are VirtualDJ's (#EXTVDJ), so StartedAt is usually when the
// line was noticed. A file that is truncated or replaced is read again
// from its start.
type M3U struct {
	path string
	opt  Options
}

// NewM3U returns a watcher for the playlist at path.
func NewM3U(path string, opt Options) *M3U { return &M3U{path: path, opt: opt.withDefaults()} }

// Run implements Watcher.
func (w *M3U) Run(ctx context.Context, out chan<- Event) error {
	f := newM3UFollower(w.path, SourceM3U, time.Time{}, w.opt)
	started := false
	return watchLoop(ctx, []string{filepath.Dir(w.path)}, w.opt, func() error {
		if !started {
			if _, err := os.Stat(w.path); errors.Is(err, fs.ErrNotExist) {
				// Not there yet: everything it will hold is new.
				started = true
				return err
			}
			evs, err := f.start()
			if err != nil {
				return err
			}
			started = true
			return sendAll(ctx, out, evs)
		}
		evs, err := f.next()
		if err != nil {
			return err
		}
		return sendAll(ctx, out, evs)
	})
}

func sendAll(ctx context.Context, out chan<- Event, evs []Event) error {
	for _, e := range evs {
		if !send(ctx, out, e) {
			return ctx.Err()
		}
	}
	return nil
}

// m3uFollower tails one playlist file, remembering recent timed entries
// so a rewritten file does not announce them twice.
type m3uFollower struct {
	tail   lineTail
	parser m3uParser
	opt    Options
	seen   *seenSet
}

func newM3UFollower(path, source string, day time.Time, opt Options) *m3uFollower {
	return &m3uFollower{
		tail:   lineTail{path: path},
		parser: m3uParser{source: source, day: day},
		opt:    opt,
		seen:   newSeenSet(4096),
	}
}

// start skips what the file already holds; it returns what
// Options.startEvents picks of it.
func (f *m3uFollower) start() ([]Event, error) {
	lines, err := f.tail.skipToEnd()
	if err != nil {
		return nil, err
	}
	var all []Event
	for _, l := range lines {
		if e, ok := f.parser.line(l); ok {
			f.seen.add(e)
			all = append(all, e)
		}
	}
	return f.opt.startEvents(all), nil
}

// next returns the entries completed since the last call.
func (f *m3uFollower) next() ([]Event, error) {
	var evs []Event
	for {
		lines, reset, err := f.tail.lines()
		if err != nil {
			return evs, err
		}
		if reset {
			f.parser.pending = nil
		}
		if len(lines) == 0 {
			return evs, nil
		}
		for _, l := range lines {
			e, ok := f.parser.line(l)
			if !ok || !f.seen.add(e) {
				continue
			}
			if e.StartedAt.IsZero() {
				e.StartedAt = f.opt.Now()
			}
			evs = append(evs, e)
		}
	}
}

// seenSet remembers entries with a known start time, bounded, oldest
// forgotten first. Entries without a time are never duplicates: the same
// song may be played twice.
type seenSet struct {
	max   int
	keys  map[string]bool
	order []string
}

func newSeenSet(max int) *seenSet { return &seenSet{max: max, keys: map[string]bool{}} }

// add records e and reports whether it was new.
func (s *seenSet) add(e Event) bool {
	if e.StartedAt.IsZero() {
		return true
	}
	k := e.StartedAt.UTC().Format(time.RFC3339Nano) + "\x00" + e.Path + "\x00" + e.Artist + "\x00" + e.Title
	if s.keys[k] {
		return false
	}
	s.keys[k] = true
	s.order = append(s.order, k)
	if len(s.order) > s.max {
		delete(s.keys, s.order[0])
		s.order = s.order[1:]
	}
	return true
}
