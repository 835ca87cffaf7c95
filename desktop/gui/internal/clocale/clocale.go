// Package clocale keeps Fyne quiet under the C locale. Fyne's lang package
// reads the user's languages at package init (and again while drawing),
// through github.com/jeandeaual/go-locale, which turns LANG=C.UTF-8 (the
// default of Debian images, CI runners and ssh sessions) into the language
// "C"; golang.org/x/text cannot parse it, so every program that links Fyne,
// even a headless `pika live`, printed "Error parsing user locale C".
//
// Importing this package for its side effect sets LANGUAGE=en in that case
// only. Its init runs before Fyne's: the Go spec initialises packages in
// import-path order, each as soon as its imports are, and this package
// imports nothing but os, while fyne.io/fyne/v2/lang waits for
// golang.org/x/text/language, which sorts after github.com/pikadj/... and
// itself needs os. LANGUAGE does not change the C locale for anything else:
// gettext consults it only for message catalogues, and English is what C
// shows anyway.
package clocale

import "os"

// Fallback is the language given to Fyne when the locale is C or POSIX.
const Fallback = "en"

func init() {
	if lang, ok := Language(os.Getenv); ok {
		_ = os.Setenv("LANGUAGE", lang) // fails only on a malformed name
	}
}

// Language says which LANGUAGE to set, given the environment: Fallback
// when the locale in effect (LC_ALL, else LC_MESSAGES, else LANG, as
// go-locale reads them) is C or POSIX with an encoding or modifier, and
// LANGUAGE is not set already. Plain "C" and "POSIX", or no locale at all,
// are handled by go-locale itself and left alone.
func Language(getenv func(string) string) (string, bool) {
	if getenv("LANGUAGE") != "" {
		return "", false
	}
	loc := ""
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(name); loc != "" {
			break
		}
	}
	if loc == "" || loc == "C" || loc == "POSIX" {
		return "", false
	}
	base := loc
	for i, r := range loc {
		if r == '.' || r == '@' {
			base = loc[:i]
			break
		}
	}
	if base == "C" || base == "POSIX" {
		return Fallback, true
	}
	return "", false
}
