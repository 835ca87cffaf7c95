package nowplaying

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf16"
)

// Serato watches the newest _Serato_/History/Sessions/*.session file.
// A session file is a sequence of chunks (4-byte ASCII tag, 4-byte
// big-endian length, content): a "vrsn" header, then one "oent" per track
// loaded, wrapping an "adat" whose fields are (4-byte id, 4-byte length,
// value). Fields used: 1 row id, 2 path (UTF-16BE), 6 title, 7 artist,
// 28 start time (Unix seconds), 50 played (one byte). An entry is an event
// once it has a start time and is not marked unplayed; an entry whose
// bytes are not all written yet waits.
type Serato struct {
	dir string
	opt Options
}

// NewSerato returns a watcher for the _Serato_ folder dir (or its
// History/Sessions folder).
func NewSerato(dir string, opt Options) *Serato { return &Serato{dir: dir, opt: opt.withDefaults()} }

func (w *Serato) sessionsDir() string {
	if strings.EqualFold(filepath.Base(w.dir), "Sessions") {
		return w.dir
	}
	return filepath.Join(w.dir, "History", "Sessions")
}

// Serato adat field ids.
const (
	seratoRow     = 1
	seratoPath    = 2
	seratoTitle   = 6
	seratoArtist  = 7
	seratoStart   = 28
	seratoPlayed  = 50
	maxSessionLen = 64 << 20
)

// seratoEntry is one parsed oent.
type seratoEntry struct {
	key    string
	event  Event
	played bool
}

// parseSeratoSession reads the complete entries of a session file. It
// never panics on hostile bytes: a chunk that claims more bytes than
// remain ends the parse (it may still be being written).
func parseSeratoSession(b []byte) []seratoEntry {
	var out []seratoEntry
	idx := 0
	for len(b) >= 8 {
		tag := string(b[:4])
		n := binary.BigEndian.Uint32(b[4:8])
		if uint64(n) > uint64(len(b)-8) {
			break
		}
		body := b[8 : 8+n]
		b = b[8+n:]
		if tag != "oent" {
			continue
		}
		idx++
		for len(body) >= 8 {
			t := string(body[:4])
			m := binary.BigEndian.Uint32(body[4:8])
			if uint64(m) > uint64(len(body)-8) {
				break
			}
			if t == "adat" {
				if e, ok := parseSeratoAdat(body[8:8+m], idx); ok {
					out = append(out, e)
				}
			}
			body = body[8+m:]
		}
	}
	return out
}

func parseSeratoAdat(b []byte, idx int) (seratoEntry, bool) {
	e := seratoEntry{played: true, event: Event{Source: SourceSerato}}
	row := ""
	for len(b) >= 8 {
		id := binary.BigEndian.Uint32(b[:4])
		n := binary.BigEndian.Uint32(b[4:8])
		if uint64(n) > uint64(len(b)-8) {
			return e, false
		}
		v := b[8 : 8+n]
		b = b[8+n:]
		switch id {
		case seratoRow:
			if len(v) == 4 {
				row = "r" + itoa(binary.BigEndian.Uint32(v))
			}
		case seratoPath:
			e.event.Path = seratoPathFor(utf16be(v), runtime.GOOS)
		case seratoTitle:
			e.event.Title = clip(strings.TrimSpace(utf16be(v)))
		case seratoArtist:
			e.event.Artist = clip(strings.TrimSpace(utf16be(v)))
		case seratoStart:
			if len(v) == 4 {
				if s := binary.BigEndian.Uint32(v); s > 946684800 {
					e.event.StartedAt = time.Unix(int64(s), 0)
				}
			}
		case seratoPlayed:
			if len(v) >= 1 {
				e.played = v[0] != 0
			}
		}
	}
	if e.event.StartedAt.IsZero() {
		return e, false
	}
	e.key = row
	if e.key == "" {
		e.key = "i" + itoa(uint32(idx))
	}
	return e, true
}

func itoa(n uint32) string {
	var buf [10]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// utf16be decodes Serato's UTF-16 big-endian text, dropping NULs.
func utf16be(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.BigEndian.Uint16(b[i:])
		if c == 0 {
			continue
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// seratoPathFor makes Serato's stored path usable: on macOS and Linux it
// is relative to the volume root ("Users/dj/Music/a.mp3"), so it gets its
// leading slash; Windows paths are kept.
func seratoPathFor(p, goos string) string {
	p = strings.TrimSpace(p)
	if p == "" || goos == "windows" || strings.HasPrefix(p, "/") || (len(p) > 1 && p[1] == ':') {
		return p
	}
	return "/" + p
}

// newestSession returns the path of the most recently modified session.
func newestSession(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var best string
	var bestT time.Time
	for _, e := range ents {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".session") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if best == "" || fi.ModTime().After(bestT) || (fi.ModTime().Equal(bestT) && e.Name() > filepath.Base(best)) {
			best, bestT = filepath.Join(dir, e.Name()), fi.ModTime()
		}
	}
	return best, nil
}

// Run implements Watcher.
func (w *Serato) Run(ctx context.Context, out chan<- Event) error {
	dir := w.sessionsDir()
	started := false
	var cur string
	var size int64 = -1
	var modT time.Time
	seen := map[string]bool{}
	return watchLoop(ctx, []string{dir, filepath.Dir(dir)}, w.opt, func() error {
		path, err := newestSession(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				started = true // the folder appears with the first session
			}
			return err
		}
		if path == "" {
			started = true
			return nil
		}
		if path != cur {
			cur, size, seen = path, -1, map[string]bool{}
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if fi.Size() == size && fi.ModTime().Equal(modT) {
			return nil
		}
		if fi.Size() > maxSessionLen {
			return errTooLarge(path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		size, modT = fi.Size(), fi.ModTime()
		entries := parseSeratoSession(b)
		if !started {
			started = true
			var all []Event
			for i := range entries {
				if entries[i].played {
					seen[entries[i].key] = true
					all = append(all, entries[i].event)
				}
			}
			return sendAll(ctx, out, w.opt.startEvents(all))
		}
		for _, e := range entries {
			if !e.played || seen[e.key] {
				continue
			}
			seen[e.key] = true
			if !send(ctx, out, e.event) {
				return ctx.Err()
			}
		}
		return nil
	})
}

type errTooLarge string

func (e errTooLarge) Error() string {
	return "serato session " + string(e) + " is larger than 64 MB; skipped"
}
