package webclient

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The pages' catalogues (static/assets/i18n/LANG.json, loaded by
// assets/js/i18n.js). English is the source: every other language has
// exactly its keys, the same placeholders and the plural forms CLDR gives
// the language (what Intl.PluralRules selects; the browser test checks
// the two agree).
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"pl": {"few", "many", "one", "other"},
	"de": {"one", "other"},
	"fr": {"many", "one", "other"},
	"es": {"many", "one", "other"},
}

var (
	htmlKey = regexp.MustCompile(`data-i18n="([^"]*)"`)
	// The HTML's own text of an element with data-i18n: what the page
	// shows before (or without) its script, so it must be the English.
	htmlKeyText = regexp.MustCompile(`<\w+\b[^>]*\sdata-i18n="([^"]*)"[^>]*>([^<]*)<`)
	htmlAttrKey = regexp.MustCompile(`data-i18n-attr="([^"]*)"`)
	jsKey       = regexp.MustCompile(`\btr?\(\s*'([^']*)'`)
	// t(variable) would hide a key from this check.
	jsDynamicKey = regexp.MustCompile(`\btr?\(\s*[^'\s)]`)
	placeholder  = regexp.MustCompile(`\{(\w+)\}`)
	langsLine    = regexp.MustCompile(`export const LANGS = \{([^}]*)\}`)
)

// message is a catalogue entry: a string, or plural forms.
type message struct {
	text  string
	forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &m.text); err == nil {
		return nil
	}
	if err := json.Unmarshal(b, &m.forms); err != nil {
		return fmt.Errorf("neither a string nor plural forms: %s", b)
	}
	return nil
}

func (m message) placeholders() []string {
	texts := []string{m.text}
	for _, f := range m.forms {
		texts = append(texts, f)
	}
	set := map[string]bool{}
	for _, s := range texts {
		for _, p := range placeholder.FindAllStringSubmatch(s, -1) {
			set[p[1]] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func loadCatalogues(t *testing.T) map[string]map[string]message {
	t.Helper()
	root := FS()
	names, err := fs.Glob(root, "assets/i18n/*.json")
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]map[string]message{}
	for _, name := range names {
		data, err := fs.ReadFile(root, name)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]message
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cats[strings.TrimSuffix(path.Base(name), ".json")] = cat
	}
	return cats
}

// usedKeys are the message keys the pages and scripts name.
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	root := FS()
	used := map[string][]string{} // key → files naming it
	add := func(key, file string) { used[key] = append(used[key], file) }
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		src := string(data)
		switch {
		case strings.HasSuffix(name, ".html"):
			for _, m := range htmlKey.FindAllStringSubmatch(src, -1) {
				add(m[1], name)
			}
			for _, m := range htmlAttrKey.FindAllStringSubmatch(src, -1) {
				for _, pair := range strings.Split(m[1], ";") {
					attr, key, ok := strings.Cut(pair, ":")
					if !ok || strings.TrimSpace(attr) == "" {
						t.Errorf("%s: data-i18n-attr %q is not attr:key;attr:key", name, m[1])
						continue
					}
					add(strings.TrimSpace(key), name)
				}
			}
		case strings.HasSuffix(name, ".js") && name != "assets/js/i18n.js":
			for _, m := range jsKey.FindAllStringSubmatch(src, -1) {
				add(m[1], name)
			}
			for _, line := range strings.Split(src, "\n") {
				if jsDynamicKey.MatchString(line) {
					t.Errorf("%s: a message key that is not a literal (the catalogue check cannot see it): %s", name, strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The language switch's label, named inside i18n.js.
	add("lang.switch", "assets/js/i18n.js")
	return used
}

func TestCataloguesMatchTheSource(t *testing.T) {
	cats := loadCatalogues(t)
	en := cats["en"]
	if len(en) == 0 {
		t.Fatal("no English catalogue (static/assets/i18n/en.json)")
	}
	var langs []string
	for l := range cats {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var want []string
	for l := range pluralForms {
		want = append(want, l)
	}
	sort.Strings(want)
	if !slices.Equal(langs, want) {
		t.Errorf("catalogues %v, want %v (a new language needs its plural forms in pluralForms)", langs, want)
	}

	used := usedKeys(t)
	for key, files := range used {
		if _, ok := en[key]; !ok {
			t.Errorf("key %q (in %v) is missing from en.json", key, files)
		}
	}
	for key := range en {
		if _, ok := used[key]; !ok {
			t.Errorf("en.json has %q, which no page or script uses", key)
		}
	}

	for _, l := range langs {
		cat := cats[l]
		t.Run(l, func(t *testing.T) {
			for key, src := range en {
				m, ok := cat[key]
				if !ok {
					t.Errorf("%s: missing %q", l, key)
					continue
				}
				if (src.forms == nil) != (m.forms == nil) {
					t.Errorf("%s: %q is a plural message in one catalogue and a string in the other", l, key)
					continue
				}
				if m.forms != nil {
					var forms []string
					for f, text := range m.forms {
						forms = append(forms, f)
						if strings.TrimSpace(text) == "" {
							t.Errorf("%s: %q has an empty %s form", l, key, f)
						}
					}
					sort.Strings(forms)
					if !slices.Equal(forms, pluralForms[l]) {
						t.Errorf("%s: %q has the plural forms %v, want %v", l, key, forms, pluralForms[l])
					}
				} else if strings.TrimSpace(m.text) == "" {
					t.Errorf("%s: %q is empty", l, key)
				}
				if got, want := m.placeholders(), src.placeholders(); !slices.Equal(got, want) {
					t.Errorf("%s: %q has the placeholders %v, English has %v", l, key, got, want)
				}
				// Each plural form names what English's "other" names: a
				// form without {count} would hide the number.
				for f, text := range m.forms {
					if got, want := (message{text: text}).placeholders(), (message{text: src.forms["other"]}).placeholders(); !slices.Equal(got, want) {
						t.Errorf("%s: the %s form of %q has the placeholders %v, English's other form has %v", l, f, key, got, want)
					}
				}
			}
			for key := range cat {
				if _, ok := en[key]; !ok {
					t.Errorf("%s: %q is not in en.json", l, key)
				}
			}
		})
	}
}

// TestSwitchOffersEveryCatalogue keeps i18n.js's list of languages (the
// switch, and what a browser's language is matched against) and the
// catalogues the same.
func TestSwitchOffersEveryCatalogue(t *testing.T) {
	src, err := fs.ReadFile(FS(), "assets/js/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	m := langsLine.FindSubmatch(src)
	if m == nil {
		t.Fatal("i18n.js has no `export const LANGS = {…}`")
	}
	var offered []string
	for _, entry := range strings.Split(string(m[1]), ",") {
		code, _, _ := strings.Cut(strings.TrimSpace(entry), ":")
		offered = append(offered, strings.TrimSpace(code))
	}
	sort.Strings(offered)
	var have []string
	for l := range loadCatalogues(t) {
		have = append(have, l)
	}
	sort.Strings(have)
	if !slices.Equal(offered, have) {
		t.Errorf("i18n.js offers %v, the catalogues are %v", offered, have)
	}
}

// TestPageTextIsTheEnglish: an element's own text in the HTML is what a
// reader sees before the script runs, and what English readers keep.
func TestPageTextIsTheEnglish(t *testing.T) {
	en := loadCatalogues(t)["en"]
	root := FS()
	pages, err := fs.Glob(root, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		data, err := fs.ReadFile(root, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range htmlKeyText.FindAllStringSubmatch(string(data), -1) {
			key, text := m[1], strings.TrimSpace(m[2])
			if msg, ok := en[key]; ok && msg.forms == nil && text != msg.text {
				t.Errorf("%s: the text of data-i18n=%q is %q, en.json says %q", page, key, text, msg.text)
			}
		}
	}
}
