package analysis

import (
	"fmt"
	"math"
)

// Rates the analysis works at. The input is decimated by an integer factor
// to about analysisRate; below minInputRate there is too little spectrum
// for key and brightness.
const (
	analysisRate = 11025.0
	minInputRate = 8000.0
	maxInputRate = 384000.0
	// Spectral bands used by the measures, in Hz.
	fluxMaxHz     = 4000.0
	centroidMaxHz = 4000.0
	chromaMinHz   = 60.0
	chromaMaxHz   = 2100.0
)

// analyzer consumes a mono stream in chunks and keeps only compact
// per-frame summaries: 100 ms loudness steps, one onset value per ~12 ms,
// one chromagram per ~370 ms and a running mean spectrum.
type analyzer struct {
	rate    float64 // input rate
	ra      float64 // analysis rate after decimation
	samples int64
	cut     bool // the stream ended early: its last seconds are no ending

	loud    *loudnessMeter
	loudFed bool // loud is fed by the decoder's tap, not by writeMS
	dec     *decimator
	tmp     []float32

	// Onset strength: log-magnitude spectral flux.
	onFrames *framer
	onSpec   *spectrum
	fps      float64
	prevLog  []float64
	flux     []float32
	fluxBins int
	magSum   []float64 // sum of magnitude spectra, for the centroid
	frames   int

	// Chroma.
	chFrames *framer
	chSpec   *spectrum
	chPeaks  *chromaPeaks
	chroma   [][fineBins]float32 // fine chroma per frame, folded once the tuning is known
	tuning   complex128          // summed tuning phasor of every peak
	peakMag  float64             // chroma-band magnitude in peaks, summed over frames
	bandMag  float64             // all chroma-band magnitude, summed over frames
}

// newAnalyzer prepares an analyzer for a mono stream at rate Hz that is
// the average of channels source channels (plus, through writeMS, the side
// signal for loudness).
func newAnalyzer(rate float64, channels int) (*analyzer, error) {
	if !(rate >= minInputRate && rate <= maxInputRate) {
		return nil, fmt.Errorf("analysis: sample rate %g Hz outside %g–%g Hz", rate, minInputRate, maxInputRate)
	}
	a := &analyzer{rate: rate}
	a.loud = newLoudnessMeter(rate, channels)
	factor := max(1, int(math.Round(rate/analysisRate)))
	a.dec = newDecimator(factor)
	a.ra = rate / float64(factor)

	// Onset frames of ~23 ms every ~12 ms (256/128 at 11025 Hz).
	n := nextPow2(int(a.ra * 0.023))
	hop := n / 2
	a.fps = a.ra / float64(hop)
	a.onFrames = newFramer(n, hop)
	a.onSpec = newSpectrum(n)
	a.fluxBins = min(n/2+1, int(fluxMaxHz*float64(n)/a.ra)+1)
	a.prevLog = make([]float64, a.fluxBins)
	a.magSum = make([]float64, n/2+1)

	cn := nextPow2(int(a.ra * 0.7))
	a.chFrames = newFramer(cn, cn/2)
	a.chSpec = newSpectrum(cn)
	a.chPeaks = newChromaPeaks(a.ra, cn)
	return a, nil
}

// write feeds the next chunk of mono samples, for a source without side
// signal (its channels count as equal for loudness).
func (a *analyzer) write(p []float32) { a.writeMS(p, nil) }

// writeMS feeds the next chunk of mid samples and the side samples of the
// same instants (nil when there are none). Only loudness uses the side.
func (a *analyzer) writeMS(p, side []float32) {
	a.samples += int64(len(p))
	if !a.loudFed {
		a.loud.write(p, side)
	}
	a.tmp = a.dec.process(a.tmp[:0], p)
	a.onFrames.push(a.tmp, a.onsetFrame)
	a.chFrames.push(a.tmp, a.chromaFrame)
}

const logGain = 1000 // log(1 + logGain·|X|): about 60 dB of dynamic range

func (a *analyzer) onsetFrame(frame []float32) {
	mag := a.onSpec.compute(frame)
	var flux float64
	for k := 1; k < a.fluxBins; k++ {
		l := math.Log1p(logGain * mag[k])
		if d := l - a.prevLog[k]; d > 0 {
			flux += d
		}
		a.prevLog[k] = l
	}
	for k, m := range mag {
		a.magSum[k] += m
	}
	a.flux = append(a.flux, float32(flux))
	a.frames++
}

func (a *analyzer) chromaFrame(frame []float32) {
	mag := a.chSpec.compute(frame)
	f := a.chPeaks.frame(mag)
	a.chroma = append(a.chroma, f.fine)
	a.tuning += f.tuning
	a.peakMag += f.peak
	a.bandMag += f.total
}

// duration returns the seconds of audio seen.
func (a *analyzer) duration() float64 { return float64(a.samples) / a.rate }

// result computes every measure from the summaries collected so far.
func (a *analyzer) result(opts Options) Result {
	var r Result
	r.DurationS = round1(a.duration())
	r.LoudnessLUFS = round1(a.loud.integrated())
	t := estimateTempo(a.flux, a.fps, opts)
	r.BPM, r.BPMConfidence = t.BPM, round2(t.Confidence)
	r.TuningCents = round1(tuningCents(a.tuning))
	k := estimateKey(a.foldedChroma(), a.tonality(), !a.cut)
	r.Key, r.Camelot, r.KeyConfidence = k.Name(), k.Camelot(), round2(k.Confidence)
	r.Energy = energyScore(r.LoudnessLUFS, a.flux, a.fluxBins)
	r.Danceability = danceScore(grooveMeasures(a.flux, a.fps, t.BPM))
	r.Brightness = brightnessScore(a.magSum, a.ra, 2*(len(a.magSum)-1))
	return r
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// foldedChroma is the 12-bin chromagram on the track's tuned grid.
func (a *analyzer) foldedChroma() [][12]float32 {
	cents := tuningCents(a.tuning)
	out := make([][12]float32, len(a.chroma))
	for i, f := range a.chroma {
		out[i] = foldChroma(f, cents)
	}
	return out
}

// tonality is the share of the chroma band's magnitude that lies in
// spectral peaks, over the whole track: 0 for silence.
func (a *analyzer) tonality() float64 {
	if !(a.bandMag > 0) {
		return 0
	}
	return a.peakMag / a.bandMag
}
