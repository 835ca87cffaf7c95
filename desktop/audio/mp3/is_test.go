package mp3

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// setIntensity rewrites every joint-stereo frame header of an MP3 to
// announce intensity stereo (mode_extension bit 0) and returns the frames
// changed. Without CRC the payload needs no change: the bits are read the
// same way for MPEG-1, and differently (but deterministically) for MPEG-2.
func setIntensity(t *testing.T, data []byte) int {
	changed := 0
	for i := 0; i+4 <= len(data); {
		h, ok := parseHeader(uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3]))
		if !ok || h.frameLen < 4 {
			i++
			continue
		}
		if h.mode == modeJoint {
			data[i+3] |= 0x10
			changed++
		}
		i += h.frameLen
	}
	return changed
}

// TestIntensityStereoAgainstFFmpeg checks intensity stereo, which LAME
// never writes, by switching it on in the headers of LAME's joint-stereo
// frames: the result is still a valid stream, and ffmpeg decodes it with the
// same rules.
func TestIntensityStereoAgainstFFmpeg(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		rate int
		args []string
		// Share of 576-sample blocks that must match to minFullRateSNR.
		// In MPEG-2 the right channel's scale factors are laid out
		// differently under intensity stereo, so the rewritten stream
		// desynchronises in some granules (their codes overrun the granule)
		// and decoders may treat that damage differently; every other block
		// must match.
		minShare float64
	}{
		{"mpeg1", 44100, []string{"-b", "128", "-m", "j"}, 1},
		{"mpeg2", 22050, []string{"-b", "64", "-m", "j"}, 0.85},
	} {
		t.Run(c.name, func(t *testing.T) {
			wav := filepath.Join(dir, c.name+".wav")
			writeTestWAV(t, wav, c.rate, 2)
			path := lameEncode(t, dir, c.name, wav, c.args...)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if setIntensity(t, data) == 0 {
				t.Fatal("no joint-stereo frames")
			}
			isPath := filepath.Join(dir, c.name+"-is.mp3")
			if err := os.WriteFile(isPath, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, _ := decodeAll(t, isPath, Options{})
			ref := ffmpegMono(t, isPath, 0)
			if len(got) != len(ref) {
				t.Fatalf("%d samples, ffmpeg %d", len(got), len(ref))
			}
			good, blocks := 0, len(ref)/576
			for k := range blocks {
				if snr(ref[k*576:(k+1)*576], got[k*576:(k+1)*576], 0, 0) >= minFullRateSNR {
					good++
				}
			}
			share := float64(good) / float64(blocks)
			t.Logf("SNR %.1f dB against ffmpeg overall; %d of %d blocks match to %d dB", snr(ref, got, 0, 0), good, blocks, minFullRateSNR)
			if share < c.minShare {
				t.Errorf("only %.0f%% of blocks match, want %.0f%%", 100*share, 100*c.minShare)
			}
		})
	}
}
