package audio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func corpusFiles(t testing.TB, ext string) []string {
	t.Helper()
	corpusDir := testenv.CorpusPath()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*"+ext))
	if len(files) == 0 {
		if _, err := os.Stat(corpusDir); err != nil {
			testenv.SkipUnlessCI(t, "corpus not present at %s", corpusDir)
		}
	}
	return files
}

// TestCorpusAgainstFFmpeg decodes one corpus file of each format and compares
// it sample by sample with ffmpeg's decode. Thresholds: lossless formats must
// match to float rounding (> 90 dB); lossy decoders differ only by their
// arithmetic (> 60 dB after aligning any start offset).
func TestCorpusAgainstFFmpeg(t *testing.T) {
	tests := []struct {
		ext    string
		format Format
		minSNR float64
	}{
		{".wav", WAV, 90},
		{".flac", FLAC, 90},
		{".ogg", Ogg, 60},
		{".mp3", MP3, 60},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.ext, "."), func(t *testing.T) {
			files := corpusFiles(t, tc.ext)
			if len(files) == 0 {
				t.Fatalf("no %s files in corpus", tc.ext)
			}
			path := files[0]
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Format() != tc.format {
				t.Fatalf("format %q, want %q", s.Format(), tc.format)
			}
			got, err := ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			ref := ffmpegMono(t, path, s.Channels(), 0)
			if len(got) != len(ref) {
				t.Errorf("length %d, ffmpeg %d", len(got), len(ref))
			}
			dur := s.Duration().Seconds()
			refDur := float64(len(ref)) / float64(s.SourceRate())
			if dur < refDur*0.95 || dur > refDur*1.05 {
				t.Errorf("Duration %.2fs, decoded %.2fs", dur, refDur)
			}
			snr, lag := alignedSNR(ref, got, 2400, 4096)
			t.Logf("%s: %d samples at %d Hz, SNR %.1f dB at lag %d", filepath.Base(path), len(got), s.SampleRate(), snr, lag)
			if snr < tc.minSNR {
				t.Errorf("SNR %.1f dB < %.0f dB", snr, tc.minSNR)
			}
		})
	}
}

// TestCorpusReducedRate checks Options.MaxRate: rate, length and that the
// result matches ffmpeg's resampled decode in the pass band.
func TestCorpusReducedRate(t *testing.T) {
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3"} {
		t.Run(strings.TrimPrefix(ext, "."), func(t *testing.T) {
			files := corpusFiles(t, ext)
			if len(files) == 0 {
				t.Fatalf("no %s files in corpus", ext)
			}
			path := files[len(files)-1]
			s, err := Open(path, Options{MaxRate: 11025})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.SampleRate() > 11025 || s.SampleRate()*4 < s.SourceRate() && s.SourceRate() <= 44100 {
				t.Fatalf("rate %d from %d", s.SampleRate(), s.SourceRate())
			}
			got, err := ReadAll(s)
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			ref := ffmpegMono(t, path, s.Channels(), s.SampleRate())
			snr, lag := alignedSNR(ref, got, 600, 1024)
			t.Logf("%s: %d Hz, SNR vs ffmpeg resample %.1f dB at lag %d", filepath.Base(path), s.SampleRate(), snr, lag)
			// Different anti-alias filters differ near the band edge, so the
			// bar is lower than at full rate.
			if snr < 25 {
				t.Errorf("SNR %.1f dB < 25 dB", snr)
			}
		})
	}
}
