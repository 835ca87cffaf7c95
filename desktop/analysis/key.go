package analysis

import (
	"fmt"
	"math"
)

// noteNames spells pitch classes the way DJ software usually does.
var noteNames = [12]string{"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"}

// Camelot wheel numbers by tonic pitch class; major keys get "B", minor "A".
var (
	camelotMajor = [12]int{8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1}
	camelotMinor = [12]int{5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10}
)

// keyProfiles are the Krumhansl & Kessler (1982) probe-tone ratings of
// each scale degree above the tonic, major then minor. On the rendered
// corpora they beat Temperley's (1999, 2007) profiles once the final chord
// is taken into account.
var keyProfiles = [2][12]float64{
	{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88},
	{6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17},
}

// triads are the tonic chords, major and minor, as chroma templates.
var triads = [2][12]float64{
	{1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0},
	{1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0},
}

// Key-finding choices, measured on the rendered corpora (see corpus_test.go).
const (
	// endFrames chroma frames (about 3 s) from the end of the sounding
	// audio form the "final chord".
	endFrames = 8
	// endWeight is how much the final chord's fit to each key's tonic triad
	// adds to the whole-track profile correlation: enough to settle the
	// relative major/minor and fifth ties that pitch statistics alone
	// cannot, since songs overwhelmingly end on the tonic.
	endWeight = 0.5
	// There is no key to report when less than minTonality of the chroma
	// band's magnitude lies in spectral peaks (drums, noise, speech and
	// silence have no sustained partials), or when fewer than
	// minPitchClasses pitch classes sound (a lone tone has no mode).
	// Measured (TestRealRecordingKeys, TestRealTransposition,
	// TestNoPulseNoKey): real mixes read tonality ≥ 0.011, their
	// pitch-shifted copies (sox smears partials) ≥ 0.004, the rendered
	// corpus ≥ 0.05; a real drum kit, synthetic speech and white, pink and
	// brown noise ≤ 0.0016.
	minTonality     = 0.003
	minPitchClasses = 3
)

// keyEstimate is a key found in a chromagram.
type keyEstimate struct {
	Tonic      int // pitch class, 0 = C
	Minor      bool
	Confidence float64
	OK         bool // false when there is no tonal content
}

func (k keyEstimate) Name() string {
	if !k.OK {
		return ""
	}
	if k.Minor {
		return noteNames[k.Tonic] + " minor"
	}
	return noteNames[k.Tonic] + " major"
}

func (k keyEstimate) Camelot() string {
	if !k.OK {
		return ""
	}
	if k.Minor {
		return fmt.Sprintf("%dA", camelotMinor[k.Tonic])
	}
	return fmt.Sprintf("%dB", camelotMajor[k.Tonic])
}

// pearson correlates a chroma vector with a profile rotated to tonic.
func pearson(c [12]float64, p [12]float64, tonic int) float64 {
	var mc, mp float64
	for i := range 12 {
		mc += c[i]
		mp += p[i]
	}
	mc /= 12
	mp /= 12
	var sxy, sxx, syy float64
	for i := range 12 {
		x := c[(i+tonic)%12] - mc
		y := p[i] - mp
		sxy += x * y
		sxx += x * x
		syy += y * y
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// keyMarginFull is the lead of the best key score over the runner-up that
// earns full confidence.
const keyMarginFull = 0.1

// estimateKey sums the chromagram (each frame normalised so that loud
// passages do not drown the rest), correlates it with the 24 rotated key
// profiles, blends in the final chord's fit to each tonic triad, and picks
// the best. Confidence is the best score times its lead over the runner-up.
// Toneless audio (minTonality) or a lone pitch (minPitchClasses) gives
// no key; a weak key is reported with its low confidence.
func estimateKey(frames [][12]float32, tonality float64, ending bool) keyEstimate {
	k, c := keyCandidate(frames, ending)
	if tonality < minTonality || pitchClassesPresent(c) < minPitchClasses {
		return keyEstimate{}
	}
	return k
}

// keyCandidate is estimateKey without the thresholds; it also returns the
// summed chroma. Without an ending (a file cut short) the final chord is
// left out.
func keyCandidate(frames [][12]float32, ending bool) (keyEstimate, [12]float64) {
	var c [12]float64
	var peak float64
	for _, f := range frames {
		var s float64
		for _, v := range f {
			s += float64(v)
		}
		peak = math.Max(peak, s)
	}
	if !(peak > 1e-4) {
		return keyEstimate{}, c
	}
	for _, f := range frames {
		var s float64
		for _, v := range f {
			s += float64(v)
		}
		if s < peak*1e-3 { // near-silent frame
			continue
		}
		for i, v := range f {
			c[i] += float64(v) / s
		}
	}
	p := keyProfiles
	// The chroma of the last sounding seconds: songs end on the tonic chord.
	var end [12]float64
	var nEnd int
	for i := len(frames) - 1; ending && i >= 0 && nEnd < endFrames; i-- {
		var s float64
		for _, v := range frames[i] {
			s += float64(v)
		}
		if s < peak*0.05 {
			continue
		}
		nEnd++
		for j, v := range frames[i] {
			end[j] += float64(v) / s
		}
	}
	var scores [24]float64
	best := 0
	for k := range 24 {
		scores[k] = pearson(c, p[k/12], k%12)
		if nEnd > 0 {
			scores[k] = (scores[k] + endWeight*pearson(end, triads[k/12], k%12)) / (1 + endWeight)
		}
		if scores[k] > scores[best] {
			best = k
		}
	}
	second := -1.0
	for k, s := range scores {
		if k != best && s > second {
			second = s
		}
	}
	if !(scores[best] > 0) {
		return keyEstimate{}, c
	}
	return keyEstimate{
		Tonic:      best % 12,
		Minor:      best >= 12,
		Confidence: clamp01(scores[best]) * clamp01((scores[best]-second)/keyMarginFull),
		OK:         true,
	}, c
}

// pitchClassesPresent counts the pitch classes of a summed chroma that hold
// at least a tenth of the strongest one.
func pitchClassesPresent(c [12]float64) int {
	var peak float64
	for _, v := range c {
		peak = math.Max(peak, v)
	}
	n := 0
	for _, v := range c {
		if peak > 0 && v >= 0.1*peak {
			n++
		}
	}
	return n
}
