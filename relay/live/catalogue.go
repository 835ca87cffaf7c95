package live

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/pikadj/pika/shared/protocol"
)

// catalogue is a session's request catalogue in memory, with a word index
// for searching as dancers type. The index is rebuilt on the first search
// after a change: the DJ's app sends changes in bursts (a whole library in
// chunks), searches come one keystroke at a time.
type catalogue struct {
	byID  map[string]*catEntry
	dirty bool
	vocab map[string][]*catEntry // folded word → the entries that have it
}

type catEntry struct {
	t        protocol.CatalogueTrack
	identity string // protocol.TrackIdentity, for "played tonight"
	words    []string
}

func newCatalogue() *catalogue { return &catalogue{byID: map[string]*catEntry{}} }

func (c *catalogue) put(t protocol.CatalogueTrack) {
	c.byID[t.ID] = &catEntry{t: t, identity: protocol.TrackIdentity(t.Artist, t.Title), words: foldWords(t.Artist + " " + t.Title)}
	c.dirty = true
}

func (c *catalogue) remove(id string) {
	if _, ok := c.byID[id]; ok {
		delete(c.byID, id)
		c.dirty = true
	}
}

func (c *catalogue) reindex() {
	if !c.dirty && c.vocab != nil {
		return
	}
	c.vocab = make(map[string][]*catEntry, len(c.byID))
	for _, e := range c.byID {
		for i, w := range e.words {
			if !containsBefore(e.words, i, w) {
				c.vocab[w] = append(c.vocab[w], e)
			}
		}
	}
	c.dirty = false
}

func containsBefore(ws []string, i int, w string) bool {
	for _, x := range ws[:i] {
		if x == w {
			return true
		}
	}
	return false
}

// Match qualities of a query word against a track's word.
const (
	matchFuzzy  = 1
	matchPrefix = 2
	matchExact  = 3
)

// search returns the entries that match every word of the query, best
// first, at most limit; rank breaks ties (higher first), then artist and
// title.
func (c *catalogue) search(query string, limit int, rank func(*catEntry) int) []*catEntry {
	tokens := foldWords(query)
	if len(tokens) == 0 {
		return nil
	}
	c.reindex()
	var total map[*catEntry]int
	for _, tok := range tokens {
		best := map[*catEntry]int{}
		for w, es := range c.vocab {
			q := matchWord(tok, w)
			if q == 0 {
				continue
			}
			for _, e := range es {
				if best[e] < q {
					best[e] = q
				}
			}
		}
		if total == nil {
			total = best
			continue
		}
		for e, s := range total {
			if q, ok := best[e]; ok {
				total[e] = s + q
			} else {
				delete(total, e)
			}
		}
	}
	out := make([]*catEntry, 0, len(total))
	for e := range total {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if total[a] != total[b] {
			return total[a] > total[b]
		}
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra > rb
		}
		if a.t.Artist != b.t.Artist {
			return a.t.Artist < b.t.Artist
		}
		return a.t.Title < b.t.Title
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// matchWord rates a query word against a track's word: the same word, a
// prefix of it (the dancer is still typing), or one with a typo (one edit
// from 4 letters, two from 8), the word or its start.
func matchWord(tok, w string) int {
	switch {
	case tok == w:
		return matchExact
	case strings.HasPrefix(w, tok):
		return matchPrefix
	}
	tr, wr := []rune(tok), []rune(w)
	k := 0
	switch {
	case len(tr) >= 8:
		k = 2
	case len(tr) >= 4:
		k = 1
	default:
		return 0
	}
	if abs(len(wr)-len(tr)) <= k && editDistance(tr, wr, k) <= k {
		return matchFuzzy
	}
	// A typo in a word still being typed: compare with the word's start.
	if len(wr) > len(tr) && editDistance(tr, wr[:len(tr)], k) <= k {
		return matchFuzzy
	}
	return 0
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal string alignment distance of a and b
// (insertions, deletions, substitutions, swaps of neighbours), or k+1 as
// soon as it must exceed k.
func editDistance(a, b []rune, k int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > k {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

var folder = cases.Fold()

// foldWords splits text into search words: case-folded, accents dropped
// ("Bublé" is "buble"), apostrophes dropped ("don't" is "dont"), split at
// everything but letters and digits.
func foldWords(s string) []string {
	s = norm.NFD.String(folder.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}
