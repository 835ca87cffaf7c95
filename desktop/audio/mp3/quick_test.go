package mp3

import "testing"

func TestQuickCorpus(t *testing.T) {
	p := "../../../../shared/corpus/dev/00-rnb-104-Amin.mp3"
	got, _ := decodeAll(t, p, Options{})
	ref := ffmpegMono(t, p, 0)
	lag := bestLag(ref, got, 3000)
	t.Logf("len %d ref %d lag %d snr %.1f", len(got), len(ref), lag, snr(ref, got, lag, 2000))
}
