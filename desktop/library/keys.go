package library

import (
	"regexp"
	"strconv"
	"strings"
)

// Pitch-class spellings used for key names: the usual ones on a DJ's screen.
var (
	majorNames = [12]string{"C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"}
	minorNames = [12]string{"C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"}
	// camelotMinor[pc] and camelotMajor[pc] are the wheel numbers.
	camelotMinor = [12]int{5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10}
	camelotMajor = [12]int{8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1}
)

var (
	camelotRe = regexp.MustCompile(`^0?(1[0-2]|[1-9])([ABab])$`)
	keyNameRe = regexp.MustCompile(`^([A-Ga-g])\s*([#♯b♭]?)\s*(.*)$`)
	noteIndex = map[byte]int{'C': 0, 'D': 2, 'E': 4, 'F': 5, 'G': 7, 'A': 9, 'B': 11}
)

// NormalizeKey reads a key written as a Camelot code ("8A"), a name
// ("A minor", "F# major") or a short name as VirtualDJ and tags write it
// ("Am", "F#", "Dbm", "C#min"). It returns the Camelot code and the
// canonical name ("A minor"), or ok=false when s is none of those.
func NormalizeKey(s string) (camelot, name string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", false
	}
	if m := camelotRe.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		minor := strings.EqualFold(m[2], "A")
		for pc := 0; pc < 12; pc++ {
			if minor && camelotMinor[pc] == n {
				return m[1] + "A", minorNames[pc] + " minor", true
			}
			if !minor && camelotMajor[pc] == n {
				return m[1] + "B", majorNames[pc] + " major", true
			}
		}
	}
	m := keyNameRe.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	pc := noteIndex[strings.ToUpper(m[1])[0]]
	switch m[2] {
	case "#", "♯":
		pc++
	case "b", "♭":
		pc--
	}
	pc = (pc + 12) % 12
	var minor bool
	switch strings.ToLower(strings.TrimSpace(m[3])) {
	case "", "maj", "major", "dur":
	case "m", "min", "minor", "moll":
		minor = m[3] != "M" // "CM" is C major in some tools

	default:
		return "", "", false
	}
	if minor {
		return strconv.Itoa(camelotMinor[pc]) + "A", minorNames[pc] + " minor", true
	}
	return strconv.Itoa(camelotMajor[pc]) + "B", majorNames[pc] + " major", true
}
