package analysis

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// tempoEstimate is what estimateTempo finds in an onset envelope.
type tempoEstimate struct {
	BPM        float64 // folded into the range, 0 when there is no pulse
	Confidence float64 // 0–1
	Regularity float64 // 0–1: mean normalised autocorrelation at 1–4 beats
}

// minBPMConfidence is the confidence below which there is no pulse to
// report (BPM 0). Measured (TestCorpusAccuracy, TestNoPulseNoKey): the 24
// corpus tracks have confidence ≥ 0.45; sines, white, pink and brown noise
// ≤ 0.20.
const minBPMConfidence = 0.3

// onsetACF returns the normalised (A[0] = 1), bias-corrected
// autocorrelation of the mean-removed, half-wave-rectified envelope, up to
// maxLag, or nil when the envelope is flat.
func onsetACF(env []float32, fps float64, maxLag int) []float64 {
	n := len(env)
	if n < 4 {
		return nil
	}
	// Remove the slowly varying part so that only onsets remain.
	w := max(1, int(fps*0.25))
	x := make([]float64, n)
	var prefix = make([]float64, n+1)
	for i, v := range env {
		prefix[i+1] = prefix[i] + float64(v)
	}
	for i := range x {
		lo, hi := max(0, i-w), min(n, i+w+1)
		m := (prefix[hi] - prefix[lo]) / float64(hi-lo)
		if d := float64(env[i]) - m; d > 0 {
			x[i] = d
		}
	}
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	for i := range x {
		x[i] -= mean
	}
	size := nextPow2(2 * n)
	buf := make([]float64, size)
	copy(buf, x)
	fft := fourier.NewFFT(size)
	coef := fft.Coefficients(nil, buf)
	for i, c := range coef {
		coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	acf := fft.Sequence(buf, coef)
	if !(acf[0] > 1e-12*float64(size)) {
		return nil
	}
	maxLag = min(maxLag, n-1)
	out := make([]float64, maxLag+1)
	for l := range out {
		out[l] = acf[l] / acf[0] * float64(n) / float64(n-l)
	}
	return out
}

// at interpolates A at a fractional lag (Catmull–Rom, so that comb sums
// are smooth in the tempo and their maxima are not pulled to whole lags);
// 0 outside.
func at(a []float64, lag float64) float64 {
	i := int(lag)
	if lag < 1 || i+2 >= len(a) {
		if lag < 0 || i+1 >= len(a) {
			return 0
		}
		f := lag - float64(i)
		return a[i]*(1-f) + a[i+1]*f
	}
	f := lag - float64(i)
	p0, p1, p2, p3 := a[i-1], a[i], a[i+1], a[i+2]
	return p1 + 0.5*f*(p2-p0+f*(2*p0-5*p1+4*p2-p3+f*(3*(p1-p2)+p3-p0)))
}

// tempoPrior weights tempos around 115 BPM, one octave standard deviation:
// it decides which metrical level (beat, half-beat, bar) speaks for a tempo
// class, not which class wins.
func tempoPrior(bpm float64) float64 {
	d := math.Log2(bpm / 115)
	return math.Exp(-0.5 * d * d)
}

// estimateTempo finds the tempo class (tempo modulo octaves) whose family of
// periods (…, T/2, T, 2T, 4T, …) is most periodic in the onset envelope,
// refines it with a comb over the first eight beat multiples, and folds it
// into [opts.MinBPM, opts.MaxBPM].
// Below minBPMConfidence the BPM is 0: no pulse.
func estimateTempo(env []float32, fps float64, opts Options) tempoEstimate {
	t := tempoCandidate(env, fps, opts)
	if t.Confidence < minBPMConfidence {
		return tempoEstimate{Regularity: t.Regularity}
	}
	return t
}

// tempoCandidate is estimateTempo without the no-pulse threshold.
func tempoCandidate(env []float32, fps float64, opts Options) tempoEstimate {
	// Bound the autocorrelation's memory on very long files (mixes,
	// podcasts): the middle 30 minutes are plenty to find a tempo.
	if maxN := int(30 * 60 * fps); len(env) > maxN {
		off := (len(env) - maxN) / 2
		env = env[off : off+maxN]
	}
	maxLag := int(60*fps/20) + 2 // periods down to 20 BPM
	A := onsetACF(env, fps, maxLag*2)
	if A == nil {
		return tempoEstimate{}
	}
	lagOf := func(bpm float64) float64 { return 60 * fps / bpm }
	family := func(bpm float64) float64 {
		var s float64
		for t := bpm / 8; t <= bpm*8; t *= 2 {
			if t < 30 || t > 400 {
				continue
			}
			s += tempoPrior(t) * at(A, lagOf(t))
		}
		return s
	}
	lo := opts.MinBPM
	const step = 0.002 // in octaves, about 0.14 %
	nSteps := int(1 / step)
	scores := make([]float64, nSteps)
	best := 0
	for i := range scores {
		scores[i] = family(lo * math.Exp2(float64(i)*step))
		if scores[i] > scores[best] {
			best = i
		}
	}
	class := lo * math.Exp2(float64(best)*step)

	// Refine: comb over multiples of the beat period.
	comb := func(bpm float64) float64 {
		var s float64
		l := lagOf(bpm)
		for m := 1; m <= 8; m++ {
			s += at(A, l*float64(m))
		}
		return s
	}
	fine, fineScore := class, comb(class)
	for d := -0.02; d <= 0.02; d += 0.0001 {
		if s := comb(class * (1 + d)); s > fineScore {
			fine, fineScore = class*(1+d), s
		}
	}

	// Fold into the range; when two octaves fit, the one the beat-level
	// evidence and the prior favour wins.
	for fine < opts.MinBPM {
		fine *= 2
	}
	for fine > opts.MaxBPM {
		fine /= 2
	}
	bestRep, bestRepScore := fine, -math.MaxFloat64
	for t := fine; t <= opts.MaxBPM+1e-9; t *= 2 {
		if t < opts.MinBPM-1e-9 {
			continue
		}
		if s := tempoPrior(t) * (at(A, lagOf(t)) + 1); s > bestRepScore {
			bestRep, bestRepScore = t, s
		}
	}
	for t := fine / 2; t >= opts.MinBPM-1e-9; t /= 2 {
		if s := tempoPrior(t) * (at(A, lagOf(t)) + 1); s > bestRepScore {
			bestRep, bestRepScore = t, s
		}
	}

	// Confidence: how far the winning class stands above the best class
	// that is more than 4 % away (modulo octaves), times how periodic the
	// envelope is at all.
	second := 0.0
	for i, s := range scores {
		d := math.Abs(float64(i-best)) * step
		d = math.Min(d, 1-d)
		if d > 0.06 && s > second {
			second = s
		}
	}
	reg := 0.0
	l := lagOf(bestRep)
	for m := 1; m <= 4; m++ {
		reg += at(A, l*float64(m))
	}
	reg = clamp01(reg / 4)
	margin := 0.0
	if scores[best] > 0 {
		margin = clamp01((scores[best] - math.Max(second, 0)) / scores[best])
	}
	return tempoEstimate{
		BPM:        math.Round(bestRep*10) / 10,
		Confidence: clamp01(math.Sqrt(margin * math.Min(1, reg/0.3))),
		Regularity: reg,
	}
}

func clamp01(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	if x > 1 {
		return 1
	}
	return x
}
