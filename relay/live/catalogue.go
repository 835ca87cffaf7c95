package live

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// The index: entries by number, the distinct words sorted, and for
	// each word the numbers of the entries that have it.
	entries  []*catEntry
	words    []string
	postings [][]int32
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
	if !c.dirty && c.entries != nil {
		return
	}
	c.entries = make([]*catEntry, 0, len(c.byID))
	for _, e := range c.byID {
		c.entries = append(c.entries, e)
	}
	vocab := map[string][]int32{}
	for i, e := range c.entries {
		for j, w := range e.words {
			if !containsBefore(e.words, j, w) {
				vocab[w] = append(vocab[w], int32(i))
			}
		}
	}
	c.words = make([]string, 0, len(vocab))
	for w := range vocab {
		c.words = append(c.words, w)
	}
	sort.Strings(c.words)
	c.postings = make([][]int32, len(c.words))
	for i, w := range c.words {
		c.postings[i] = vocab[w]
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
	if len(tokens) == 0 || limit <= 0 {
		return nil
	}
	if len(tokens) > 8 {
		tokens = tokens[:8] // a query of 80 characters; more words add nothing
	}
	c.reindex()
	n := len(c.entries)
	// matched[e] is how many query words entry e matched so far (it must
	// match them in turn: every word); best[e] its quality for the
	// current word; total[e] the sum.
	matched := make([]uint8, n)
	best := make([]uint8, n)
	total := make([]uint16, n)
	var ed editor
	for ti, tok := range tokens {
		var touched []int32
		mark := func(word int, q uint8) {
			for _, e := range c.postings[word] {
				switch matched[e] {
				case uint8(ti):
					matched[e], best[e] = uint8(ti+1), q
					touched = append(touched, e)
				case uint8(ti + 1):
					best[e] = max(best[e], q)
				}
			}
		}
		// Words the query word starts: a sorted range.
		from := sort.SearchStrings(c.words, tok)
		prefixEnd := from
		for prefixEnd < len(c.words) && strings.HasPrefix(c.words[prefixEnd], tok) {
			q := uint8(matchPrefix)
			if c.words[prefixEnd] == tok {
				q = matchExact
			}
			mark(prefixEnd, q)
			prefixEnd++
		}
		// Words with a typo: every other word, from four letters up.
		if utf8.RuneCountInString(tok) >= 4 {
			for i, w := range c.words {
				if i >= from && i < prefixEnd {
					continue
				}
				if ed.fuzzy(tok, w) {
					mark(i, matchFuzzy)
				}
			}
		}
		for _, e := range touched {
			total[e] += uint16(best[e])
		}
	}
	// The best limit entries, kept sorted as they are found.
	better := func(a, b int32) bool {
		ea, eb := c.entries[a], c.entries[b]
		if total[a] != total[b] {
			return total[a] > total[b]
		}
		if ra, rb := rank(ea), rank(eb); ra != rb {
			return ra > rb
		}
		if ea.t.Artist != eb.t.Artist {
			return ea.t.Artist < eb.t.Artist
		}
		return ea.t.Title < eb.t.Title
	}
	top := make([]int32, 0, limit)
	all := uint8(len(tokens))
	for e := range n {
		if matched[e] != all {
			continue
		}
		i := int32(e)
		if len(top) == limit && !better(i, top[limit-1]) {
			continue
		}
		at := sort.Search(len(top), func(k int) bool { return better(i, top[k]) })
		if len(top) < limit {
			top = append(top, 0)
		}
		copy(top[at+1:], top[at:len(top)-1])
		top[at] = i
	}
	out := make([]*catEntry, len(top))
	for k, e := range top {
		out[k] = c.entries[e]
	}
	return out
}

// editor holds the buffers of edit distances, reused across a search.
type editor struct {
	a, b             []rune
	prev2, prev, cur []int
}

// fuzzy reports whether tok is word w with a typo (matchWord's rule) when
// it is not a prefix of it.
func (ed *editor) fuzzy(tok, w string) bool {
	ed.a = append(ed.a[:0], []rune(tok)...)
	k := 1
	if len(ed.a) >= 8 {
		k = 2
	}
	// Cheap length filter before the runes of w: a word much shorter than
	// the query cannot be within k edits, even of its start.
	if len(w) < len(ed.a)-k {
		return false
	}
	ed.b = append(ed.b[:0], []rune(w)...)
	if abs(len(ed.b)-len(ed.a)) <= k && ed.distance(ed.a, ed.b, k) <= k {
		return true
	}
	return len(ed.b) > len(ed.a) && ed.distance(ed.a, ed.b[:len(ed.a)], k) <= k
}

// matchWord rates a query word against a track's word: the same word, a
// prefix of it (the dancer is still typing), or one with a typo (one edit
// from 4 letters, two from 8), the word or its start. search applies the
// same rules through the index.
func matchWord(tok, w string) int {
	switch {
	case tok == w:
		return matchExact
	case strings.HasPrefix(w, tok):
		return matchPrefix
	}
	var ed editor
	if utf8.RuneCountInString(tok) >= 4 && ed.fuzzy(tok, w) {
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

// distance is the optimal string alignment distance of a and b
// (insertions, deletions, substitutions, swaps of neighbours), or k+1 as
// soon as it must exceed k.
func (ed *editor) distance(a, b []rune, k int) int {
	grow := func(s []int) []int {
		if cap(s) < len(b)+1 {
			return make([]int, len(b)+1)
		}
		return s[:len(b)+1]
	}
	ed.prev2, ed.prev, ed.cur = grow(ed.prev2), grow(ed.prev), grow(ed.cur)
	prev2, prev, cur := ed.prev2, ed.prev, ed.cur
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
