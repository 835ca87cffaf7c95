package nowplaying

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// VirtualDJ watches VirtualDJ's History folder. VirtualDJ writes one
// History/YYYY-MM-DD.m3u per day, each played track an #EXTVDJ line
// (artist, title, <lastplaytime> in Unix seconds, <time> hh:mm) followed by
// its path. The newest file is followed; when a new day's file appears
// (midnight) the old one is read to its end and the new one from its start.
// When there is no .m3u at all, History/tracklist.txt ("hh:mm : Artist -
// Title" lines) is followed instead.
type VirtualDJ struct {
	dir string
	opt Options
}

// NewVirtualDJ returns a watcher for the VirtualDJ folder dir (the folder
// holding History, or the History folder itself).
func NewVirtualDJ(dir string, opt Options) *VirtualDJ {
	return &VirtualDJ{dir: dir, opt: opt.withDefaults()}
}

var vdjHistoryName = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})\.m3u8?$`)

// historyDir returns the History folder inside dir, or dir itself.
func (w *VirtualDJ) historyDir() string {
	h := filepath.Join(w.dir, "History")
	if fi, err := os.Stat(h); err == nil && fi.IsDir() {
		return h
	}
	if strings.EqualFold(filepath.Base(w.dir), "History") {
		return w.dir
	}
	return h
}

// newestHistory returns the name of the newest dated history file.
func newestHistory(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && vdjHistoryName.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "", nil
	}
	sort.Strings(names)
	return names[len(names)-1], nil
}

func historyDay(name string) time.Time {
	m := vdjHistoryName.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", m[1]+"-"+m[2]+"-"+m[3], time.Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Run implements Watcher.
func (w *VirtualDJ) Run(ctx context.Context, out chan<- Event) error {
	st := &vdjState{w: w, hist: w.historyDir()}
	return watchLoop(ctx, []string{st.hist, w.dir}, w.opt, func() error {
		if st.hist != w.historyDir() {
			// History appeared after start.
			st.hist = w.historyDir()
		}
		evs, err := st.check()
		if sendErr := sendAll(ctx, out, evs); sendErr != nil {
			return sendErr
		}
		return err
	})
}

type vdjState struct {
	w       *VirtualDJ
	hist    string
	started bool
	name    string // current file name; "tracklist.txt" in tracklist mode
	m3u     *m3uFollower
	tl      *tracklistFollower
}

func (s *vdjState) check() ([]Event, error) {
	newest, err := newestHistory(s.hist)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			s.started = true // History appears with the first track played
		}
		return nil, err
	}
	var evs []Event
	if newest == "" {
		if _, err := os.Stat(filepath.Join(s.hist, "tracklist.txt")); err != nil {
			s.started = true // nothing yet: whatever appears later is new
			return nil, nil
		}
		newest = "tracklist.txt"
	}
	if newest != s.name {
		// Finish the old file first so the last track before midnight is
		// not lost, then follow the new one.
		if more, err := s.next(); err == nil {
			evs = append(evs, more...)
		}
		s.open(newest)
		if !s.started {
			s.started = true
			first, err := s.start()
			return append(evs, first...), err
		}
	}
	s.started = true
	more, err := s.next()
	return append(evs, more...), err
}

func (s *vdjState) open(name string) {
	s.name = name
	s.m3u, s.tl = nil, nil
	path := filepath.Join(s.hist, name)
	if name == "tracklist.txt" {
		s.tl = &tracklistFollower{tail: lineTail{path: path}, opt: s.w.opt}
		return
	}
	s.m3u = newM3UFollower(path, SourceVirtualDJ, historyDay(name), s.w.opt)
}

func (s *vdjState) start() ([]Event, error) {
	if s.tl != nil {
		return s.tl.start()
	}
	if s.m3u != nil {
		return s.m3u.start()
	}
	return nil, nil
}

func (s *vdjState) next() ([]Event, error) {
	if s.tl != nil {
		return s.tl.next()
	}
	if s.m3u != nil {
		return s.m3u.next()
	}
	return nil, nil
}

// tracklistFollower tails VirtualDJ's tracklist.txt. Its lines carry only
// hh:mm, taken as today's local time (yesterday's when that would be in
// the future, for sets that cross midnight).
type tracklistFollower struct {
	tail lineTail
	opt  Options
}

var tracklistLine = regexp.MustCompile(`^\s*(\d{1,2}:\d{2})\s*:\s*(.+?)\s*$`)

func (f *tracklistFollower) parse(l string) (Event, bool) {
	m := tracklistLine.FindStringSubmatch(l)
	if m == nil {
		return Event{}, false
	}
	now := f.opt.Now()
	t, ok := clockOn(now, m[1])
	if !ok {
		return Event{}, false
	}
	if t.After(now.Add(time.Minute)) {
		t = t.AddDate(0, 0, -1)
	}
	artist, title := splitArtistTitle(m[2])
	return Event{Source: SourceVirtualDJ, Artist: clip(artist), Title: clip(title), StartedAt: t}, true
}

func (f *tracklistFollower) start() ([]Event, error) {
	lines, err := f.tail.skipToEnd()
	if err != nil {
		return nil, err
	}
	var all []Event
	for _, l := range lines {
		if e, ok := f.parse(l); ok {
			all = append(all, e)
		}
	}
	return f.opt.startEvents(all), nil
}

func (f *tracklistFollower) next() ([]Event, error) {
	var evs []Event
	for {
		lines, _, err := f.tail.lines()
		if err != nil || len(lines) == 0 {
			return evs, err
		}
		for _, l := range lines {
			if e, ok := f.parse(l); ok {
				evs = append(evs, e)
			}
		}
	}
}
