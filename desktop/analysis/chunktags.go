package analysis

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/dhowden/tag"
)

// Size limits for tag chunks read into memory: a hostile header cannot
// make ReadTags allocate more than this. Embedded cover art can make a
// real ID3 chunk a few megabytes.
const (
	maxID3Chunk  = 16 << 20
	maxInfoChunk = 1 << 20
	maxChunks    = 4096 // chunks walked before giving up
)

// readChunkTags reads the tags of a RIFF WAVE or AIFF/AIFC file. ok is
// false when f is neither (the caller tries dhowden/tag). An ID3 chunk
// wins over LIST/INFO; INFO fills what the ID3 tag lacks.
func readChunkTags(f io.ReadSeeker) (t Tags, ok bool, err error) {
	var head [12]byte
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return t, false, err
	}
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return t, false, nil // too short for a container: not ours
	}
	var order binary.ByteOrder
	switch {
	case string(head[0:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		order = binary.LittleEndian
	case string(head[0:4]) == "FORM" && (string(head[8:12]) == "AIFF" || string(head[8:12]) == "AIFC"):
		order = binary.BigEndian
	default:
		return t, false, nil
	}
	var id3, info Tags
	var haveID3, haveInfo bool
	for range maxChunks {
		var h [8]byte
		if _, err := io.ReadFull(f, h[:]); err != nil {
			break // end of file, or a truncated header after the audio
		}
		id, size := string(h[0:4]), int64(order.Uint32(h[4:8]))
		next := size + size&1 // chunks are padded to an even length
		switch {
		case id == "id3 " || id == "ID3 ":
			if size > maxID3Chunk {
				return t, true, fmt.Errorf("ID3 chunk of %d bytes exceeds %d", size, maxID3Chunk)
			}
			b, err := readChunk(f, size)
			if err != nil {
				return t, true, err
			}
			m, err := readTagsSafe(bytes.NewReader(b))
			if err != nil {
				return t, true, fmt.Errorf("ID3 chunk: %w", err)
			}
			id3, haveID3 = fromMetadata(m), true
			next -= size
		case id == "LIST" && order == binary.LittleEndian && size >= 4:
			if size > maxInfoChunk {
				return t, true, fmt.Errorf("LIST chunk of %d bytes exceeds %d", size, maxInfoChunk)
			}
			b, err := readChunk(f, size)
			if err != nil {
				return t, true, err
			}
			if string(b[0:4]) == "INFO" {
				info, haveInfo = parseInfo(b[4:]), true
			}
			next -= size
		}
		if next > 0 {
			if _, err := f.Seek(next, io.SeekCurrent); err != nil {
				return t, true, err
			}
		}
	}
	if !haveID3 && !haveInfo {
		return t, true, tag.ErrNoTagsFound
	}
	t = id3
	fillTags(&t, info)
	return t, true, nil
}

func readChunk(f io.Reader, size int64) ([]byte, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("tag chunk truncated: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	return b, nil
}

// parseInfo reads the RIFF INFO subchunks Pika uses: INAM title, IART
// artist, IPRD album, IGNR genre, ICRD date (its year).
func parseInfo(b []byte) Tags {
	var t Tags
	for len(b) >= 8 {
		id, size := string(b[0:4]), int(binary.LittleEndian.Uint32(b[4:8]))
		b = b[8:]
		if size > len(b) {
			break
		}
		v := clean(infoText(bytes.TrimRight(b[:size], "\x00")))
		if v != "" {
			switch id {
			case "INAM":
				t.Title = v
			case "IART":
				t.Artist = v
			case "IPRD":
				t.Album = v
			case "IGNR":
				t.Genre = v
			case "ICRD":
				if len(v) >= 4 {
					if y, err := strconv.Atoi(v[:4]); err == nil && y > 0 {
						t.Year = y
					}
				}
			}
		}
		b = b[min(len(b), size+size&1):]
	}
	return t
}

// infoText decodes an INFO string: UTF-8 when it is valid, else Latin-1,
// which older Windows tools wrote.
func infoText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// fillTags sets the empty fields of t from u.
func fillTags(t *Tags, u Tags) {
	for _, p := range []struct {
		dst *string
		src string
	}{
		{&t.Artist, u.Artist}, {&t.Title, u.Title}, {&t.Album, u.Album}, {&t.Genre, u.Genre}, {&t.Key, u.Key},
	} {
		if *p.dst == "" {
			*p.dst = p.src
		}
	}
	if t.Year == 0 {
		t.Year = u.Year
	}
	if t.BPM == 0 {
		t.BPM = u.BPM
	}
}
