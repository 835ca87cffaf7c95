package analysis

import "strings"

// parseKey reads "A minor", "F# major", "Bb min" etc. into a pitch class and
// mode; ok is false when it is not a key name.
func parseKey(s string) (tonic int, minor bool, ok bool) {
	f := strings.Fields(strings.TrimSpace(s))
	if len(f) != 2 {
		return 0, false, false
	}
	names := map[string]int{"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
		"G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
	t, ok := names[f[0]]
	if !ok {
		return 0, false, false
	}
	switch strings.ToLower(f[1]) {
	case "major", "maj":
		return t, false, true
	case "minor", "min":
		return t, true, true
	}
	return 0, false, false
}

// mirexKey scores an estimated key against the reference as MIREX does:
// 1 exact, 0.5 a perfect fifth away in the same mode, 0.3 relative, 0.2
// parallel, 0 otherwise.
func mirexKey(est, ref string) float64 {
	et, em, ok1 := parseKey(est)
	rt, rm, ok2 := parseKey(ref)
	if !ok1 || !ok2 {
		return 0
	}
	switch {
	case et == rt && em == rm:
		return 1
	case em == rm && ((et-rt+12)%12 == 7 || (et-rt+12)%12 == 5):
		return 0.5
	case !rm && em && et == (rt+9)%12: // major reference, relative minor
		return 0.3
	case rm && !em && et == (rt+3)%12: // minor reference, relative major
		return 0.3
	case et == rt:
		return 0.2
	}
	return 0
}
