package library

import (
	"context"
	"database/sql"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/internal/regfile"
)

// Limits on a VirtualDJ database: real ones are tens of megabytes.
const (
	maxVDJBytes = 256 << 20
	maxVDJSongs = 500_000
	maxVDJDepth = 32
	maxPathLen  = 4096
)

// VirtualDJDatabasePaths are where VirtualDJ keeps database.xml on this
// computer, most likely first (macOS and Windows: Documents/VirtualDJ).
func VirtualDJDatabasePaths() []string {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	return []string{
		filepath.Join(home, "Documents", "VirtualDJ", "database.xml"),
		filepath.Join(home, "Library", "Application Support", "VirtualDJ", "database.xml"),
		filepath.Join(home, "AppData", "Local", "VirtualDJ", "database.xml"),
	}
}

// FindVirtualDJDatabase returns the first existing default database.xml.
func FindVirtualDJDatabase() (string, error) {
	for _, p := range VirtualDJDatabasePaths() {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", errors.New("no VirtualDJ database.xml found in Documents/VirtualDJ")
}

// VDJResult counts what a VirtualDJ import did.
type VDJResult struct {
	Songs    int // songs read from the file
	Added    int // new tracks
	Updated  int // tracks already in the library, now with VirtualDJ's numbers
	Missing  int // songs whose file is not on this computer
	Skipped  int // entries that are not local files (streams, videos of URLs)
	Warnings []string
}

type vdjSong struct {
	FilePath string `xml:"FilePath,attr"`
	Tags     struct {
		Author string `xml:"Author,attr"`
		Title  string `xml:"Title,attr"`
		Genre  string `xml:"Genre,attr"`
		Album  string `xml:"Album,attr"`
		Year   string `xml:"Year,attr"`
		Bpm    string `xml:"Bpm,attr"`
		Key    string `xml:"Key,attr"`
	} `xml:"Tags"`
	Scan struct {
		Bpm string `xml:"Bpm,attr"`
		Key string `xml:"Key,attr"`
	} `xml:"Scan"`
}

// vdjBPM reads VirtualDJ's tempo: <Scan Bpm> holds seconds per beat
// (0.5 = 120 BPM); a value that already looks like BPM is taken as is.
func vdjBPM(s string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return 0
	}
	if v < 10 {
		v = 60 / v
	}
	if v < 20 || v > 300 {
		return 0
	}
	return math.Round(v*100) / 100
}

// ImportVirtualDJ reads a VirtualDJ database.xml and adds its songs to the
// library: paths, tags, and VirtualDJ's BPM and key beside ours. Songs
// whose files exist here are queued for our analysis. The file is parsed
// as a stream with size, depth and count limits; a malformed file stops
// the import with an error and leaves what was imported before it.
func (l *Library) ImportVirtualDJ(ctx context.Context, file string) (VDJResult, error) {
	var res VDJResult
	f, err := regfile.Open(file) // a FIFO would block the open, a device never end
	if err != nil {
		return res, fmt.Errorf("import VirtualDJ database %s: %w", file, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return res, fmt.Errorf("import VirtualDJ database: %w", err)
	} else if st.Size() > maxVDJBytes {
		return res, fmt.Errorf("import VirtualDJ database: %s is %d MB; the limit is %d MB", file, st.Size()>>20, maxVDJBytes>>20)
	}
	dec := xml.NewDecoder(io.LimitReader(f, maxVDJBytes))
	dec.Strict = true
	dec.CharsetReader = nil // UTF-8 only: VirtualDJ writes UTF-8

	var batch []vdjSong
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := l.storeVDJ(ctx, batch, &res)
		batch = batch[:0]
		return err
	}
	depth, sawRoot := 0, false
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return res, ferr
			}
			return res, fmt.Errorf("import VirtualDJ database %s: not a valid database.xml: %w", file, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxVDJDepth {
				return res, fmt.Errorf("import VirtualDJ database %s: elements nested too deep", file)
			}
			if depth == 1 {
				if t.Name.Local != "VirtualDJ_Database" {
					return res, fmt.Errorf("import VirtualDJ database %s: root element is <%s>, not <VirtualDJ_Database>", file, t.Name.Local)
				}
				sawRoot = true
				continue
			}
			if depth == 2 && t.Name.Local == "Song" {
				var s vdjSong
				if err := dec.DecodeElement(&s, &t); err != nil {
					if ferr := flush(); ferr != nil {
						return res, ferr
					}
					return res, fmt.Errorf("import VirtualDJ database %s: not a valid database.xml at song %d: %w", file, res.Songs+1, err)
				}
				depth--
				res.Songs++
				if res.Songs > maxVDJSongs {
					return res, fmt.Errorf("import VirtualDJ database %s: more than %d songs", file, maxVDJSongs)
				}
				batch = append(batch, s)
				if len(batch) >= 500 {
					if err := flush(); err != nil {
						return res, err
					}
				}
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			// A DTD could declare entities; encoding/xml never expands them,
			// but refuse the file rather than half-read it.
			return res, fmt.Errorf("import VirtualDJ database %s: DOCTYPE declarations are not allowed", file)
		}
	}
	if !sawRoot {
		return res, fmt.Errorf("import VirtualDJ database %s: empty file", file)
	}
	return res, flush()
}

func (l *Library) storeVDJ(ctx context.Context, songs []vdjSong, res *VDJResult) error {
	l.importMu.Lock()
	defer l.importMu.Unlock()
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("import VirtualDJ database: %w", err)
	}
	defer tx.Rollback()
	now := time.Now().UnixNano()
	for _, s := range songs {
		p := strings.TrimSpace(s.FilePath)
		if p == "" || len(p) > maxPathLen || strings.Contains(p, "://") || strings.ContainsRune(p, 0) {
			res.Skipped++
			continue
		}
		tags := Tags{
			Artist: clip(s.Tags.Author), Title: clip(s.Tags.Title), Album: clip(s.Tags.Album),
			Genre: clip(s.Tags.Genre), Key: clip(s.Tags.Key), BPM: vdjBPM(s.Tags.Bpm),
		}
		if y, err := strconv.Atoi(strings.TrimSpace(s.Tags.Year)); err == nil && y > 0 && y < 10000 {
			tags.Year = y
		}
		if tags.Title == "" && tags.Artist == "" {
			tags.Title = clip(titleFromPath(p))
		}
		bpm := vdjBPM(s.Scan.Bpm)
		key := clip(s.Scan.Key)
		if key == "" {
			key = tags.Key
		}
		camelot, _, _ := NormalizeKey(key)
		var bpmArg any
		if bpm > 0 {
			bpmArg = bpm
		}

		var id int64
		var artist, title string
		err := tx.QueryRowContext(ctx, "SELECT id, artist, title FROM tracks WHERE path_key = ? ORDER BY id LIMIT 1", PathKey(p)).Scan(&id, &artist, &title)
		switch {
		case err == nil:
			// Already known (from a folder import): add VirtualDJ's numbers
			// and fill tags the file lacked.
			_, err = tx.ExecContext(ctx, `UPDATE tracks SET vdj_bpm = ?, vdj_key = ?, vdj_camelot = ?,
				artist = CASE WHEN artist = '' THEN ? ELSE artist END,
				title = CASE WHEN title = '' THEN ? ELSE title END,
				album = CASE WHEN album = '' THEN ? ELSE album END,
				genre = CASE WHEN genre = '' THEN ? ELSE genre END WHERE id = ?`,
				bpmArg, key, camelot, tags.Artist, tags.Title, tags.Album, tags.Genre, id)
			if err == nil && (artist == "" || title == "") {
				merged := mergeTags(Tags{Artist: artist, Title: title}, tags)
				_, err = tx.ExecContext(ctx, "UPDATE tracks SET identity = ?, search_text = ? WHERE id = ?",
					identity(merged.Artist, merged.Title), searchText(merged, p), id)
			}
			if err != nil {
				return fmt.Errorf("import VirtualDJ song %s: %w", p, err)
			}
			res.Updated++
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("import VirtualDJ song %s: %w", p, err)
		}

		state, size, mtime := StateMissing, int64(0), int64(0)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			size, mtime = st.Size(), st.ModTime().UnixNano()
			if IsAudioFile(p) {
				state = StatePending
			} else {
				state = StateFailed
			}
		} else {
			res.Missing++
		}
		errText := ""
		if state == StateFailed {
			errText = "not an audio file Pika! can analyse"
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tracks(path, path_key, source, size, mtime, artist, title,
			album, genre, year, tag_bpm, tag_key, identity, search_text, vdj_bpm, vdj_key, vdj_camelot,
			state, error, added_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(path) DO NOTHING`,
			p, PathKey(p), SourceVirtualDJ, size, mtime, tags.Artist, tags.Title, tags.Album, tags.Genre,
			tags.Year, tags.BPM, tags.Key, identity(tags.Artist, tags.Title), searchText(tags, p),
			bpmArg, key, camelot, string(state), errText, now)
		if err != nil {
			return fmt.Errorf("import VirtualDJ song %s: %w", p, err)
		}
		res.Added++
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import VirtualDJ database: %w", err)
	}
	return nil
}
