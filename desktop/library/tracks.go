package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pikadj/pika/shared/protocol"
	"golang.org/x/text/unicode/norm"
)

// State is where a track stands in analysis.
type State string

// Track states.
const (
	StatePending  State = "pending"  // waiting for the analysis queue
	StateAnalysed State = "analysed" // our numbers are stored
	StateFailed   State = "failed"   // analysis failed; Error says why
	StateMissing  State = "missing"  // the file is not on this computer
)

// Sources say how a track entered the library.
const (
	SourceFolder    = "folder"
	SourceVirtualDJ = "virtualdj"
	SourcePlayed    = "played" // analysed on the spot when it was played
)

// Tags are what the file (or VirtualDJ) says about itself.
type Tags struct {
	Artist, Title, Album, Genre string
	Year                        int
	BPM                         float64 // 0 when absent
	Key                         string
}

// Analysis is what Pika! measured.
type Analysis struct {
	BPM           float64
	BPMConfidence float64
	Key           string // "A minor"
	Camelot       string // "8A"
	KeyConfidence float64
	Energy        float64
	Danceability  float64
	Brightness    float64
	LoudnessLUFS  float64
	DurationS     float64
	TuningCents   float64 // tuning from A = 440 Hz
	// Warning is a problem the analysis met but measured through, for
	// the DJ ("file ends early: 49 s of 65 s"); empty when none.
	Warning string
}

// KeyUncertain reports whether the key shown is ours and its confidence is
// below protocol.MinCertainKeyConfidencePct: the library and the dancer
// page mark such a key instead of hiding it.
func (a *Analysis) KeyUncertain() bool {
	return a != nil && a.Key != "" && a.KeyConfidence*100 < protocol.MinCertainKeyConfidencePct
}

// Track is one file of the library.
type Track struct {
	ID       int64
	Path     string
	Source   string
	Size     int64
	ModTime  time.Time
	Hash     string
	Tags     Tags
	Analysis *Analysis // nil until analysed
	// VirtualDJ's own measurements, kept beside ours.
	VDJBPM     float64
	VDJKey     string
	VDJCamelot string
	// The DJ's own tempo and key (Camelot code), set by hand; 0 and ""
	// when none. They win over every measurement and survive a
	// re-analysis (corrections.go).
	ManualBPM float64
	ManualKey string
	// Crowd is how rooms received the song in the DJ's past sessions
	// (crowd.go); nil when never played, and filled by List only.
	Crowd      *Crowd
	State      State
	Error      string
	AddedAt    time.Time
	AnalysedAt time.Time
}

// BPM is the DJ's correction, else our tempo, else VirtualDJ's, else the
// tag's; 0 when none.
func (t Track) BPM() float64 {
	switch {
	case t.ManualBPM > 0:
		return t.ManualBPM
	case t.Analysis != nil && t.Analysis.BPM > 0:
		return t.Analysis.BPM
	case t.VDJBPM > 0:
		return t.VDJBPM
	}
	return t.Tags.BPM
}

// Key is the DJ's correction, else our key name and Camelot code, else
// VirtualDJ's, else the tag's.
func (t Track) Key() (name, camelot string) {
	if c, n, ok := NormalizeKey(t.ManualKey); ok {
		return n, c
	}
	if t.Analysis != nil && t.Analysis.Key != "" {
		return t.Analysis.Key, t.Analysis.Camelot
	}
	for _, k := range []string{t.VDJKey, t.Tags.Key} {
		if c, n, ok := NormalizeKey(k); ok {
			return n, c
		}
	}
	return "", ""
}

// Protocol is the track as the relay shows it to dancers: tags plus our
// analysis, falling back to VirtualDJ's BPM and key when ours is missing.
func (t Track) Protocol() protocol.Track {
	pt := protocol.Track{Artist: clip(t.Tags.Artist), Title: clip(t.Tags.Title)}
	if pt.Artist == "" && pt.Title == "" {
		pt.Title = clip(titleFromPath(t.Path))
	}
	if bpm := t.BPM(); bpm >= 20 && bpm <= 300 {
		v := math.Round(bpm*10) / 10
		pt.BPM = &v
	}
	pt.Key, pt.Camelot = t.Key()
	if a := t.Analysis; a != nil {
		if a.Key != "" && t.ManualKey == "" {
			pt.KeyConfidence = within(math.Round(a.KeyConfidence*100)/100, 0, 1)
		}
		// Out-of-range numbers are left out rather than get the whole
		// play refused by the relay.
		pt.Energy = within(a.Energy, 0, 100)
		pt.Danceability = within(a.Danceability, 0, 100)
		pt.Brightness = within(a.Brightness, 0, 100)
		pt.LoudnessLUFS = within(a.LoudnessLUFS, -70, 10)
		if a.DurationS > 0 {
			pt.DurationS = within(a.DurationS, 0, 24*3600)
		}
	}
	if _, _, ok := NormalizeKey(pt.Key); !ok {
		pt.Key, pt.Camelot, pt.KeyConfidence = "", "", nil
	} else if c, _, ok := NormalizeKey(pt.Camelot); !ok || c != pt.Camelot {
		pt.Camelot = ""
	}
	return pt
}

// within returns &v when lo <= v <= hi (never NaN), else nil.
func within(v, lo, hi float64) *float64 {
	if !(v >= lo && v <= hi) {
		return nil
	}
	return &v
}

// clip keeps text within the protocol's limits and free of control
// characters, so a hostile tag cannot get a play refused.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > protocol.MaxArtistTitleLen {
		s = string([]rune(s)[:protocol.MaxArtistTitleLen])
	}
	return s
}

// titleFromPath turns "/music/Artist - Title.mp3" into "Artist - Title".
func titleFromPath(p string) string {
	base := path.Base(strings.ReplaceAll(p, `\`, "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// identity is protocol.TrackIdentity of the NFC forms: macOS file names
// and some taggers write accents decomposed (NFD), VirtualDJ composed.
func identity(artist, title string) string {
	return protocol.TrackIdentity(norm.NFC.String(artist), norm.NFC.String(title))
}

var windowsPath = regexp.MustCompile(`^([A-Za-z]:/|//)`)

// PathKey normalises a path for matching: NFC, forward slashes, cleaned,
// and case-folded when it is a Windows path (whose file system ignores
// case).
func PathKey(p string) string {
	p = norm.NFC.String(strings.ReplaceAll(strings.TrimSpace(p), `\`, "/"))
	if p == "" {
		return ""
	}
	unc := strings.HasPrefix(p, "//")
	p = path.Clean(p)
	if unc {
		p = "/" + p
	}
	if runtime.GOOS == "windows" || windowsPath.MatchString(p) {
		p = strings.ToLower(p)
	}
	return p
}

func searchText(t Tags, p string) string {
	return strings.ToLower(norm.NFC.String(strings.Join([]string{t.Artist, t.Title, t.Album, titleFromPath(p)}, " ")))
}

const trackColumns = `id, path, source, size, mtime, hash, artist, title, album, genre, year,
	tag_bpm, tag_key, bpm, bpm_conf, key_name, camelot, key_conf, energy, danceability,
	brightness, loudness_lufs, duration_s, vdj_bpm, vdj_key, vdj_camelot, state, error,
	added_at, analysed_at, tuning_cents, analysis_warning, bpm_manual, key_manual`

type rowScanner interface{ Scan(dest ...any) error }

func scanTrack(r rowScanner) (Track, error) {
	var (
		t                                            Track
		mtime, added                                 int64
		analysed                                     sql.NullInt64
		bpm, bpmConf, keyConf, energy, dance, bright sql.NullFloat64
		lufs, dur, vdjBPM, tuning, manualBPM         sql.NullFloat64
		warning                                      string
		keyName, camelot                             sql.NullString
		state                                        string
	)
	err := r.Scan(&t.ID, &t.Path, &t.Source, &t.Size, &mtime, &t.Hash, &t.Tags.Artist, &t.Tags.Title,
		&t.Tags.Album, &t.Tags.Genre, &t.Tags.Year, &t.Tags.BPM, &t.Tags.Key, &bpm, &bpmConf, &keyName,
		&camelot, &keyConf, &energy, &dance, &bright, &lufs, &dur, &vdjBPM, &t.VDJKey, &t.VDJCamelot,
		&state, &t.Error, &added, &analysed, &tuning, &warning, &manualBPM, &t.ManualKey)
	if err != nil {
		return Track{}, err
	}
	t.State = State(state)
	if mtime != 0 {
		t.ModTime = time.Unix(0, mtime)
	}
	t.AddedAt = time.Unix(0, added)
	if analysed.Valid {
		t.AnalysedAt = time.Unix(0, analysed.Int64)
	}
	t.VDJBPM = vdjBPM.Float64
	t.ManualBPM = manualBPM.Float64
	if bpm.Valid { // missing files keep their analysis
		t.Analysis = &Analysis{
			BPM: bpm.Float64, BPMConfidence: bpmConf.Float64, Key: keyName.String, Camelot: camelot.String,
			KeyConfidence: keyConf.Float64, Energy: energy.Float64, Danceability: dance.Float64,
			Brightness: bright.Float64, LoudnessLUFS: lufs.Float64, DurationS: dur.Float64,
			TuningCents: tuning.Float64, Warning: warning,
		}
	}
	return t, nil
}

// ErrNotFound is returned when no track matches.
var ErrNotFound = errors.New("track not found")

// Track returns the track with the given id.
func (l *Library) Track(ctx context.Context, id int64) (Track, error) {
	t, err := scanTrack(l.db.QueryRowContext(ctx, "SELECT "+trackColumns+" FROM tracks WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Track{}, fmt.Errorf("track %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Track{}, fmt.Errorf("track %d: %w", id, err)
	}
	return t, nil
}

// ByPath returns the track stored at p, matched as PathKey does.
func (l *Library) ByPath(ctx context.Context, p string) (Track, error) {
	key := PathKey(p)
	if key == "" {
		return Track{}, ErrNotFound
	}
	t, err := scanTrack(l.db.QueryRowContext(ctx,
		"SELECT "+trackColumns+" FROM tracks WHERE path_key = ? ORDER BY state = 'analysed' DESC, id DESC LIMIT 1", key))
	if errors.Is(err, sql.ErrNoRows) {
		return Track{}, ErrNotFound
	}
	if err != nil {
		return Track{}, fmt.Errorf("find track by path: %w", err)
	}
	return t, nil
}

// ByIdentity returns the best track with this artist and title (as
// protocol.TrackIdentity normalises them): analysed ones first.
func (l *Library) ByIdentity(ctx context.Context, artist, title string) (Track, error) {
	if strings.TrimSpace(artist) == "" && strings.TrimSpace(title) == "" {
		return Track{}, ErrNotFound
	}
	t, err := scanTrack(l.db.QueryRowContext(ctx,
		"SELECT "+trackColumns+` FROM tracks WHERE identity = ?
		 ORDER BY state = 'analysed' DESC, state = 'missing', id DESC LIMIT 1`,
		identity(artist, title)))
	if errors.Is(err, sql.ErrNoRows) {
		return Track{}, ErrNotFound
	}
	if err != nil {
		return Track{}, fmt.Errorf("find track by artist and title: %w", err)
	}
	return t, nil
}

// Match finds the library track a now-playing event names: by path first,
// then by normalised artist and title.
func (l *Library) Match(ctx context.Context, filePath, artist, title string) (Track, error) {
	if filePath != "" {
		t, err := l.ByPath(ctx, filePath)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return t, err
		}
	}
	return l.ByIdentity(ctx, artist, title)
}

// Filter selects tracks for List. Zero fields do not filter.
type Filter struct {
	Text           string  // words that must all appear in artist, title, album or file name
	MinBPM, MaxBPM float64 // on the effective BPM (ours, else VirtualDJ's)
	Key            string  // a Camelot code or key name; matches ours, else VirtualDJ's
	State          State
	Limit, Offset  int // Limit 0 means 500
}

// List returns tracks matching f, ordered by artist and title.
func (l *Library) List(ctx context.Context, f Filter) ([]Track, error) {
	var (
		where []string
		args  []any
	)
	for _, w := range strings.Fields(strings.ToLower(norm.NFC.String(f.Text))) {
		where = append(where, `search_text LIKE ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(w)+"%")
	}
	const effBPM = "COALESCE(bpm_manual, bpm, vdj_bpm, NULLIF(tag_bpm, 0))"
	if f.MinBPM > 0 {
		where = append(where, effBPM+" >= ?")
		args = append(args, f.MinBPM)
	}
	if f.MaxBPM > 0 {
		where = append(where, effBPM+" <= ?")
		args = append(args, f.MaxBPM)
	}
	if f.Key != "" {
		c, _, ok := NormalizeKey(f.Key)
		if !ok {
			return nil, fmt.Errorf("%q is not a key: use a Camelot code like 8A or a name like A minor", f.Key)
		}
		where = append(where, "COALESCE(NULLIF(key_manual, ''), NULLIF(camelot, ''), NULLIF(vdj_camelot, '')) = ?")
		args = append(args, c)
	}
	if f.State != "" {
		where = append(where, "state = ?")
		args = append(args, string(f.State))
	}
	q := "SELECT " + trackColumns + " FROM tracks"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	q += " ORDER BY artist COLLATE NOCASE, title COLLATE NOCASE, id LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Offset, 0))
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	defer rows.Close()
	var out []Track
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return nil, fmt.Errorf("list tracks: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	if err := l.withCrowd(ctx, out); err != nil {
		return nil, fmt.Errorf("list tracks: %w", err)
	}
	return out, nil
}

// Search lists tracks whose artist, title, album or file name contain
// every word of text.
func (l *Library) Search(ctx context.Context, text string, limit int) ([]Track, error) {
	return l.List(ctx, Filter{Text: text, Limit: limit})
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Counts summarises the library.
type Counts struct {
	Total, Pending, Analysed, Failed, Missing int
}

// Counts counts tracks by state.
func (l *Library) Counts(ctx context.Context) (Counts, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT state, COUNT(*) FROM tracks GROUP BY state")
	if err != nil {
		return Counts{}, fmt.Errorf("count tracks: %w", err)
	}
	defer rows.Close()
	var c Counts
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return Counts{}, fmt.Errorf("count tracks: %w", err)
		}
		c.Total += n
		switch State(s) {
		case StatePending:
			c.Pending = n
		case StateAnalysed:
			c.Analysed = n
		case StateFailed:
			c.Failed = n
		case StateMissing:
			c.Missing = n
		}
	}
	return c, rows.Err()
}

// SetAnalysis stores our analysis of a track.
func (l *Library) SetAnalysis(ctx context.Context, id int64, a Analysis) error {
	_, err := l.db.ExecContext(ctx, `UPDATE tracks SET bpm = ?, bpm_conf = ?, key_name = ?, camelot = ?,
		key_conf = ?, energy = ?, danceability = ?, brightness = ?, loudness_lufs = ?, duration_s = ?,
		tuning_cents = ?, analysis_warning = ?, state = 'analysed', error = '', analysed_at = ? WHERE id = ?`,
		a.BPM, a.BPMConfidence, a.Key, a.Camelot, a.KeyConfidence, a.Energy, a.Danceability,
		a.Brightness, a.LoudnessLUFS, a.DurationS, a.TuningCents, clipWarning(a.Warning), time.Now().UnixNano(), id)
	if err != nil {
		return fmt.Errorf("store analysis of track %d: %w", id, err)
	}
	return nil
}

// clipWarning bounds a stored warning like a failure reason.
func clipWarning(s string) string {
	if len(s) > 1000 {
		s = s[:1000]
	}
	return strings.ToValidUTF8(s, "?")
}

// SetFailed records why a track could not be analysed.
func (l *Library) SetFailed(ctx context.Context, id int64, reason string) error {
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	_, err := l.db.ExecContext(ctx, `UPDATE tracks SET state = 'failed', error = ?, analysed_at = ? WHERE id = ?`,
		strings.ToValidUTF8(reason, "?"), time.Now().UnixNano(), id)
	if err != nil {
		return fmt.Errorf("store failure of track %d: %w", id, err)
	}
	return nil
}

// Requeue marks failed tracks (or all when all is true) for analysis again.
func (l *Library) Requeue(ctx context.Context, all bool) (int, error) {
	q := "UPDATE tracks SET state = 'pending', error = '' WHERE state = 'failed'"
	if all {
		q = "UPDATE tracks SET state = 'pending', error = '' WHERE state IN ('failed', 'analysed')"
	}
	res, err := l.db.ExecContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("requeue tracks: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// pending returns up to limit pending tracks not in skip, oldest first.
func (l *Library) pending(ctx context.Context, limit int, skip map[int64]bool) ([]Track, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT "+trackColumns+" FROM tracks WHERE state = 'pending' ORDER BY id LIMIT ?", limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("list pending tracks: %w", err)
	}
	defer rows.Close()
	var out []Track
	for rows.Next() {
		t, err := scanTrack(rows)
		if err != nil {
			return nil, fmt.Errorf("list pending tracks: %w", err)
		}
		if !skip[t.ID] && len(out) < limit {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// Folders lists the imported folders.
func (l *Library) Folders(ctx context.Context) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT path FROM folders ORDER BY path")
	if err != nil {
		return nil, fmt.Errorf("list folders: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("list folders: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemoveFolder forgets an imported folder (its tracks stay).
func (l *Library) RemoveFolder(ctx context.Context, dir string) error {
	if _, err := l.db.ExecContext(ctx, "DELETE FROM folders WHERE path = ?", dir); err != nil {
		return fmt.Errorf("remove folder: %w", err)
	}
	return nil
}

// NameIfUntagged gives a track whose file has no tags (no artist, title
// taken from the file name) the artist and title the DJ software shows,
// so it is found by those names later. Tagged tracks are left alone.
func (l *Library) NameIfUntagged(ctx context.Context, id int64, artist, title string) error {
	artist, title = clip(artist), clip(title)
	if title == "" {
		return nil
	}
	t, err := l.Track(ctx, id)
	if err != nil {
		return err
	}
	if t.Tags.Artist != "" || t.Tags.Title != titleFromPath(t.Path) || (artist == "" && title == t.Tags.Title) {
		return nil
	}
	t.Tags.Artist, t.Tags.Title = artist, title
	_, err = l.db.ExecContext(ctx, "UPDATE tracks SET artist = ?, title = ?, identity = ?, search_text = ? WHERE id = ?",
		artist, title, identity(artist, title), searchText(t.Tags, t.Path), id)
	if err != nil {
		return fmt.Errorf("name track %d: %w", id, err)
	}
	return nil
}
