package gui

import (
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// The window's words, in the catalogues under translations/ (go-i18n
// JSON, the format of Fyne's own lang package: a string, or for a count
// the CLDR plural forms one/few/many/other; {{.Name}} placeholders).
// English (en.json) is the source and the fallback; i18n_test.go checks
// every catalogue has its keys, placeholders and the language's forms.
//
// The language is the DJ's choice in Settings (prefLanguage), else the
// system's as Fyne reads it (lang.SystemLocale), else English. Fyne's own
// lang localizer follows only the system's languages, with no way to pick
// another, so the window keeps its own go-i18n localizer over the same
// catalogue format; Fyne's built-in words (file dialogs) stay the
// system's.

//go:embed translations/*.json
var translationFS embed.FS

// prefLanguage remembers the DJ's language ("" or absent: the system's).
const prefLanguage = "language"

// languages are those the window speaks, as the switch lists them.
var languages = []struct{ code, name string }{
	{"en", "English"}, {"pl", "Polski"}, {"de", "Deutsch"}, {"fr", "Français"}, {"es", "Español"},
}

type localizer struct {
	code string
	own  *i18n.Localizer
	en   *i18n.Localizer
}

var (
	bundle  = loadBundle()
	current atomic.Pointer[localizer]
)

func loadBundle() *i18n.Bundle {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := translationFS.ReadDir("translations")
	if err != nil {
		panic(err) // embedded at build time
	}
	for _, f := range files {
		data, err := translationFS.ReadFile(path.Join("translations", f.Name()))
		if err == nil {
			_, err = b.ParseMessageFileBytes(data, f.Name())
		}
		if err != nil {
			panic(fmt.Sprintf("gui: translation %s: %v", f.Name(), err)) // the catalogue test catches it first
		}
	}
	return b
}

// supported returns the code among languages of a tag such as "de-AT",
// "pl_PL.UTF-8" or "fr", or "" when the window does not speak it.
func supported(tag string) string {
	parts := strings.FieldsFunc(strings.ToLower(tag), func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' })
	if len(parts) == 0 {
		return ""
	}
	for _, l := range languages {
		if l.code == parts[0] {
			return l.code
		}
	}
	return ""
}

// chooseLanguage is the DJ's choice when it is one the window speaks,
// else the system's, else English.
func chooseLanguage(choice string) string {
	if c := supported(choice); c != "" {
		return c
	}
	if c := supported(string(lang.SystemLocale())); c != "" {
		return c
	}
	return "en"
}

// useLanguage makes code (as chooseLanguage returns) the window's
// language; widgets made afterwards speak it.
func useLanguage(code string) {
	current.Store(&localizer{code: code, own: i18n.NewLocalizer(bundle, code), en: i18n.NewLocalizer(bundle, "en")})
}

func activeLocalizer() *localizer {
	if l := current.Load(); l != nil {
		return l
	}
	useLanguage(chooseLanguage(""))
	return current.Load()
}

// T is the message of key in the window's language, its placeholders
// filled from data: name, value pairs (T(key, "Name", n) fills {{.Name}}).
func T(key string, data ...any) string { return localize(key, nil, data) }

// TN is T for a message with plural forms, chosen by count ({{.Count}}
// is count).
func TN(key string, count int, data ...any) string { return localize(key, &count, data) }

func localize(key string, count *int, pairs []any) string {
	l := activeLocalizer()
	td := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if name, ok := pairs[i].(string); ok {
			td[name] = pairs[i+1]
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: key, TemplateData: td}
	if count != nil {
		cfg.PluralCount = *count
		td["Count"] = *count
	}
	out, err := l.own.Localize(cfg)
	if err == nil {
		return out
	}
	out, err2 := l.en.Localize(cfg)
	if err2 != nil {
		slog.Warn("gui: no message", "key", key, "err", err2)
		return key
	}
	return out
}

// newLanguageSelect is the switch in Settings: the system's language or
// one the window speaks, kept in the preferences and used from the next
// start (every pane is built in its language at start).
func newLanguageSelect(prefs fyne.Preferences) *widget.Select {
	system := T("settings.language.system")
	options := []string{system}
	codes := map[string]string{system: ""}
	for _, l := range languages {
		options = append(options, l.name)
		codes[l.name] = l.code
	}
	sel := widget.NewSelect(options, func(name string) { prefs.SetString(prefLanguage, codes[name]) })
	sel.Selected = system
	for _, l := range languages {
		if l.code == prefs.String(prefLanguage) {
			sel.Selected = l.name
		}
	}
	return sel
}

// decimal writes v with digits decimals the window's language's way
// ("3,5" in Polish, German, French and Spanish).
func decimal(v float64, digits int) string {
	return message.NewPrinter(language.Make(activeLocalizer().code)).Sprint(number.Decimal(v, number.MaxFractionDigits(digits), number.MinFractionDigits(digits)))
}

// columnLabel is a library column's title (its name in the code, the
// English) in the window's language.
func columnLabel(title string) string {
	switch title {
	case "Artist":
		return T("column.artist")
	case "Title":
		return T("column.title")
	case "Key":
		return T("column.key")
	case "Energy":
		return T("column.energy")
	case "Status":
		return T("column.status")
	case "Problem":
		return T("column.problem")
	case "Crowd":
		return T("column.crowd")
	case "At event":
		return T("column.atEvent")
	}
	return title // BPM, and a column added without a translation
}

// durationLabel is a duration choice of the poll and announcement editors
// (named in English in the code) in the window's language.
func durationLabel(label string) string {
	switch label {
	case "Until I close it":
		return T("duration.untilClosed")
	case "Until I clear it":
		return T("duration.untilCleared")
	case "1 minute":
		return TN("duration.minutes", 1)
	case "2 minutes":
		return TN("duration.minutes", 2)
	case "5 minutes":
		return TN("duration.minutes", 5)
	case "10 minutes":
		return TN("duration.minutes", 10)
	case "15 minutes":
		return TN("duration.minutes", 15)
	case "1 hour":
		return T("duration.hour")
	}
	return label
}

// feelLabel is one of the feel bars' names in the window's language.
func feelLabel(name string) string {
	switch name {
	case "Energy":
		return T("feel.energy")
	case "Danceability":
		return T("feel.danceability")
	case "Brightness":
		return T("feel.brightness")
	}
	return name
}
