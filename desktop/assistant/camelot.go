package assistant

import (
	"strconv"
	"strings"
)

// Harmony is how two keys sit on the Camelot wheel.
type Harmony int

// Harmonies, best mix first.
const (
	HarmonyUnknown  Harmony = iota // a key is missing
	HarmonySame                    // same code: 8A → 8A
	HarmonyAdjacent                // one step round the wheel: 8A → 9A, 8A → 7A
	HarmonyRelative                // relative major/minor: 8A → 8B
	HarmonyClash                   // anything else
)

// camelot splits "8A" into 8 and 'A'; ok false for anything else.
func camelot(code string) (n int, letter byte, ok bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) < 2 || len(code) > 3 {
		return 0, 0, false
	}
	letter = code[len(code)-1]
	n, err := strconv.Atoi(code[:len(code)-1])
	if err != nil || n < 1 || n > 12 || (letter != 'A' && letter != 'B') {
		return 0, 0, false
	}
	return n, letter, true
}

// HarmonyOf says how a mix from one Camelot code to another sounds.
func HarmonyOf(from, to string) Harmony {
	n1, l1, ok1 := camelot(from)
	n2, l2, ok2 := camelot(to)
	switch {
	case !ok1 || !ok2:
		return HarmonyUnknown
	case n1 == n2 && l1 == l2:
		return HarmonySame
	case l1 == l2 && (n2 == n1%12+1 || n1 == n2%12+1):
		return HarmonyAdjacent
	case n1 == n2:
		return HarmonyRelative
	}
	return HarmonyClash
}

// score is the harmonic fit in [0, 1]; an unknown key is neither good nor
// bad.
func (h Harmony) score() float64 {
	switch h {
	case HarmonySame:
		return 1
	case HarmonyAdjacent:
		return 0.9
	case HarmonyRelative:
		return 0.8
	case HarmonyClash:
		return 0
	}
	return 0.4
}
