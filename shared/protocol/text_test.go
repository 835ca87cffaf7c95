package protocol

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name, in string
		rule     TextRule
		want     string // substring of the error; "" means accepted
	}{
		{"plain", "Ain't No Sunshine", SingleLine, ""},
		{"accents and scripts", "Édith Piaf · Кино · 東京事変 · עברית", SingleLine, ""},
		{"emoji", "Party 🎉🔥", SingleLine, ""},
		{"zwj emoji", "DJ 👩‍💻 and 👨‍👩‍👧", SingleLine, ""},
		{"flag with variation selector", "🏳️‍🌈 night", SingleLine, ""},
		{"skin tone zwj", "👍🏽 🧑🏽‍🚀", SingleLine, ""},
		{"england flag tags", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", SingleLine, ""},
		{"persian zwnj", "می\u200cخواهم", SingleLine, ""},
		{"devanagari zwj", "क्\u200dष", SingleLine, ""},
		{"newline in announcement", "Line one\nLine two", MultiLine, ""},
		{"newline in title", "Line one\nLine two", SingleLine, "title cannot contain a line break"},
		{"line separator", "a\u2028b", SingleLine, "line break"},
		{"rlo", "evil\u202Etxt.exe", SingleLine, "title contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"},
		{"lre", "a\u202Ab", SingleLine, "U+202A LEFT-TO-RIGHT EMBEDDING"},
		{"isolate", "a\u2066b", SingleLine, "U+2066 LEFT-TO-RIGHT ISOLATE"},
		{"pdi", "a\u2069b", SingleLine, "U+2069 POP DIRECTIONAL ISOLATE"},
		{"zero width space", "Pi\u200Bka", SingleLine, "U+200B ZERO WIDTH SPACE"},
		{"zwnj between latin", "Pi\u200Cka", SingleLine, "U+200C ZERO WIDTH NON-JOINER"},
		{"zwj between latin", "Pi\u200Dka", SingleLine, "U+200D ZERO WIDTH JOINER"},
		{"zwj after emoji before letter", "🎉\u200Da", SingleLine, "U+200D"},
		{"zwj at the end", "🎉\u200D", SingleLine, "U+200D"},
		{"lrm", "a\u200Eb", SingleLine, "U+200E LEFT-TO-RIGHT MARK"},
		{"rlm", "a\u200Fb", SingleLine, "U+200F RIGHT-TO-LEFT MARK"},
		{"bom", "\uFEFFtitle", SingleLine, "U+FEFF ZERO WIDTH NO-BREAK SPACE"},
		{"soft hyphen", "Pi\u00ADka", SingleLine, "U+00AD SOFT HYPHEN"},
		{"word joiner", "a\u2060b", SingleLine, "U+2060 WORD JOINER"},
		{"stray tag", "a\U000E0041", SingleLine, "invisible character (U+E0041 TAG LATIN CAPITAL LETTER A)"},
		{"bell", "a\u0007b", SingleLine, "title contains a control character (U+0007)"},
		{"tab", "a\tb", MultiLine, "control character (U+0009)"},
		{"carriage return", "a\r\nb", MultiLine, "U+000D"},
		{"del", "a\u007Fb", SingleLine, "U+007F"},
		{"c1 csi", "a\u009Bb", SingleLine, "control character (U+009B)"},
		{"c1 nel", "a\u0085b", MultiLine, "U+0085"},
		{"invalid utf8", "a\xffb", SingleLine, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("title", tt.in, tt.rule)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckText(%q) = %v, want accepted", tt.in, err)
				}
				if got := CleanText(tt.in, tt.rule); got != strings.TrimSpace(tt.in) {
					t.Fatalf("CleanText(%q) = %q, want it unchanged", tt.in, got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CheckText(%q) = %v, want an error containing %q", tt.in, err, tt.want)
			}
			// What CleanText leaves always passes.
			if c := CleanText(tt.in, tt.rule); CheckText("title", c, tt.rule) != nil {
				t.Fatalf("CleanText(%q) = %q still fails: %v", tt.in, c, CheckText("title", c, tt.rule))
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		rule TextRule
		want string
	}{
		{"\u202Egnp.exe", SingleLine, "gnp.exe"},
		{"Title\nwith break", SingleLine, "Title with break"},
		{"Title\nwith break", MultiLine, "Title\nwith break"},
		{"Tab\tseparated\r\n", SingleLine, "Tab separated"},
		{"\uFEFFArtist\u200B", SingleLine, "Artist"},
		{"a\x00b\x1bc", SingleLine, "abc"},
		{"Pi\u200Dka 👩\u200D💻", SingleLine, "Pika 👩\u200D💻"},
		{"🎉\u200D\u200B🎉", SingleLine, "🎉🎉"}, // the ZWJ is stranded once the ZWSP goes
		{"bad\xffutf8", SingleLine, "badutf8"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in, tt.rule); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeRefusesSpoofing(t *testing.T) {
	tests := []struct {
		name, frame, want string
	}{
		{"session name", `{"type":"REGISTER_SESSION","payload":{"token":"pk_dj_x","name":"My\u202esession"}}`, "name contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)"},
		{"artist", `{"type":"NOW_PLAYING","payload":{"track":{"artist":"A\u200bB","title":"x"}}}`, "artist contains an invisible character (U+200B ZERO WIDTH SPACE)"},
		{"title", `{"type":"NOW_PLAYING","payload":{"track":{"title":"x\u0085y"}}}`, "title contains a control character (U+0085)"},
		{"question", `{"type":"START_POLL","payload":{"question":"Next\u2066?","options":["a","b"]}}`, "question contains an invisible character (U+2066"},
		{"option", `{"type":"START_POLL","payload":{"question":"Next?","options":["a","b\ufeff"]}}`, "option 2 contains an invisible character (U+FEFF"},
		{"announcement", `{"type":"ANNOUNCE","payload":{"text":"Break\u202d now"}}`, "text contains an invisible character (U+202D LEFT-TO-RIGHT OVERRIDE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, perr := Decode([]byte(tt.frame))
			if perr == nil || perr.Code != CodeBadRequest || !strings.Contains(perr.Message, tt.want) {
				t.Fatalf("Decode = %+v, want bad_request containing %q", perr, tt.want)
			}
		})
	}
	// Newlines stay where allowed.
	if _, _, perr := Decode([]byte(`{"type":"ANNOUNCE","payload":{"text":"Line 1\nLine 2 🎉"}}`)); perr != nil {
		t.Fatalf("multi-line announcement refused: %v", perr)
	}
}
