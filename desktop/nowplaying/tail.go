package nowplaying

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

const (
	// maxLine bounds one line; a longer "line" is hostile or binary and is
	// skipped rather than buffered.
	maxLine = 64 << 10
	// maxRead bounds how much is read per check; the rest comes next check.
	maxRead = 4 << 20
	// tailKeep is how many consumed bytes are remembered to recognise that
	// a file was truncated or replaced by other content.
	tailKeep = 256
)

// lineTail reads the complete lines appended to a file since the last call.
// A line is complete once its newline is written, so a half-written line
// waits. When the file shrinks, or the bytes just before the read position
// are no longer the ones read (the file was truncated and rewritten, or
// replaced), reading starts again from the beginning and reset is true.
type lineTail struct {
	path string
	off  int64
	tail []byte
}

// lines returns the new complete lines, without their line endings.
func (t *lineTail) lines() (lines []string, reset bool, err error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", t.path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", t.path, err)
	}
	size := fi.Size()
	if size < t.off || !t.sameTail(f) {
		t.off, t.tail, reset = 0, nil, true
	}
	if size == t.off {
		return nil, reset, nil
	}
	n := size - t.off
	if n > maxRead {
		n = maxRead
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, t.off); err != nil && err != io.EOF {
		return nil, reset, fmt.Errorf("read %s: %w", t.path, err)
	}
	end := bytes.LastIndexByte(buf, '\n')
	if end < 0 {
		if len(buf) > maxLine {
			// No newline in a huge run of bytes: skip it instead of
			// waiting forever.
			t.consume(buf)
		}
		return nil, reset, nil
	}
	done := buf[:end+1]
	t.consume(done)
	for _, l := range bytes.Split(done[:len(done)-1], []byte{'\n'}) {
		l = bytes.TrimRight(l, "\r")
		if len(l) > maxLine {
			continue
		}
		lines = append(lines, decodeText(l))
	}
	return lines, reset, nil
}

func (t *lineTail) consume(b []byte) {
	t.off += int64(len(b))
	t.tail = append(t.tail, b...)
	if len(t.tail) > tailKeep {
		t.tail = append([]byte(nil), t.tail[len(t.tail)-tailKeep:]...)
	}
}

// sameTail reports whether the bytes before t.off are still those read.
func (t *lineTail) sameTail(f *os.File) bool {
	if t.off == 0 || len(t.tail) == 0 {
		return true
	}
	got := make([]byte, len(t.tail))
	if _, err := f.ReadAt(got, t.off-int64(len(t.tail))); err != nil {
		return false
	}
	return bytes.Equal(got, t.tail)
}

// skipToEnd positions the tail at the end of the existing complete lines
// and returns them, so the caller can learn the current state without
// treating old entries as new.
func (t *lineTail) skipToEnd() ([]string, error) {
	var all []string
	for {
		before := t.off
		lines, _, err := t.lines()
		if err != nil {
			return all, err
		}
		all = append(all, lines...)
		if t.off == before {
			return all, nil
		}
	}
}

// decodeText returns b as UTF-8: without a byte-order mark, and read as
// Windows-1252/Latin-1 when it is not valid UTF-8 (older .m3u files and
// VirtualDJ's tracklist.txt on Windows use the ANSI code page).
func decodeText(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, 0, len(b))
	for _, c := range b {
		if c >= 0x80 && c < 0xa0 {
			r = append(r, cp1252[c-0x80])
			continue
		}
		r = append(r, rune(c))
	}
	return string(r)
}

// cp1252 maps Windows-1252's 0x80–0x9F to Unicode (undefined bytes become
// U+FFFD).
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}
