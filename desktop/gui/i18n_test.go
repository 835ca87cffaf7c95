package gui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/desktop/nowplaying"
)

// pluralForms are the CLDR plural categories of each language: what
// go-i18n (and the pages' Intl.PluralRules) choose among.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"pl": {"few", "many", "one", "other"},
	"de": {"one", "other"},
	"fr": {"many", "one", "other"},
	"es": {"many", "one", "other"},
}

var (
	goKey        = regexp.MustCompile(`\bTN?\(\s*"([^"]*)"`)
	goDynamicKey = regexp.MustCompile(`\bTN?\(\s*[^"\s)]`)
	goPlace      = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
)

// catMessage is a catalogue entry: a string or plural forms.
type catMessage struct {
	text  string
	forms map[string]string
}

func (m *catMessage) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &m.text); err == nil {
		return nil
	}
	return json.Unmarshal(b, &m.forms)
}

func placesOf(texts ...string) []string {
	set := map[string]bool{}
	for _, s := range texts {
		for _, m := range goPlace.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func readCatalogues(t *testing.T) map[string]map[string]catMessage {
	t.Helper()
	files, err := translationFS.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]map[string]catMessage{}
	for _, f := range files {
		data, err := translationFS.ReadFile("translations/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]catMessage
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		cats[strings.TrimSuffix(f.Name(), ".json")] = cat
	}
	return cats
}

// TestCataloguesMatchTheSource: every key the window's code names is in
// en.json, en.json has no key the code does not use, and every language
// has exactly English's keys, placeholders and its own plural forms.
func TestCataloguesMatchTheSource(t *testing.T) {
	cats := readCatalogues(t)
	var have, offered []string
	for l := range cats {
		have = append(have, l)
	}
	for _, l := range languages {
		offered = append(offered, l.code)
		if _, ok := pluralForms[l.code]; !ok {
			t.Errorf("%s has no plural forms in this test", l.code)
		}
	}
	sort.Strings(have)
	sort.Strings(offered)
	if !slices.Equal(have, offered) {
		t.Errorf("catalogues %v, the Settings switch offers %v", have, offered)
	}

	used := map[string][]string{}
	sources, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = append(used[m[1]], name)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if goDynamicKey.MatchString(line) && name != "i18n.go" {
				t.Errorf("%s: a message key that is not a literal (this check cannot see it): %s", name, strings.TrimSpace(line))
			}
		}
	}

	en := cats["en"]
	for key, files := range used {
		if _, ok := en[key]; !ok {
			t.Errorf("%q (in %v) is missing from translations/en.json", key, files)
		}
	}
	for key := range en {
		if _, ok := used[key]; !ok {
			t.Errorf("translations/en.json has %q, which no code uses", key)
		}
	}
	for l, cat := range cats {
		t.Run(l, func(t *testing.T) {
			for key, src := range en {
				m, ok := cat[key]
				switch {
				case !ok:
					t.Errorf("missing %q", key)
					continue
				case (src.forms == nil) != (m.forms == nil):
					t.Errorf("%q is a plural message in one catalogue and a string in the other", key)
					continue
				}
				if m.forms == nil {
					if strings.TrimSpace(m.text) == "" {
						t.Errorf("%q is empty", key)
					}
					if got, want := placesOf(m.text), placesOf(src.text); !slices.Equal(got, want) {
						t.Errorf("%q has the placeholders %v, English has %v", key, got, want)
					}
					continue
				}
				var forms []string
				for f, text := range m.forms {
					forms = append(forms, f)
					if got, want := placesOf(text), placesOf(src.forms["other"]); !slices.Equal(got, want) {
						t.Errorf("the %s form of %q has the placeholders %v, English's other form has %v", f, key, got, want)
					}
				}
				sort.Strings(forms)
				if !slices.Equal(forms, pluralForms[l]) {
					t.Errorf("%q has the forms %v, want %v", key, forms, pluralForms[l])
				}
			}
			for key := range cat {
				if _, ok := en[key]; !ok {
					t.Errorf("%q is not in en.json", key)
				}
			}
		})
	}
}

// TestPluralsInEachLanguage runs counts through the localizer, as the
// status line shows them.
func TestPluralsInEachLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage("en") })
	tests := []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 dancer connected"},
		{"en", 2, "2 dancers connected"},
		{"pl", 1, "1 tancerz połączony"},
		{"pl", 2, "2 tancerze połączeni"},
		{"pl", 5, "5 tancerzy połączonych"},
		{"pl", 22, "22 tancerze połączeni"},
		{"de", 1, "1 Tänzer verbunden"},
		{"fr", 0, "0 danseur connecté"},
		{"fr", 2, "2 danseurs connectés"},
		{"es", 1, "1 bailarín conectado"},
		{"es", 3, "3 bailarines conectados"},
	}
	for _, tc := range tests {
		useLanguage(tc.lang)
		if got := listenersLine(tc.count); got != tc.want {
			t.Errorf("%s, %d: %q, want %q", tc.lang, tc.count, got, tc.want)
		}
	}
}

// TestDecimalsInEachLanguage: the analysis speed's decimals are written
// the language's way.
func TestDecimalsInEachLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage("en") })
	for _, tc := range []struct{ lang, want string }{
		{"en", "3.5 tracks per minute"},
		{"pl", "3,5 utworu na minutę"},
		{"de", "3,5 Tracks pro Minute"},
		{"fr", "3,5 morceaux par minute"},
		{"es", "3,5 temas por minuto"},
	} {
		useLanguage(tc.lang)
		if got := T("analysis.rate", "Rate", decimal(3.5, 1)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
}

func TestChooseLanguage(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	tests := []struct{ choice, system, want string }{
		{"pl", "de_DE.UTF-8", "pl"},
		{"", "de_DE.UTF-8", "de"},
		{"", "fr_CA.UTF-8", "fr"},
		{"", "ja_JP.UTF-8", "en"},
		{"xx", "es_ES.UTF-8", "es"},
	}
	for _, tc := range tests {
		t.Setenv("LANG", tc.system)
		if got := chooseLanguage(tc.choice); got != tc.want {
			t.Errorf("choice %q, system %s: %q, want %q", tc.choice, tc.system, got, tc.want)
		}
	}
}

// windowTexts are the words the window shows: labels, buttons, checks,
// links and canvas texts, in tree order.
func windowTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Check:
			out = append(out, w.Text)
		case *widget.Hyperlink:
			out = append(out, w.Text)
		case *canvas.Text:
			out = append(out, w.Text)
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, child := range c.Objects {
				walk(child)
			}
		case fyne.Widget:
			if r := test.WidgetRenderer(c); r != nil {
				for _, child := range r.Objects() {
					walk(child)
				}
			}
		}
	}
	walk(o)
	return out
}

// TestWindowSpeaksTheChosenLanguage opens the window with German, then
// Polish chosen in Settings and looks for the main panes' words.
func TestWindowSpeaksTheChosenLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage("en") })
	tests := []struct {
		lang  string
		panes []string
		want  map[string][]string // pane → words it shows
	}{
		{"de", []string{"Live", "Bibliothek", "Analyse", "Umfragen", "Ansagen", "Einstellungen"}, map[string][]string{
			paneLive:     {"Live gehen", "Session beenden", "Name der Session", "Läuft gerade", "Der Raum"},
			paneSettings: {"Einstellungen speichern", "Relay-URL", "Dein DJ-Konto", "Sprache (nach einem Neustart)"},
			panePolls:    {"Umfrage schließen", "Keine Umfrage offen."},
		}},
		{"pl", []string{"Na żywo", "Biblioteka", "Analiza", "Ankiety", "Ogłoszenia", "Ustawienia"}, map[string][]string{
			paneLive:     {"Zacznij na żywo", "Zakończ sesję", "Nazwa sesji", "Teraz gra", "Sala"},
			paneSettings: {"Zapisz ustawienia", "Adres relay", "Twoje konto DJ-a", "Język (po ponownym uruchomieniu)"},
			panePolls:    {"Zamknij ankietę", "Żadna ankieta nie jest otwarta."},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			h := newHarnessIn(t, core.Config{}, tc.lang)
			var sidebar []string
			h.ui(func() {
				for _, p := range h.g.shell.panes {
					sidebar = append(sidebar, p.label())
				}
			})
			if !slices.Equal(sidebar, tc.panes) {
				t.Errorf("sidebar %q, want %q", sidebar, tc.panes)
			}
			for pane, words := range tc.want {
				h.show(pane)
				var texts []string
				h.ui(func() { texts = windowTexts(h.g.shell.content) })
				h.ui(func() {
					writePNG(filepath.Join(screenshotDir(t), fmt.Sprintf("lang-%s-%s.png", tc.lang, strings.ToLower(pane))), h.win.Canvas().Capture())
				})
				for _, w := range words {
					if !slices.Contains(texts, w) {
						t.Errorf("%s pane in %s: no %q among\n%s", pane, tc.lang, w, strings.Join(texts, "\n"))
					}
				}
			}
			var status string
			h.ui(func() { status = h.g.shell.status.live.Text })
			if want := map[string]string{"de": "Nicht live", "pl": "Nie na żywo"}[tc.lang]; status != want {
				t.Errorf("status line %q, want %q", status, want)
			}
		})
	}
}

// TestSourceStatusAndLibraryInEachLanguage: in a German and a Polish
// window the Live pane's source status (drawn as the core's status events
// draw it), the rekordbox key box and the empty library speak the
// language; the paths and program names stay as they are.
func TestSourceStatusAndLibraryInEachLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage("en") })
	db := filepath.Join("Pioneer", "rekordbox", "master.db")
	tests := []struct {
		lang    string
		status  nowplaying.Status
		line    []string // the status line has each
		keyBox  bool
		library string // the empty library's text begins so
		anyKey  string
	}{
		{"de", nowplaying.Status{Kind: nowplaying.SourceRekordbox, Location: db, State: nowplaying.StateWrongKey},
			[]string{"rekordbox 6/7: falscher Schlüssel", "Schlüsselfeld des Live-Bereichs", "PIKA_REKORDBOX_KEY"}, true,
			"Deine Bibliothek ist leer.", "Jede Tonart"},
		{"de", nowplaying.Status{Kind: nowplaying.SourceDjay, Location: filepath.Join("Música", "djay", "MediaLibrary.db"), State: nowplaying.StateNotFound},
			[]string{"djay Pro: " + filepath.Join("Música", "djay", "MediaLibrary.db") + " nicht gefunden", "Pika! sucht weiter."}, false,
			"Deine Bibliothek ist leer.", "Jede Tonart"},
		{"pl", nowplaying.Status{Kind: nowplaying.SourceRekordbox, Location: db, State: nowplaying.StateLocked},
			[]string{"rekordbox 6/7: baza danych jest zablokowana", "co sekundę"}, false,
			"Twoja biblioteka jest pusta.", "Dowolna tonacja"},
		{"pl", nowplaying.Status{Kind: nowplaying.SourceTraktor, Location: "127.0.0.1:8123", State: nowplaying.StateNoBroadcast},
			[]string{"Traktor (nadawanie): jeszcze brak transmisji na 127.0.0.1:8123", "Port 8123"}, false,
			"Twoja biblioteka jest pusta.", "Dowolna tonacja"},
		{"pl", nowplaying.Status{Kind: nowplaying.SourceMixxx, State: nowplaying.StateWaiting},
			[]string{"Śledzę Mixxx: jeszcze nie zagrano żadnego utworu"}, false,
			"Twoja biblioteka jest pusta.", "Dowolna tonacja"},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s-%d", tc.lang, i), func(t *testing.T) {
			h := newHarnessIn(t, core.Config{}, tc.lang)
			h.show(paneLive)
			st := h.g.live.srcStatus
			var name string
			h.ui(func() { name = h.g.live.name.Text })
			if want := map[string]string{"de": "Das Set heute Abend", "pl": "Dzisiejszy set"}[tc.lang]; name != want {
				t.Errorf("session name %q, want the default in the language, %q", name, want)
			}
			var line, save, hint string
			var keyBox bool
			h.ui(func() {
				st.show(true, tc.status)
				line, keyBox, save, hint = st.line.Text, st.keyBox.Visible(), st.saveKey.Text, st.key.PlaceHolder
				writePNG(filepath.Join(screenshotDir(t), fmt.Sprintf("lang-%s-source-%d.png", tc.lang, i)), h.win.Canvas().Capture())
			})
			for _, w := range tc.line {
				if !strings.Contains(line, w) {
					t.Errorf("source status %q has no %q", line, w)
				}
			}
			if strings.Contains(line, "Following") || strings.Contains(line, "not found") || strings.Contains(line, "wrong key") {
				t.Errorf("source status still English: %q", line)
			}
			if keyBox != tc.keyBox {
				t.Errorf("key box shown %v, want %v", keyBox, tc.keyBox)
			}
			if want := map[string]string{"de": "Schlüssel speichern", "pl": "Zapisz klucz"}[tc.lang]; save != want || strings.Contains(hint, "paste") {
				t.Errorf("key box: button %q (want %q), hint %q", save, want, hint)
			}

			h.show(paneLibrary)
			var texts []string
			var empty bool
			var anyKey string
			h.ui(func() {
				texts = windowTexts(h.g.shell.content)
				empty = h.g.library.empty.Visible()
				anyKey = h.g.library.key.Selected
			})
			if !empty {
				t.Errorf("an empty library shows no empty-library text")
			}
			if !slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, tc.library) }) {
				t.Errorf("library pane in %s: no text beginning %q among\n%s", tc.lang, tc.library, strings.Join(texts, "\n"))
			}
			if slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, " shown · ") }) {
				t.Errorf("library pane in %s: the track counts are still English:\n%s", tc.lang, strings.Join(texts, "\n"))
			}
			if anyKey != tc.anyKey {
				t.Errorf("key filter %q, want %q", anyKey, tc.anyKey)
			}
			if i == 0 || i == 2 {
				h.ui(func() {
					writePNG(filepath.Join(screenshotDir(t), fmt.Sprintf("lang-%s-library-empty.png", tc.lang)), h.win.Canvas().Capture())
				})
			}
		})
	}
}

// TestRoomTextInEachLanguage: the assistant's reading of the room's tempo
// votes, as the Live pane shows it.
func TestRoomTextInEachLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage("en") })
	for _, tc := range []struct {
		lang  string
		shift float64
		want  string
	}{
		{"en", -4, "The room says slower: −4 BPM"},
		{"en", 0, ""},
		{"pl", 3, "Sala mówi: szybciej, +3 BPM"},
		{"de", -2, "Der Saal sagt: langsamer, −2 BPM"},
		{"fr", 5, "La salle dit\u00a0: plus rapide, +5 BPM"},
		{"es", -6, "La sala pide más lento: −6 BPM"},
	} {
		useLanguage(tc.lang)
		if got := roomText(tc.shift); got != tc.want {
			t.Errorf("%s, %g: %q, want %q", tc.lang, tc.shift, got, tc.want)
		}
	}
}
