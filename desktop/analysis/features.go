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

// Beat regularity and pulse strength are measured per window of
// pulseWindowBeats beats (8 bars of 4/4), hopping half a window, each
// window at the best period within ±pulseDrift of the track's beat and at
// its own phase, so that a tempo that drifts, or a track that is long or
// looped, keeps the score of its groove. Windows count in proportion to
// their onset activity, so quiet intros and breaks weigh little.
const (
	pulseWindowBeats = 32
	pulseDrift       = 0.03
	pulseDriftStep   = 0.0025
)

// grooveMeasures returns the activity-weighted means over windows of beat
// regularity (the normalised onset autocorrelation at 1–4 beats) and pulse
// strength (how much the strongest of 16 beat phases exceeds the average
// phase, 0–1).
func grooveMeasures(env []float32, fps, bpm float64) (regularity, pulse float64) {
	if bpm <= 0 || len(env) == 0 {
		return 0, 0
	}
	period := 60 * fps / bpm
	win := min(len(env), int(pulseWindowBeats*period))
	hop := max(1, win/2)
	maxLag := int(4*period*(1+pulseDrift)) + 3
	var rSum, pSum, weight float64
	for start := 0; ; start += hop {
		end := start + win
		if end > len(env) { // the last window ends with the track
			start, end = len(env)-win, len(env)
		}
		w := env[start:end]
		var total float64
		for _, v := range w {
			total += float64(v)
		}
		if total > 0 {
			A := onsetACF(w, fps, maxLag)
			bestP, bestR := 0.0, 0.0
			for d := -pulseDrift; d <= pulseDrift+1e-9; d += pulseDriftStep {
				p := period * (1 + d)
				bestP = math.Max(bestP, foldStrength(w, p, total))
				var r float64
				for m := 1; m <= 4; m++ {
					r += at(A, p*float64(m))
				}
				bestR = math.Max(bestR, r/4)
			}
			rSum += bestR * total
			pSum += bestP * total
			weight += total
		}
		if end == len(env) {
			break
		}
	}
	if !(weight > 0) {
		return 0, 0
	}
	return clamp01(rSum / weight), clamp01(pSum / weight)
}

// foldStrength folds env (whose sum is total) at period frames into 16
// phase bins and returns (max − mean)/max.
func foldStrength(env []float32, period, total float64) float64 {
	const nb = 16
	var hist [nb]float64
	for i, v := range env {
		ph := math.Mod(float64(i), period) / period
		hist[int(ph*nb)%nb] += float64(v)
	}
	mx := 0.0
	for _, h := range hist {
		mx = math.Max(mx, h)
	}
	if !(mx > 0) {
		return 0
	}
	return clamp01((mx - total/nb) / mx)
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
