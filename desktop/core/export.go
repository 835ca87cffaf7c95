package core

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/pikadj/pika/desktop/library"
)

// SetTrack is one play of a set, for the export: what the relay knew,
// and the library's file when the song is in it.
type SetTrack struct {
	library.SetPlay
	Path string // "" when the library has no such song
}

// SetList is the session's plays in the order played: from the relay's
// recap (during the set too), else, when the relay cannot be reached,
// from the crowd memory kept after the set.
func (c *Core) SetList(ctx context.Context, sessionID string) ([]SetTrack, error) {
	var plays []library.SetPlay
	rc, err := c.recap(ctx, sessionID)
	if err == nil {
		for _, p := range rc.Plays {
			sp := library.SetPlay{StartedAt: p.StartedAt, Artist: p.Track.Artist, Title: p.Track.Title, Camelot: p.Track.Camelot,
				Likes: p.Likes}
			if p.Tempo != nil {
				sp.Tempo = *p.Tempo
			}
			if p.Track.BPM != nil {
				sp.BPM = *p.Track.BPM
			}
			plays = append(plays, sp)
		}
	} else {
		stored, serr := c.lib.SessionPlays(ctx, sessionID)
		if serr != nil {
			if errors.Is(serr, library.ErrNotFound) {
				return nil, err // the relay's reason is the one to act on
			}
			return nil, serr
		}
		slog.Info("set export from the crowd memory", "session", sessionID, "relay", err)
		plays = stored
	}
	out := make([]SetTrack, 0, len(plays))
	for _, p := range plays {
		st := SetTrack{SetPlay: p}
		if t, err := c.lib.ByIdentity(ctx, p.Artist, p.Title); err == nil {
			st.Path = t.Path
		}
		out = append(out, st)
	}
	return out, nil
}

// Export formats.
const (
	FormatM3U = "m3u"
	FormatCSV = "csv"
)

// ExportSet writes the session's set as an M3U playlist (the library's
// files; a song not in the library is a comment) or as CSV.
func (c *Core) ExportSet(ctx context.Context, sessionID, format string, w io.Writer) (int, error) {
	format = strings.ToLower(strings.TrimSpace(format))
	if format != FormatM3U && format != FormatCSV {
		return 0, fmt.Errorf("export format %q: use m3u or csv", format)
	}
	set, err := c.SetList(ctx, sessionID)
	if err != nil {
		return 0, err
	}
	if format == FormatM3U {
		return len(set), WriteM3U(w, set)
	}
	return len(set), WriteCSV(w, set)
}

// WriteM3U writes an extended M3U playlist of the set.
func WriteM3U(w io.Writer, set []SetTrack) error {
	var b strings.Builder
	b.WriteString("#EXTM3U\n")
	for _, t := range set {
		name := oneLine(t.Artist + " - " + t.Title)
		if t.Artist == "" {
			name = oneLine(t.Title)
		}
		if t.Path == "" {
			fmt.Fprintf(&b, "# not in the library: %s\n", name)
			continue
		}
		fmt.Fprintf(&b, "#EXTINF:-1,%s\n%s\n", name, oneLine(t.Path))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes the set as CSV with a header row.
func WriteCSV(w io.Writer, set []SetTrack) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"position", "started_at", "artist", "title", "bpm", "key", "likes", "faster", "slower", "perfect", "path"}}
	for i, t := range set {
		bpm := ""
		if t.BPM > 0 {
			bpm = strconv.FormatFloat(t.BPM, 'f', 1, 64)
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), t.StartedAt.UTC().Format(time.RFC3339), cell(t.Artist), cell(t.Title),
			bpm, cell(t.Camelot), strconv.Itoa(t.Likes), strconv.Itoa(t.Tempo.Faster), strconv.Itoa(t.Tempo.Slower),
			strconv.Itoa(t.Tempo.Perfect), cell(t.Path)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// cell keeps a spreadsheet from running a tag as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// oneLine keeps a name or path on its line of the playlist.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
