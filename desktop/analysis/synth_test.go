package analysis

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// analyzeSamples runs the pipeline on an in-memory mono signal, fed in
// uneven chunks as a decoder would.
func analyzeSamples(t *testing.T, x []float32, rate float64, channels int, opts Options) Result {
	t.Helper()
	a, err := newAnalyzer(rate, channels)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := 0, 1000; i < len(x); i, n = i+n, n%7000+1537 {
		a.write(x[i:min(len(x), i+n)])
	}
	return a.result(opts)
}

// clickTrack is a percussive click (a 5 ms decaying noise burst plus a
// 2 kHz ping) on every beat, with the first beat of each bar accented.
func clickTrack(bpm, seconds, rate float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, int(seconds*rate))
	period := 60 / bpm * rate
	for b := 0; ; b++ {
		start := int(math.Round(float64(b) * period))
		if start >= len(x) {
			break
		}
		amp := 0.5
		if b%4 == 0 {
			amp = 0.9
		}
		for i := 0; i < int(0.05*rate) && start+i < len(x); i++ {
			env := math.Exp(-float64(i) / (0.008 * rate))
			ping := math.Sin(2 * math.Pi * 2000 * float64(i) / rate)
			x[start+i] += float32(amp * env * (0.6*ping + 0.4*(rng.Float64()*2-1)))
		}
	}
	return x
}

func checkSane(t *testing.T, r Result, opts Options) {
	t.Helper()
	for name, v := range map[string]float64{
		"BPM": r.BPM, "BPMConfidence": r.BPMConfidence, "KeyConfidence": r.KeyConfidence,
		"Energy": r.Energy, "Danceability": r.Danceability, "Brightness": r.Brightness,
		"LoudnessLUFS": r.LoudnessLUFS, "DurationS": r.DurationS,
	} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s = %v", name, v)
		}
	}
	if r.BPM != 0 && (r.BPM < opts.MinBPM || r.BPM > opts.MaxBPM) {
		t.Errorf("BPM %.1f outside %g–%g", r.BPM, opts.MinBPM, opts.MaxBPM)
	}
	for name, v := range map[string]float64{"BPMConfidence": r.BPMConfidence, "KeyConfidence": r.KeyConfidence} {
		if v < 0 || v > 1 {
			t.Errorf("%s = %v, want 0–1", name, v)
		}
	}
	for name, v := range map[string]float64{"Energy": r.Energy, "Danceability": r.Danceability, "Brightness": r.Brightness} {
		if v < 0 || v > 100 {
			t.Errorf("%s = %v, want 0–100", name, v)
		}
	}
	if r.LoudnessLUFS > 3.1 || r.LoudnessLUFS < silenceLUFS {
		t.Errorf("LoudnessLUFS = %v", r.LoudnessLUFS)
	}
	if (r.Key == "") != (r.Camelot == "") {
		t.Errorf("Key %q with Camelot %q", r.Key, r.Camelot)
	}
}

func TestClickTrackTempo(t *testing.T) {
	tests := []struct {
		bpm, rate float64
		opts      Options
		want      float64
	}{
		{72, 11025, DefaultOptions(), 72},
		{132, 11025, DefaultOptions(), 132},
		{90, 22050, DefaultOptions(), 90},
		{100, 44100, DefaultOptions(), 100},
		{120, 48000, DefaultOptions(), 120},
		{127.5, 16000, DefaultOptions(), 127.5},
		{60, 11025, DefaultOptions(), 120},                  // folded up
		{160, 11025, DefaultOptions(), 80},                  // folded down
		{174, 11025, Options{MinBPM: 90, MaxBPM: 180}, 174}, // another range
		{80, 11025, Options{MinBPM: 100, MaxBPM: 200}, 160}, // folded into it
	}
	for _, tc := range tests {
		x := clickTrack(tc.bpm, 40, tc.rate, 1)
		r := analyzeSamples(t, x, tc.rate, 1, tc.opts)
		checkSane(t, r, tc.opts)
		if math.Abs(r.BPM-tc.want) > 0.005*tc.want {
			t.Errorf("%g BPM click at %g Hz, range %g–%g: got %.1f, want %.1f", tc.bpm, tc.rate, tc.opts.MinBPM, tc.opts.MaxBPM, r.BPM, tc.want)
		}
		if r.BPMConfidence < 0.5 {
			t.Errorf("%g BPM click: confidence %.2f, want >= 0.5", tc.bpm, r.BPMConfidence)
		}
		if r.Danceability < 60 {
			t.Errorf("%g BPM click: danceability %.1f, want >= 60", tc.bpm, r.Danceability)
		}
		if math.Abs(r.DurationS-40) > 0.05 {
			t.Errorf("duration %.2f, want 40", r.DurationS)
		}
	}
}

// tone adds a note with a few decaying harmonics, like a plucked or
// keyboard instrument.
func tone(x []float32, rate, freq, start, dur, amp float64) {
	s := int(start * rate)
	for i := 0; i < int(dur*rate) && s+i < len(x); i++ {
		tt := float64(i) / rate
		env := math.Exp(-tt*1.5) * math.Min(1, tt*200)
		var v float64
		for h := 1; h <= 5; h++ {
			f := freq * float64(h)
			if f > rate/2 {
				break
			}
			v += math.Sin(2*math.Pi*f*tt) / float64(h*h)
		}
		x[s+i] += float32(amp * env * v)
	}
}

func midiHz(n int) float64 { return 440 * math.Pow(2, float64(n-69)/12) }

// progression renders chords (semitone offsets from the tonic, minor or
// major triads) one per two seconds, with the chord root in the bass.
func progression(tonic int, minor bool, rate float64) []float32 {
	type ch struct {
		root  int
		minor bool
	}
	var prog []ch
	if minor { // i iv V i VI iv V i
		prog = []ch{{0, true}, {5, true}, {7, false}, {0, true}, {8, false}, {5, true}, {7, false}, {0, true}}
	} else { // I IV V I vi IV V I
		prog = []ch{{0, false}, {5, false}, {7, false}, {0, false}, {9, true}, {5, false}, {7, false}, {0, false}}
	}
	const chordS = 2.0
	x := make([]float32, int(float64(len(prog)*2)*chordS*rate))
	for rep := range 2 {
		for i, c := range prog {
			start := float64(rep*len(prog)+i) * chordS
			root := 60 + tonic + c.root // middle-C octave
			third := 4
			if c.minor {
				third = 3
			}
			for _, n := range []int{root, root + third, root + 7} {
				tone(x, rate, midiHz(n), start, chordS, 0.15)
			}
			tone(x, rate, midiHz(root-24), start, chordS, 0.25)
		}
	}
	return x
}

func TestChordsKey(t *testing.T) {
	tests := []struct {
		tonic   int
		minor   bool
		key     string
		camelot string
	}{
		{0, false, "C major", "8B"},
		{7, false, "G major", "9B"},
		{3, false, "Eb major", "5B"},
		{11, false, "B major", "1B"},
		{9, true, "A minor", "8A"},
		{6, true, "F# minor", "11A"},
		{10, true, "Bb minor", "3A"},
		{4, true, "E minor", "9A"},
	}
	for _, tc := range tests {
		x := progression(tc.tonic, tc.minor, 11025)
		r := analyzeSamples(t, x, 11025, 1, DefaultOptions())
		checkSane(t, r, DefaultOptions())
		if r.Key != tc.key || r.Camelot != tc.camelot {
			t.Errorf("progression in %s: got %q (%s), want %q (%s)", tc.key, r.Key, r.Camelot, tc.key, tc.camelot)
		}
		if r.KeyConfidence <= 0 {
			t.Errorf("%s: key confidence %.2f, want > 0", tc.key, r.KeyConfidence)
		}
	}
}

func TestDegenerateSignals(t *testing.T) {
	const rate = 11025
	rng := rand.New(rand.NewPCG(7, 7))
	noise := make([]float32, 30*rate)
	for i := range noise {
		noise[i] = float32(rng.NormFloat64() * 0.25)
	}
	clipped := clickTrack(120, 30, rate, 3)
	for i, v := range clipped {
		clipped[i] = float32(math.Max(-1, math.Min(1, float64(v)*20)))
	}
	// Full-scale 110 Hz square, maximal clipping. Not band-limited, so its
	// aliases beat slowly: only sanity and loudness are checked.
	square := make([]float32, 30*rate)
	for i := range square {
		if math.Sin(2*math.Pi*110*float64(i)/rate) >= 0 {
			square[i] = 1
		} else {
			square[i] = -1
		}
	}
	tests := []struct {
		name  string
		x     []float32
		check func(t *testing.T, r Result)
	}{
		{"silence", make([]float32, 20*rate), func(t *testing.T, r Result) {
			if r.BPM != 0 || r.BPMConfidence != 0 || r.Key != "" || r.KeyConfidence != 0 {
				t.Errorf("silence: BPM %.1f (%.2f), key %q (%.2f); want none", r.BPM, r.BPMConfidence, r.Key, r.KeyConfidence)
			}
			if r.LoudnessLUFS != silenceLUFS || r.Energy != 0 || r.Danceability != 0 || r.Brightness != 0 {
				t.Errorf("silence: %.1f LUFS, energy %.1f, danceability %.1f, brightness %.1f; want -70, 0, 0, 0",
					r.LoudnessLUFS, r.Energy, r.Danceability, r.Brightness)
			}
		}},
		{"empty", nil, func(t *testing.T, r Result) {
			if r.BPM != 0 || r.Key != "" || r.DurationS != 0 || r.LoudnessLUFS != silenceLUFS {
				t.Errorf("empty: %+v", r)
			}
		}},
		{"white noise", noise, func(t *testing.T, r Result) {
			if r.BPM != 0 || r.BPMConfidence != 0 || r.Key != "" || r.Camelot != "" || r.KeyConfidence != 0 {
				t.Errorf("noise: BPM %.1f (%.2f), key %q %q (%.2f); want none", r.BPM, r.BPMConfidence, r.Key, r.Camelot, r.KeyConfidence)
			}
			if r.Danceability > 30 {
				t.Errorf("noise: danceability %.1f, want <= 30", r.Danceability)
			}
			if r.Brightness < 70 { // centroid of white noise in the 0–4 kHz band: 2 kHz
				t.Errorf("noise: brightness %.1f, want >= 70", r.Brightness)
			}
		}},
		{"440 Hz sine", sine(440, -6, 30, rate), func(t *testing.T, r Result) {
			if r.BPM != 0 || r.Key != "" || r.Camelot != "" {
				t.Errorf("sine: BPM %.1f (%.2f), key %q %q (%.2f); want none", r.BPM, r.BPMConfidence, r.Key, r.Camelot, r.KeyConfidence)
			}
		}},
		{"clipped clicks", clipped, func(t *testing.T, r Result) {
			if math.Abs(r.BPM-120) > 0.6 {
				t.Errorf("clipped 120 BPM clicks: BPM %.1f", r.BPM)
			}
		}},
		{"full-scale square", square, func(t *testing.T, r Result) {
			if r.LoudnessLUFS < -6 || r.LoudnessLUFS > 3.1 {
				t.Errorf("square: %.1f LUFS", r.LoudnessLUFS)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeSamples(t, tc.x, rate, 1, DefaultOptions())
			checkSane(t, r, DefaultOptions())
			tc.check(t, r)
		})
	}
}

func sine(freq, dbfs, seconds, rate float64) []float32 {
	x := make([]float32, int(seconds*rate))
	a := math.Pow(10, dbfs/20)
	for i := range x {
		x[i] = float32(a * math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return x
}

// BS.1770 reference points: a 1 kHz sine at -20 dBFS peak in one channel
// reads -23.0 LUFS (the K-weighting gain at 1 kHz cancels the -0.691
// offset); the same in two channels reads 3 dB more.
func TestLoudnessSine(t *testing.T) {
	tests := []struct {
		rate     float64
		channels int
		dbfs     float64
		want     float64
	}{
		{48000, 1, -20, -23.0},
		{44100, 1, -20, -23.0},
		{22050, 1, -20, -23.0},
		{11025, 1, -20, -23.0},
		{8000, 1, -20, -23.0},
		{11025, 2, -23, -23.0},       // EBU Tech 3341 test 1
		{11025, 2, -33, -33.0},       // EBU Tech 3341 test 2
		{44100, 1, -80, silenceLUFS}, // below the absolute gate
	}
	for _, tc := range tests {
		m := newLoudnessMeter(tc.rate, tc.channels)
		m.write(sine(1000, tc.dbfs, 20, tc.rate), nil)
		if got := m.integrated(); math.Abs(got-tc.want) > 0.1 {
			t.Errorf("1 kHz at %g dBFS, %d ch, %g Hz: %.2f LUFS, want %.1f", tc.dbfs, tc.channels, tc.rate, got, tc.want)
		}
	}
}

// The relative gate: EBU Tech 3341 test 3 style, a loud part and a much
// quieter one that the -10 LU gate excludes.
func TestLoudnessRelativeGate(t *testing.T) {
	const rate = 11025
	x := append(sine(1000, -36, 10, rate), sine(1000, -23, 60, rate)...)
	x = append(x, sine(1000, -36, 10, rate)...)
	m := newLoudnessMeter(rate, 2)
	m.write(x, nil)
	if got := m.integrated(); math.Abs(got-(-23)) > 0.1 {
		t.Errorf("got %.2f LUFS, want -23.0", got)
	}
}

func TestDeterministicSamples(t *testing.T) {
	x := clickTrack(101, 30, 22050, 9)
	for i, v := range progression(2, false, 22050) {
		if i < len(x) {
			x[i] += v
		}
	}
	a := analyzeSamples(t, x, 22050, 2, DefaultOptions())
	b := analyzeSamples(t, x, 22050, 2, DefaultOptions())
	if a != b {
		t.Errorf("same signal, different results:\n%+v\n%+v", a, b)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		opts Options
		ok   bool
	}{
		{DefaultOptions(), true},
		{Options{MinBPM: 90, MaxBPM: 180}, true},
		{Options{MinBPM: 60, MaxBPM: 200}, true},
		{Options{MinBPM: 100, MaxBPM: 150}, false}, // narrower than an octave
		{Options{MinBPM: 0, MaxBPM: 140}, false},
		{Options{MinBPM: 140, MaxBPM: 70}, false},
		{Options{MinBPM: math.NaN(), MaxBPM: 140}, false},
		{Options{MinBPM: 10, MaxBPM: 40}, false},
		{Options{MinBPM: 300, MaxBPM: 1000}, false},
	}
	for _, tc := range tests {
		if err := tc.opts.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tc.opts, err, tc.ok)
		}
		if !tc.ok {
			if _, err := AnalyzeFile(context.Background(), "unused.mp3", tc.opts); err == nil {
				t.Errorf("%+v: AnalyzeFile accepted invalid options", tc.opts)
			}
		}
	}
}
