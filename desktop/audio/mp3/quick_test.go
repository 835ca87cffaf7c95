package mp3

import (
	"testing"
)

func TestQuickCorpus(t *testing.T) {
	p := "../../../../shared/corpus/dev/00-rnb-104-Amin.mp3"
	full := ffmpegMono(t, p, 0)
	for r := range 4 {
		got, d := decodeAll(t, p, Options{Reduce: r})
		for _, fc := range []float64{0.5, 0.45, 0.4, 0.3} {
			lp := lowpass(full[:len(full)/4], fc/float64(int(1)<<r))
			ref := make([]float32, len(lp)>>r)
			for i := range ref {
				if j := i<<r - d.phase; j >= 0 {
					ref[i] = lp[j]
				}
			}
			g := lowpass(got[:len(ref)], fc)
			t.Logf("r=%d fc %.2f phase %d snr %.1f", r, fc, d.phase, snr(ref, g, 0, 2000))
		}
	}
}
