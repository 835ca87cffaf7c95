package library

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/internal/regfile"
)

// audioExts are the files an import picks up. Formats the analysis cannot
// decode (M4A, AAC, Opus…) still enter the library with their tags and a
// clear error, so the DJ sees why they have no numbers.
var audioExts = map[string]bool{
	".mp3": true, ".flac": true, ".ogg": true, ".oga": true, ".wav": true, ".wave": true,
	".aif": true, ".aiff": true, ".aifc": true, ".m4a": true, ".aac": true, ".mp4": true,
	".opus": true, ".wma": true, ".alac": true,
}

// IsAudioFile reports whether p has an audio file extension.
func IsAudioFile(p string) bool { return audioExts[strings.ToLower(filepath.Ext(p))] }

// FileError is a file an import or analysis could not handle.
type FileError struct {
	Path string
	Err  string
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added, Changed, Moved, Unchanged, Missing int
	Errors                                    []FileError
}

// Queued is how many tracks the import sent to analysis.
func (r ImportResult) Queued() int { return r.Added + r.Changed }

func (r *ImportResult) add(o outcome) {
	switch o {
	case outcomeAdded:
		r.Added++
	case outcomeChanged:
		r.Changed++
	case outcomeMoved:
		r.Moved++
	case outcomeUnchanged:
		r.Unchanged++
	}
}

type outcome int

const (
	outcomeUnchanged outcome = iota
	outcomeAdded
	outcomeChanged
	outcomeMoved
)

const hashChunk = 64 << 10

// ContentHash identifies a file's content cheaply: SHA-256 of its size and
// its first and last 64 KB. It survives a move or rename, and a retag that
// changes the file's length does not collide with the old version.
// Anything but a regular file (or a link to one) is refused with
// ErrNotRegular.
func ContentHash(p string) (string, error) {
	f, err := regfile.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(st.Size()))
	h.Write(sz[:])
	if _, err := io.CopyN(h, f, hashChunk); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if st.Size() > hashChunk {
		off := max(st.Size()-hashChunk, hashChunk)
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return "", err
		}
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ImportFolder adds dir to the library's folders and scans it: new files
// are added and queued for analysis, changed ones (size or mtime) are
// re-queued, moved ones (same content hash, old path gone) keep their
// analysis, and tracks whose files vanished are marked missing. A file
// that cannot be read is reported in the result and skipped.
func (l *Library) ImportFolder(ctx context.Context, dir string) (ImportResult, error) {
	return l.ImportFolderProgress(ctx, dir, nil)
}

// ScanFunc hears about a scan's progress: files looked at so far and the
// one being read.
type ScanFunc func(files int, current string)

// ImportFolderProgress is ImportFolder calling progress (when not nil)
// every few dozen files, for a big library's first import.
func (l *Library) ImportFolderProgress(ctx context.Context, dir string, progress ScanFunc) (ImportResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import %s: %w", dir, err)
	}
	if !st.IsDir() {
		return ImportResult{}, fmt.Errorf("import %s: not a folder", dir)
	}
	if _, err := l.db.ExecContext(ctx, "INSERT INTO folders(path, added_at) VALUES(?, ?) ON CONFLICT(path) DO NOTHING",
		abs, time.Now().UnixNano()); err != nil {
		return ImportResult{}, fmt.Errorf("import %s: %w", dir, err)
	}
	return l.rescan(ctx, abs, progress)
}

// Rescan scans an already imported folder again (see ImportFolder).
func (l *Library) Rescan(ctx context.Context, dir string) (ImportResult, error) {
	return l.rescan(ctx, dir, nil)
}

func (l *Library) rescan(ctx context.Context, dir string, progress ScanFunc) (ImportResult, error) {
	var res ImportResult
	files := 0
	seen := map[string]bool{}
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == dir {
				return err
			}
			res.Errors = append(res.Errors, FileError{Path: p, Err: err.Error()})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !IsAudioFile(p) || strings.HasPrefix(d.Name(), "._") {
			return nil
		}
		// Links to files are imported under the link's path; links to
		// folders are not followed; FIFOs and devices are reported.
		if err := regfile.Walked(p, d); err != nil {
			if !errors.Is(err, regfile.ErrLinkToDir) {
				res.Errors = append(res.Errors, FileError{Path: p, Err: err.Error()})
			}
			return nil
		}
		seen[p] = true
		if files++; progress != nil && files%50 == 1 {
			progress(files, p)
		}
		o, _, err := l.importFile(ctx, p, SourceFolder)
		if err != nil {
			res.Errors = append(res.Errors, FileError{Path: p, Err: err.Error()})
			return nil
		}
		res.add(o)
		return nil
	})
	if walkErr != nil {
		return res, fmt.Errorf("scan %s: %w", dir, walkErr)
	}
	if progress != nil {
		progress(files, "")
	}
	n, err := l.markMissing(ctx, dir, seen)
	res.Missing = n
	if err != nil {
		return res, err
	}
	return res, nil
}

// ImportFile adds or refreshes one file, as a folder scan would, and
// returns its track.
func (l *Library) ImportFile(ctx context.Context, p, source string) (Track, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return Track{}, fmt.Errorf("import %s: %w", p, err)
	}
	_, t, err := l.importFile(ctx, abs, source)
	return t, err
}

func (l *Library) importFile(ctx context.Context, p, source string) (outcome, Track, error) {
	l.importMu.Lock()
	defer l.importMu.Unlock()
	st, err := os.Stat(p)
	if err != nil {
		return 0, Track{}, fmt.Errorf("read %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return 0, Track{}, fmt.Errorf("read %s: %w", p, ErrNotRegular)
	}
	size, mtime := st.Size(), st.ModTime().UnixNano()

	existing, err := scanTrack(l.db.QueryRowContext(ctx, "SELECT "+trackColumns+" FROM tracks WHERE path = ?", p))
	switch {
	case err == nil:
		if existing.Size == size && existing.ModTime.UnixNano() == mtime {
			hash := existing.Hash
			if hash == "" { // entered from VirtualDJ's database: hash it now
				if hash, err = ContentHash(p); err != nil {
					return 0, Track{}, fmt.Errorf("read %s: %w", p, err)
				}
			}
			_, err := l.db.ExecContext(ctx, `UPDATE tracks SET hash = ?,
				state = CASE WHEN state = 'missing' THEN CASE WHEN bpm IS NULL THEN 'pending' ELSE 'analysed' END ELSE state END
				WHERE id = ?`, hash, existing.ID)
			if err != nil {
				return 0, Track{}, fmt.Errorf("update %s: %w", p, err)
			}
			t, err := l.Track(ctx, existing.ID)
			return outcomeUnchanged, t, err
		}
		hash, err := ContentHash(p)
		if err != nil {
			return 0, Track{}, fmt.Errorf("read %s: %w", p, err)
		}
		if hash == existing.Hash && existing.Size == size {
			// Touched but identical: keep the analysis.
			_, err := l.db.ExecContext(ctx, `UPDATE tracks SET mtime = ?,
				state = CASE WHEN state = 'missing' THEN CASE WHEN bpm IS NULL THEN 'pending' ELSE 'analysed' END ELSE state END
				WHERE id = ?`, mtime, existing.ID)
			if err != nil {
				return 0, Track{}, fmt.Errorf("update %s: %w", p, err)
			}
			t, err := l.Track(ctx, existing.ID)
			return outcomeUnchanged, t, err
		}
		tags := l.tagsFor(p)
		if existing.Hash == "" && existing.Source == SourceVirtualDJ {
			tags = mergeTags(tags, existing.Tags)
		}
		_, err = l.db.ExecContext(ctx, `UPDATE tracks SET size = ?, mtime = ?, hash = ?, artist = ?, title = ?,
			album = ?, genre = ?, year = ?, tag_bpm = ?, tag_key = ?, identity = ?, search_text = ?,
			bpm = NULL, bpm_conf = NULL, key_name = NULL, camelot = NULL, key_conf = NULL, energy = NULL,
			danceability = NULL, brightness = NULL, loudness_lufs = NULL, duration_s = NULL,
			state = 'pending', error = '', analysed_at = NULL WHERE id = ?`,
			size, mtime, hash, tags.Artist, tags.Title, tags.Album, tags.Genre, tags.Year, tags.BPM, tags.Key,
			identity(tags.Artist, tags.Title), searchText(tags, p), existing.ID)
		if err != nil {
			return 0, Track{}, fmt.Errorf("update %s: %w", p, err)
		}
		t, err := l.Track(ctx, existing.ID)
		return outcomeChanged, t, err
	case !errors.Is(err, sql.ErrNoRows):
		return 0, Track{}, fmt.Errorf("look up %s: %w", p, err)
	}

	hash, err := ContentHash(p)
	if err != nil {
		return 0, Track{}, fmt.Errorf("read %s: %w", p, err)
	}
	if id, ok, err := l.movedFrom(ctx, hash, size); err != nil {
		return 0, Track{}, err
	} else if ok {
		_, err := l.db.ExecContext(ctx, `UPDATE tracks SET path = ?, path_key = ?, mtime = ?,
			state = CASE WHEN state = 'missing' THEN CASE WHEN bpm IS NULL THEN 'pending' ELSE 'analysed' END ELSE state END
			WHERE id = ?`, p, PathKey(p), mtime, id)
		if err != nil {
			return 0, Track{}, fmt.Errorf("move %s: %w", p, err)
		}
		t, err := l.Track(ctx, id)
		if err != nil {
			return 0, Track{}, err
		}
		if _, err := l.db.ExecContext(ctx, "UPDATE tracks SET search_text = ? WHERE id = ?", searchText(t.Tags, p), id); err != nil {
			return 0, Track{}, fmt.Errorf("move %s: %w", p, err)
		}
		return outcomeMoved, t, nil
	}
	tags := l.tagsFor(p)
	res, err := l.db.ExecContext(ctx, `INSERT INTO tracks(path, path_key, source, size, mtime, hash, artist, title,
		album, genre, year, tag_bpm, tag_key, identity, search_text, state, added_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
		p, PathKey(p), source, size, mtime, hash, tags.Artist, tags.Title, tags.Album, tags.Genre, tags.Year,
		tags.BPM, tags.Key, identity(tags.Artist, tags.Title), searchText(tags, p), time.Now().UnixNano())
	if err != nil {
		return 0, Track{}, fmt.Errorf("add %s: %w", p, err)
	}
	id, _ := res.LastInsertId()
	t, err := l.Track(ctx, id)
	return outcomeAdded, t, err
}

// movedFrom finds a track with this content whose recorded file is gone.
func (l *Library) movedFrom(ctx context.Context, hash string, size int64) (int64, bool, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT id, path FROM tracks WHERE hash = ? AND size = ? ORDER BY state = 'analysed' DESC, id", hash, size)
	if err != nil {
		return 0, false, fmt.Errorf("look for moved file: %w", err)
	}
	type cand struct {
		id   int64
		path string
	}
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.path); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("look for moved file: %w", err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	for _, c := range cands {
		if _, err := os.Stat(c.path); errors.Is(err, fs.ErrNotExist) {
			return c.id, true, nil
		}
	}
	return 0, false, nil
}

// markMissing marks tracks under dir that the scan did not see and whose
// files are gone.
func (l *Library) markMissing(ctx context.Context, dir string, seen map[string]bool) (int, error) {
	prefix := strings.TrimSuffix(dir, string(filepath.Separator)) + string(filepath.Separator)
	rows, err := l.db.QueryContext(ctx, `SELECT id, path FROM tracks WHERE state != 'missing' AND substr(path, 1, ?) = ?`,
		len(prefix), prefix)
	if err != nil {
		return 0, fmt.Errorf("check for missing files: %w", err)
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return 0, fmt.Errorf("check for missing files: %w", err)
		}
		if seen[p] {
			continue
		}
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, id)
		}
	}
	rows.Close()
	for _, id := range gone {
		if _, err := l.db.ExecContext(ctx, "UPDATE tracks SET state = 'missing' WHERE id = ?", id); err != nil {
			return 0, fmt.Errorf("mark missing: %w", err)
		}
	}
	return len(gone), nil
}

// tagsFor reads a file's tags, falling back to "Artist - Title" in the
// file name when the file has none.
func (l *Library) tagsFor(p string) Tags {
	var t Tags
	if l.readTags != nil {
		if got, err := l.readTags(p); err == nil {
			t = got
		}
	}
	t.Artist, t.Title = clip(t.Artist), clip(t.Title)
	t.Album, t.Genre, t.Key = clip(t.Album), clip(t.Genre), clip(t.Key)
	if t.Title == "" {
		name := titleFromPath(p)
		if a, ti, ok := strings.Cut(name, " - "); ok && t.Artist == "" {
			t.Artist, t.Title = strings.TrimSpace(a), strings.TrimSpace(ti)
		} else {
			t.Title = name
		}
	}
	return t
}

// mergeTags fills empty fields of a from b.
func mergeTags(a, b Tags) Tags {
	fill := func(x *string, y string) {
		if *x == "" {
			*x = y
		}
	}
	fill(&a.Artist, b.Artist)
	fill(&a.Title, b.Title)
	fill(&a.Album, b.Album)
	fill(&a.Genre, b.Genre)
	fill(&a.Key, b.Key)
	if a.Year == 0 {
		a.Year = b.Year
	}
	if a.BPM == 0 {
		a.BPM = b.BPM
	}
	return a
}
