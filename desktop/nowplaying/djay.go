package nowplaying

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Djay follows djay Pro's library database, MediaLibrary.db (macOS and
// Windows). It is a YapDatabase: one table, database2, of (collection,
// key, data) rows whose data is Algoriddim's TSAF encoding. djay adds a
// row to the historySessionItems collection when a track plays on a deck
// (what djay's History lists), with its title, artist, deck and start
// time; loading a track does not add one. The format is known from the
// djay-connect notes, reverse-engineered from djay Pro 5.6.4. The file
// path comes from the localMediaItemLocations row of the item's title ID
// (streaming tracks have none: artist and title only), the BPM from its
// mediaItemAnalyzedData row (djay's key index is not documented: no key).
// The database is
// opened read-only while djay writes it (WAL).
type Djay struct {
	db  string
	opt Options
}

// djayLibraryDirs are the folders djay keeps MediaLibrary.db in, inside
// its "djay" folder: macOS's package, then Windows' plain folder.
var djayLibraryDirs = []string{"djay Media Library.djayMediaLibrary", "djay Media Library"}

// NewDjay returns a watcher for loc: MediaLibrary.db, the library folder
// holding it, or the "djay" folder (Music/djay) around that.
func NewDjay(loc string, opt Options) *Djay {
	db := loc
	if !strings.EqualFold(filepath.Ext(loc), ".db") {
		db = filepath.Join(loc, "MediaLibrary.db")
		for _, d := range djayLibraryDirs {
			if p := filepath.Join(loc, d, "MediaLibrary.db"); statOK(p) {
				db = p
				break
			}
		}
	}
	return &Djay{db: db, opt: opt.withDefaults()}
}

func statOK(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// maxTSAF bounds one row's data: a history item is a few hundred bytes.
const maxTSAF = 64 << 10

const djayQuery = `
SELECT rowid, key, CASE WHEN length(data) <= ? THEN data ELSE NULL END
FROM database2
WHERE collection = 'historySessionItems' AND rowid > ?
ORDER BY rowid
LIMIT 500`

// djayTitleQuery reads a row of one of the title ID's collections
// (localMediaItemLocations: the file; mediaItemAnalyzedData: the BPM).
const djayTitleQuery = `
SELECT data FROM database2
WHERE collection = ? AND key = ? AND length(data) <= ?`

// Run implements Watcher.
func (w *Djay) Run(ctx context.Context, out chan<- Event) error {
	f := &sqlFollower{path: w.db, what: "djay library", opt: w.opt,
		maxID: `SELECT COALESCE(MAX(rowid), 0) FROM database2 WHERE collection = 'historySessionItems'`,
		since: w.since}
	return f.run(ctx, out)
}

func (w *Djay) since(ctx context.Context, db *sql.DB, after int64) ([]Event, int64, error) {
	rows, err := db.QueryContext(ctx, djayQuery, maxTSAF, after)
	if err != nil {
		return nil, after, fmt.Errorf("read djay history: %w", err)
	}
	var items []djayItem
	last := after
	for rows.Next() {
		var id int64
		var key string
		var data []byte
		if err := rows.Scan(&id, &key, &data); err != nil {
			rows.Close()
			return nil, last, fmt.Errorf("read djay history row: %w", err)
		}
		last = id
		h, ok := parseDjayItem(data)
		if !ok {
			continue // not a history item djay wrote as described, or too large
		}
		items = append(items, h)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, last, fmt.Errorf("read djay history: %w", err)
	}
	evs := make([]Event, 0, len(items))
	for _, it := range items {
		t := it.start
		if t.IsZero() {
			t = w.opt.Now()
		}
		e := Event{Source: SourceDjay, Artist: clip(strings.TrimSpace(it.artist)), Title: clip(strings.TrimSpace(it.title)), StartedAt: t}
		if it.titleID != "" {
			loc, err := djayRow(ctx, db, "localMediaItemLocations", it.titleID)
			if err != nil {
				return nil, after, err
			}
			e.Path = djayFilePath(loc)
			an, err := djayRow(ctx, db, "mediaItemAnalyzedData", it.titleID)
			if err != nil {
				return nil, after, err
			}
			if bpm, ok := tsafNumber(an, "bpm"); ok && bytes.HasPrefix(an, []byte("TSAF")) && bpm >= 20 && bpm <= 400 {
				e.BPM = math.Round(bpm*100) / 100
			}
		}
		evs = append(evs, e)
	}
	return evs, last, nil
}

// djayRow is the data of the title ID's row in collection (nil: none).
func djayRow(ctx context.Context, db *sql.DB, collection, titleID string) ([]byte, error) {
	var b []byte
	err := db.QueryRowContext(ctx, djayTitleQuery, collection, titleID, maxTSAF).Scan(&b)
	if err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("read djay %s: %w", collection, err)
	}
	return b, nil
}

// djayItem is what is read of an ADCHistorySessionItem.
type djayItem struct {
	title, artist string
	titleID       string
	start         time.Time
}

// parseDjayItem reads a historySessionItems row's TSAF data (see
// tsafTokens). Only the fields needed are looked up by name, so fields
// djay adds later do not matter.
func parseDjayItem(b []byte) (djayItem, bool) {
	var it djayItem
	if !bytes.HasPrefix(b, []byte("TSAF")) || !bytes.Contains(b, []byte("\x2b\x08ADCHistorySessionItem\x00")) {
		return it, false
	}
	f := tsafStrings(b)
	it.title, it.artist = f["title"], f["artist"]
	it.titleID = tsafClassID(b, "ADCMediaItemTitleID")
	if s, ok := tsafNumber(b, "startTime"); ok && s > 0 && s < 4e9 {
		it.start = cfEpoch.Add(time.Duration(math.Round(s*1000)) * time.Millisecond)
	}
	if it.title == "" && it.artist == "" {
		return it, false
	}
	return it, true
}

// cfEpoch is Core Foundation's time zero.
var cfEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// tsafToken is one token of TSAF data: a string ("\x08…\x00"), a class
// name ("\x2b\x08Class\x00"), an 8-byte number or date (tags 0x14 and
// 0x30), or anything else (references, padding, tags not known).
type tsafToken struct {
	kind byte // 's' string, 'c' class, 'n' number, 'o' other
	s    string
}

// tsafTokens splits TSAF data into tokens. TSAF writes each field's value
// first, then its name as a string; dates are seconds since 2001-01-01
// UTC (CFAbsoluteTime).
func tsafTokens(b []byte) []tsafToken {
	var toks []tsafToken
	str := func(i int) (string, int, bool) {
		end := bytes.IndexByte(b[i:], 0)
		if end < 0 {
			return "", len(b), false
		}
		return string(b[i : i+end]), i + end + 1, true
	}
	for i := 0; i < len(b) && len(toks) < 4096; {
		switch {
		case b[i] == 0x08:
			v, next, ok := str(i + 1)
			if !ok {
				return toks
			}
			toks = append(toks, tsafToken{'s', v})
			i = next
		case b[i] == 0x2b && i+1 < len(b) && b[i+1] == 0x08:
			v, next, ok := str(i + 2)
			if !ok {
				return toks
			}
			toks = append(toks, tsafToken{'c', v})
			i = next
		case (b[i] == 0x14 || b[i] == 0x30) && i+9 < len(b) && b[i+9] == 0x08:
			toks = append(toks, tsafToken{kind: 'n'})
			i += 9
		default:
			toks = append(toks, tsafToken{kind: 'o'})
			i++
		}
	}
	return toks
}

// tsafNames are the field names of djay's objects that hold a value.
var tsafNames = map[string]bool{"uuid": true, "sessionUUID": true, "title": true, "artist": true, "duration": true,
	"deckNumber": true, "startTime": true, "originSourceID": true, "isrc": true, "sourceURIs": true, "bpm": true}

// tsafStrings maps field names to their string values, the first of each.
// A string is a field's name when it is one of tsafNames and comes right
// after a value that no name took: so a song called "title" is a value.
func tsafStrings(b []byte) map[string]string {
	f := map[string]string{}
	toks := tsafTokens(b)
	taken := make([]bool, len(toks))
	for i, t := range toks {
		if t.kind != 's' || !tsafNames[t.s] || i == 0 {
			continue
		}
		prev := toks[i-1]
		if taken[i-1] || (prev.kind != 's' && prev.kind != 'n') {
			continue
		}
		taken[i], taken[i-1] = true, true
		if _, seen := f[t.s]; !seen && prev.kind == 's' && utf8.ValidString(prev.s) {
			f[t.s] = prev.s
		}
	}
	return f
}

// tsafNumber is the 8-byte little-endian double just before the field
// name's last token (a string value equal to the name comes before it).
func tsafNumber(b []byte, name string) (float64, bool) {
	i := bytes.LastIndex(b, []byte("\x08"+name+"\x00"))
	if i < 8 {
		return 0, false
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(b[i-8 : i]))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// tsafClassID is the first string of the first object of class: its uuid
// (a title ID is 32 hex digits).
func tsafClassID(b []byte, class string) string {
	marker := []byte("\x2b\x08" + class + "\x00")
	i := bytes.Index(b, marker)
	if i < 0 {
		return ""
	}
	rest := b[i+len(marker):]
	if len(rest) < 2 || rest[0] != 0x08 {
		return ""
	}
	end := bytes.IndexByte(rest[1:], 0)
	if end < 0 || end > 128 {
		return ""
	}
	id := string(rest[1 : 1+end])
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == '-') {
			return ""
		}
	}
	return id
}

// djayFilePath is the first file:// URI of a localMediaItemLocations row
// as a path: "file:///D:%5CMusic%5Ca.mp3" is D:\Music\a.mp3,
// "file:///Users/dj/Zo%C3%AB.mp3" /Users/dj/Zoë.mp3.
func djayFilePath(loc []byte) string {
	if !bytes.HasPrefix(loc, []byte("TSAF")) {
		return ""
	}
	for _, t := range tsafTokens(loc) {
		s := t.s
		if t.kind != 's' || !strings.HasPrefix(strings.ToLower(s), "file://") || !utf8.ValidString(s) {
			continue
		}
		p, err := url.PathUnescape(s[len("file://"):])
		if err != nil || !utf8.ValidString(p) {
			continue
		}
		p = strings.TrimPrefix(p, "localhost")
		if len(p) > 3 && p[0] == '/' && p[2] == ':' {
			p = p[1:] // "/D:\…" is a Windows path
		}
		return p
	}
	return ""
}
