package protocol

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

// Text that people read (names, titles, polls, announcements) may not hide
// anything: no control characters and no invisible formatting characters
// (Unicode category Cf: bidirectional overrides and isolates, zero-width
// spaces, the byte-order mark, soft hyphens, word joiners…), which can make
// one text look like another or reverse what follows it. Letters of every
// script, emoji and, where allowed, newlines stay.
//
// Two joiners are kept where text needs them:
//   - U+200D ZERO WIDTH JOINER between two emoji (👩‍💻, 🏳️‍🌈) and between
//     two letters of a script that shapes with it (Arabic, Indic…);
//   - U+200C ZERO WIDTH NON-JOINER between two letters of such a script
//     (Persian "می‌خواهم" needs it).
//
// Between Latin, Greek or Cyrillic letters, where they change nothing
// visible, they are refused: that is where a joiner spoofs a name.
// The tag characters U+E0020–U+E007F are kept inside a flag emoji
// sequence (🏴 followed by tags, ending with U+E007F CANCEL TAG).

// TextRule says how CheckText treats line breaks.
type TextRule int

// TextRules for CheckText.
const (
	SingleLine TextRule = iota // names, titles, poll texts
	MultiLine                  // announcements: "\n" is allowed
)

// CheckText reports the first character of v that has no place in a text
// people read, naming the field and the character, for example
// `title contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)`.
func CheckText(field, v string, rule TextRule) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", field)
	}
	rs := []rune(v)
	for i, r := range rs {
		switch textClass(rs, i) {
		case charOK:
		case charNewline:
			if rule != MultiLine {
				return fmt.Errorf("%s cannot contain a line break", field)
			}
		case charControl:
			return fmt.Errorf("%s contains a control character (%s)", field, RuneName(r))
		case charInvisible:
			return fmt.Errorf("%s contains an invisible character (%s)", field, RuneName(r))
		}
	}
	return nil
}

// CleanText removes from s what CheckText refuses: line breaks and tabs
// become spaces (kept with MultiLine), other control and invisible
// characters are dropped, and the result is trimmed. The desktop app uses
// it on tags, which come from outside and cannot be fixed during a set.
func CleanText(s string, rule TextRule) string {
	s = strings.ToValidUTF8(s, "")
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch textClass(rs, i) {
		case charOK:
			b.WriteRune(r)
		case charNewline:
			if rule == MultiLine {
				b.WriteRune('\n')
			} else {
				b.WriteByte(' ')
			}
		case charControl:
			if r == '\t' || r == '\r' || r == 0x85 {
				b.WriteByte(' ')
			}
		case charInvisible:
		}
	}
	out := b.String()
	// Dropping a character can leave a joiner stranded: clean again
	// until nothing changes (each pass only removes).
	if out != s {
		return strings.TrimSpace(CleanText(out, rule))
	}
	return strings.TrimSpace(out)
}

// RuneName is "U+202E RIGHT-TO-LEFT OVERRIDE", or just "U+0007" for a
// character without a name.
func RuneName(r rune) string {
	name := runenames.Name(r)
	if name == "" || strings.HasPrefix(name, "<") {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("U+%04X %s", r, name)
}

type charClass int

const (
	charOK charClass = iota
	charNewline
	charControl
	charInvisible
)

func textClass(rs []rune, i int) charClass {
	r := rs[i]
	switch {
	case r == '\n':
		return charNewline
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return charControl
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return charNewline
	case r == 0x200d:
		if i > 0 && i+1 < len(rs) && (emojiBeforeJoiner(rs[i-1]) && isPictographic(rs[i+1]) || joiningLetters(rs[i-1], rs[i+1])) {
			return charOK
		}
		return charInvisible
	case r == 0x200c:
		if i > 0 && i+1 < len(rs) && joiningLetters(rs[i-1], rs[i+1]) {
			return charOK
		}
		return charInvisible
	case r >= 0xe0020 && r <= 0xe007f:
		if inFlagTags(rs, i) {
			return charOK
		}
		return charInvisible
	case unicode.Is(unicode.Cf, r):
		return charInvisible
	}
	return charOK
}

// inFlagTags reports whether the tag character at i belongs to a run of
// tags right after U+1F3F4 WAVING BLACK FLAG.
func inFlagTags(rs []rune, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch {
		case rs[j] == 0x1f3f4:
			return true
		case rs[j] >= 0xe0020 && rs[j] < 0xe007f:
		default:
			return false
		}
	}
	return false
}

// emojiBeforeJoiner: an emoji, or what ends one before a joiner (the emoji
// presentation selector, a skin tone, which is itself in the emoji range).
func emojiBeforeJoiner(r rune) bool { return r == 0xfe0f || isPictographic(r) }

// isPictographic approximates Unicode's Extended_Pictographic property by
// the blocks emoji live in.
func isPictographic(r rune) bool {
	switch {
	case r >= 0x1f000 && r <= 0x1faff,
		r >= 0x2600 && r <= 0x27bf,
		r >= 0x2300 && r <= 0x23ff,
		r >= 0x2b00 && r <= 0x2bff,
		r >= 0x2190 && r <= 0x21ff,
		r >= 0x25a0 && r <= 0x25ff,
		r == 0x00a9, r == 0x00ae, r == 0x203c, r == 0x2049, r == 0x2122, r == 0x2139,
		r == 0x2934, r == 0x2935, r == 0x3030, r == 0x303d, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

// joinerScripts shape letters with ZWJ/ZWNJ.
var joinerScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Devanagari,
	unicode.Bengali, unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil,
	unicode.Telugu, unicode.Kannada, unicode.Malayalam, unicode.Sinhala, unicode.Khmer,
	unicode.Myanmar, unicode.Tibetan, unicode.Thaana,
}

func joiningLetters(a, b rune) bool {
	return unicode.In(a, joinerScripts...) && unicode.In(b, joinerScripts...)
}
