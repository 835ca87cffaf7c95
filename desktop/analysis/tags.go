package analysis

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dhowden/tag"
	"github.com/pikadj/pika/desktop/audio"
)

// ReadTags reads the metadata tags (ID3v1/v2, MP4, FLAC and Ogg Vorbis
// comments; in WAV files the "id3 " chunk and LIST/INFO, in AIFF the "ID3 "
// chunk) of the file at path. A file without tags is an error wrapping
// tag.ErrNoTagsFound.
func ReadTags(path string) (Tags, error) {
	f, err := audio.OpenFile(path) // refuses FIFOs and devices
	if err != nil {
		return Tags{}, fmt.Errorf("analysis: read tags: %w", err)
	}
	defer f.Close()
	t, err := readTags(f)
	if err != nil {
		return t, fmt.Errorf("analysis: read tags of %s: %w", path, err)
	}
	return t, nil
}

// readTags reads the tags of an open file: WAV and AIFF chunks here, every
// other format through dhowden/tag, which has no RIFF or AIFF support.
func readTags(f io.ReadSeeker) (Tags, error) {
	if t, ok, err := readChunkTags(f); ok || err != nil {
		return t, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Tags{}, err
	}
	m, err := readTagsSafe(f)
	if err != nil {
		return Tags{}, err
	}
	return fromMetadata(m), nil
}

// fromMetadata copies what Pika uses out of dhowden/tag's metadata.
func fromMetadata(m tag.Metadata) Tags {
	var t Tags
	t.Artist = clean(m.Artist())
	if t.Artist == "" {
		t.Artist = clean(m.AlbumArtist())
	}
	t.Title = clean(m.Title())
	t.Album = clean(m.Album())
	t.Genre = clean(m.Genre())
	if y := m.Year(); y > 0 && y < 10000 {
		t.Year = y
	}
	raw := m.Raw()
	for _, k := range []string{"TBPM", "TBP", "BPM", "bpm", "tmpo", "TEMPO", "tempo"} {
		if v, ok := raw[k]; ok {
			if bpm := parseBPM(v); bpm > 0 {
				t.BPM = bpm
				break
			}
		}
	}
	for _, k := range []string{"TKEY", "TKE", "INITIALKEY", "initialkey", "KEY", "key"} {
		if v, ok := raw[k]; ok {
			if s, ok := v.(string); ok && clean(s) != "" {
				t.Key = clean(s)
				break
			}
		}
	}
	return t
}

// readTagsSafe guards against panics inside the tag parser on hostile input:
// a broken tag must be an error for this file only.
func readTagsSafe(f io.ReadSeeker) (m tag.Metadata, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed tags: %v", r)
		}
	}()
	return tag.ReadFrom(f)
}

func parseBPM(v any) float64 {
	var f float64
	switch x := v.(type) {
	case string:
		f, _ = strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(x, ",", ".")), 64)
	case int:
		f = float64(x)
	case uint16:
		f = float64(x)
	case int16:
		f = float64(x)
	case float64:
		f = x
	}
	if f > 0 && f < 1000 {
		return f
	}
	return 0
}

func clean(s string) string {
	return strings.TrimSpace(strings.TrimRight(s, "\x00"))
}
