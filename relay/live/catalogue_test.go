package live

import (
	"fmt"
	"testing"

	"github.com/pikadj/pika/shared/protocol"
)

func TestFoldWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Michael Bublé", "[michael buble]"},
		{"Don't Stop Me Now", "[dont stop me now]"},
		{"STRASSE / Straße", "[strasse strasse]"},
		{"  Café—Noir (Remix) ", "[cafe noir remix]"},
		{"", "[]"},
	} {
		if got := fmt.Sprint(foldWords(tc.in)); got != tc.want {
			t.Errorf("foldWords(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestMatchWord(t *testing.T) {
	for _, tc := range []struct {
		tok, word string
		want      int
	}{
		{"sway", "sway", matchExact},
		{"bub", "buble", matchPrefix},
		{"micheal", "michael", matchFuzzy}, // swap
		{"fitzgerlad", "fitzgerald", matchFuzzy},
		{"fitzgrld", "fitzgerald", matchFuzzy}, // two edits in a long word
		{"ftzgrld", "fitzgerald", 0},
		{"mihc", "michael", matchFuzzy}, // a typo while typing
		{"bbl", "buble", 0},             // too short for typos
		{"love", "mood", 0},
	} {
		if got := matchWord(tc.tok, tc.word); got != tc.want {
			t.Errorf("matchWord(%q, %q) = %d, want %d", tc.tok, tc.word, got, tc.want)
		}
	}
}

// TestCatalogueSearch: every query word must match; exact words rank
// above prefixes above typos; changes show in the next search.
func TestCatalogueSearch(t *testing.T) {
	c := newCatalogue()
	for _, tr := range []protocol.CatalogueTrack{
		{ID: "a", Artist: "Frank Sinatra", Title: "Fly Me to the Moon"},
		{ID: "b", Artist: "Frank Sinatra", Title: "My Way"},
		{ID: "c", Artist: "Franky Valli", Title: "Moonlight"},
	} {
		c.put(tr)
	}
	ids := func(q string) string {
		var out []string
		for _, e := range c.search(q, 10, func(*catEntry) int { return 0 }) {
			out = append(out, e.t.ID)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct{ q, want string }{
		{"frank moon", "[a c]"}, // a: both exact; c: both prefixes
		{"sinatra way", "[b]"},
		{"sinatar", "[a b]"},
		{"", "[]"},
	} {
		if got := ids(tc.q); got != tc.want {
			t.Errorf("search %q = %s, want %s", tc.q, got, tc.want)
		}
	}
	c.remove("a")
	if got := ids("moon"); got != "[c]" {
		t.Errorf("after remove: %s", got)
	}
}

// BenchmarkCatalogueSearch searches a full catalogue as a dancer types.
func BenchmarkCatalogueSearch(b *testing.B) {
	c := newCatalogue()
	words := []string{"love", "night", "swing", "blue", "moon", "dance", "heart", "road", "fire", "rain", "city", "dream"}
	for i := range protocol.MaxCatalogueTracks {
		c.put(protocol.CatalogueTrack{ID: fmt.Sprint(i), Artist: fmt.Sprintf("Artist %d %s", i%3000, words[i%7]),
			Title: fmt.Sprintf("%s %s %d", words[i%12], words[(i/12)%12], i)})
	}
	c.search("warm up", 20, func(*catEntry) int { return 0 })
	b.ResetTimer()
	for i := range b.N {
		c.search([]string{"mo", "moon", "moon nigth", "artist 12"}[i%4], 20, func(*catEntry) int { return 0 })
	}
}
