package analysis

import "math"

// Calibration of the 0–100 descriptors; see the package documentation.
const (
	energyQuietLUFS = -40.0
	energyLoudLUFS  = -6.0
	// Mean positive log-spectral change per frequency bin per frame that
	// counts as maximal onset activity (a dense, hard-hitting mix).
	energyFullFlux = 0.25
	// Mean normalised autocorrelation at 1–4 beats of a fully regular
	// groove; a metronome reaches it.
	danceFullRegularity = 0.5
	brightDullHz        = 200.0
	brightHz            = 4000.0
)

// energyScore is 50 % loudness and 50 % onset activity.
func energyScore(lufs float64, flux []float32, bins int) float64 {
	l := clamp01((lufs - energyQuietLUFS) / (energyLoudLUFS - energyQuietLUFS))
	var s float64
	for _, v := range flux {
		s += float64(v)
	}
	o := 0.0
	if len(flux) > 0 && bins > 0 {
		o = clamp01(s / float64(len(flux)) / float64(bins) / energyFullFlux)
	}
	return round1(100 * (0.5*l + 0.5*o))
}

// pulseStrength folds the onset envelope at the beat period and returns
// how much the strongest phase exceeds the average phase, 0–1.
func pulseStrength(env []float32, fps, bpm float64) float64 {
	if bpm <= 0 || len(env) == 0 {
		return 0
	}
	period := 60 * fps / bpm
	const nb = 16
	var hist [nb]float64
	var total float64
	for i, v := range env {
		ph := math.Mod(float64(i), period) / period
		hist[int(ph*nb)%nb] += float64(v)
		total += float64(v)
	}
	if !(total > 0) {
		return 0
	}
	mx := 0.0
	for _, h := range hist {
		mx = math.Max(mx, h)
	}
	mean := total / nb
	return clamp01((mx - mean) / mx)
}

// danceScore combines beat regularity (autocorrelation at the beat
// multiples) and pulse strength (on-beat versus average onsets).
func danceScore(regularity, pulse float64) float64 {
	r := clamp01(regularity / danceFullRegularity)
	return round1(100 * math.Sqrt(r*pulse))
}

// brightnessScore maps the spectral centroid of the average magnitude
// spectrum (up to centroidMaxHz) onto 0–100 on a log-frequency scale.
func brightnessScore(magSum []float64, rate float64, n int) float64 {
	var num, den float64
	for k, m := range magSum {
		f := float64(k) * rate / float64(n)
		if f > centroidMaxHz {
			break
		}
		num += f * m
		den += m
	}
	if !(den > 1e-9) {
		return 0
	}
	c := num / den
	return round1(100 * clamp01(math.Log(c/brightDullHz)/math.Log(brightHz/brightDullHz)))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
