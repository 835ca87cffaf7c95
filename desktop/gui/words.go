package gui

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pikadj/pika/desktop/core"
)

// plural is a count with its noun: "1 vote", "3 votes", "0 polls".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// keyLabel is how the app writes a key everywhere: "8A · A minor" (the
// web pages write it the same way).
func keyLabel(camelot, name string) string {
	switch {
	case camelot == "":
		return name
	case name == "":
		return camelot
	}
	return camelot + " · " + name
}

// packagePrefixes are the layers an error passes through on its way up;
// they mean nothing to a DJ.
var packagePrefixes = []string{"analysis: ", "audio: ", "livelink: ", "library: ", "core: ", "settings: ", "nowplaying: ", "mp3: ", "flac: "}

// errorText is an error as the window shows it: no package prefixes,
// "file: corrupt audio data: detail" as "file: the audio data is corrupt
// (detail)", a missing token in the window's words, and a capital first
// letter.
func errorText(err error) string { return capitalise(errorDetail(err)) }

// errorDetail is errorText for after a colon ("Could not go live: …"):
// the same words, not capitalised.
func errorDetail(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, core.ErrNoToken):
		return T("error.noToken")
	case errors.Is(err, core.ErrNoRelay):
		return T("error.noRelay")
	}
	return cleanError(err.Error())
}

// cleanError strips the package prefixes of a message at every layer.
func cleanError(s string) string {
	parts := strings.Split(s, ": ")
	out := parts[:0]
	for _, p := range parts {
		if slicesContains(packagePrefixes, p+": ") {
			continue
		}
		out = append(out, p)
	}
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "corrupt audio data" {
			detail := strings.Join(out[i+1:], ": ")
			out = append(out[:i], T("error.corruptAudio", "Detail", detail))
			break
		}
	}
	joined := strings.Join(out, ": ")
	if strings.TrimSpace(joined) == "" {
		return s
	}
	return joined
}

func slicesContains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// capitalise upper-cases the first letter.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
