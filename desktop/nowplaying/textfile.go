package nowplaying

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TextFile follows a "now playing" text file: a file that DJ software (or
// a streaming helper) rewrites with the track on air, one line, or one
// line per deck. DJUCED writes playing.txt in its folder when Settings ›
// Record › Text File Output is on; with the format "%TI% | %DE% | %AR% |
// %AL%" each line is title, deck, artist and album. Other files hold
// "Artist - Title" (or just a title) per line.
//
// What counts as played: a line that changes (a deck's line with another
// track, or a new line) is that track going on air; the program writes it
// when the track plays, not when it is loaded. The file holds only what is
// on air now, so it has no times: StartedAt is when the change was seen,
// and plays made while Pika! was closed cannot be caught up (only the
// track on air then, when the file changed after Options.Since). A line
// is taken once it has stayed the same for textSettle, so a file caught
// half-written is not announced twice.
type TextFile struct {
	path   string
	source string
	lib    string // DJUCED.db beside playing.txt, for the file path ("" none)
	opt    Options
}

// textSettle is how long a changed file must stay unchanged before its
// lines are taken (programs truncate, then write).
const textSettle = 300 * time.Millisecond

// maxTextFile bounds the file read: a now-playing file is a few lines.
const maxTextFile = 64 << 10

// NewTextFile returns a watcher for a now-playing text file at path.
func NewTextFile(path string, opt Options) *TextFile {
	return &TextFile{path: path, source: SourceTextFile, opt: opt.withDefaults()}
}

// NewDJUCED returns a watcher for DJUCED's playing.txt; loc is the DJUCED
// folder or the file. Tracks are looked up in DJUCED.db beside it for
// their file path.
func NewDJUCED(loc string, opt Options) *TextFile {
	path := loc
	if !strings.EqualFold(filepath.Ext(loc), ".txt") {
		path = filepath.Join(loc, "playing.txt")
	}
	return &TextFile{path: path, source: SourceDJUCED, lib: filepath.Join(filepath.Dir(path), "DJUCED.db"), opt: opt.withDefaults()}
}

// textLine is one line of the file: the track on one deck.
type textLine struct {
	deck, artist, title, album string
}

// parseTextLine reads "Title | Deck | Artist | Album" (DJUCED), or
// "Artist - Title", or a title alone.
func parseTextLine(l string) (textLine, bool) {
	l = strings.TrimSpace(l)
	if l == "" {
		return textLine{}, false
	}
	if f := strings.Split(l, "|"); len(f) >= 3 {
		t := textLine{title: strings.TrimSpace(f[0]), deck: strings.TrimSpace(f[1]), artist: strings.TrimSpace(f[2])}
		if len(f) > 3 {
			t.album = strings.TrimSpace(strings.Join(f[3:], "|"))
		}
		return t, t.title != "" || t.artist != ""
	}
	a, t := splitArtistTitle(l)
	return textLine{artist: strings.TrimSpace(a), title: strings.TrimSpace(t)}, true
}

// Run implements Watcher.
func (w *TextFile) Run(ctx context.Context, out chan<- Event) error {
	var (
		started  bool
		decks    = map[string]textLine{} // what each deck (or line) showed last
		pending  string                  // content waiting to settle
		changeAt time.Time
		lastRaw  string
		db       *sql.DB
	)
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	return watchLoop(ctx, []string{filepath.Dir(w.path)}, w.opt, func() error {
		b, mod, err := readText(w.path)
		if err != nil {
			if !started && errors.Is(err, fs.ErrNotExist) {
				started = true // not there yet: what it will show is new
			}
			return err
		}
		raw := decodeText(b)
		now := w.opt.Now()
		if raw != pending {
			pending, changeAt = raw, now
			if started {
				return nil // let it settle
			}
		}
		if started && (raw == lastRaw || now.Sub(changeAt) < textSettle) {
			return nil
		}
		lastRaw = raw
		lines := strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n")
		var evs []Event
		first := !started
		for i, l := range lines {
			t, ok := parseTextLine(l)
			if !ok {
				continue
			}
			key := t.deck
			if key == "" {
				key = fmt.Sprint("line", i)
			}
			prev, had := decks[key]
			decks[key] = t
			if had && strings.EqualFold(prev.artist, t.artist) && strings.EqualFold(prev.title, t.title) {
				continue
			}
			if !started && !w.catchUpLine(mod) {
				continue
			}
			at := now
			if !started {
				at = mod
			}
			e := Event{Source: w.source, Artist: clip(t.artist), Title: clip(t.title), StartedAt: at}
			if w.lib != "" {
				e.Path = w.djucedPath(ctx, &db, t)
			}
			evs = append(evs, e)
		}
		started = true
		if first && len(evs) > 1 {
			// Several decks at start: which one is on air is unknown.
			evs = nil
		}
		return sendAll(ctx, out, evs)
	})
}

// catchUpLine: at start, the track on air is sent when the file changed
// after Options.Since (it went on air while Pika! was closed) or less than
// Options.Recent ago.
func (w *TextFile) catchUpLine(mod time.Time) bool {
	if !w.opt.Since.IsZero() {
		return mod.After(w.opt.Since)
	}
	return w.opt.recentEnough(mod)
}

// djucedPath looks the track up in DJUCED.db (read-only) for its file.
func (w *TextFile) djucedPath(ctx context.Context, db **sql.DB, t textLine) string {
	if *db == nil {
		if _, err := os.Stat(w.lib); err != nil {
			return ""
		}
		d, err := sql.Open("sqlite", mixxxDSN(w.lib))
		if err != nil {
			return ""
		}
		d.SetMaxOpenConns(1)
		*db = d
	}
	var p string
	err := (*db).QueryRowContext(ctx, `SELECT COALESCE(absolutepath, '') FROM tracks
		WHERE title = ? AND artist = ? AND (? = '' OR COALESCE(album, '') = ?)
		ORDER BY last_played DESC LIMIT 1`, t.title, t.artist, t.album, t.album).Scan(&p)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		w.opt.Logger.Debug("nowplaying: DJUCED.db lookup failed", "err", err)
	}
	return p
}

// readText reads a small file and its modification time.
func readText(path string) ([]byte, time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	b, err := readLimited(path, maxTextFile)
	if err != nil {
		return nil, time.Time{}, err
	}
	return b, fi.ModTime(), nil
}
