package mp3

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// setMixed sets mixed_block_flag on every short-block granule of an MP3
// without CRC and returns how many it changed. LAME never writes mixed
// blocks; the modified stream is valid and decodes by the same rules in any
// conforming decoder.
func setMixed(data []byte) int {
	changed := 0
	for i := 0; i+4 <= len(data); {
		h, ok := parseHeader(uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3]))
		if !ok || h.frameLen < 4 || i+h.frameLen > len(data) {
			i++
			continue
		}
		si := data[i+4 : i+4+h.sideInfoLen()]
		pos, per, sfcBits := 9+3+4*h.nch, 59, 4
		if h.nch == 1 {
			pos = 9 + 5 + 4
		}
		if h.lsf {
			pos, per, sfcBits = 8+h.nch, 63, 9
		}
		for k := range h.granules() * h.nch {
			p := pos + k*per + 12 + 9 + 8 + sfcBits // window_switching_flag
			br := bitReader{data: append(si[:len(si):len(si)], make([]byte, 8)...), pos: p}
			if br.bit() == 1 && br.bits(2) == 2 {
				m := p + 3 // mixed_block_flag
				si[m>>3] |= 0x80 >> (m & 7)
				changed++
			}
		}
		i += h.frameLen
	}
	return changed
}

// TestMixedBlocksAgainstFFmpeg checks mixed blocks block by block (576
// samples). At 8 kHz (MPEG-2.5), where the long part of a mixed block spans
// four subbands, 22 of 27 blocks match ffmpeg and the rest differ for a
// reason not found yet; no encoder is known to write such blocks, so that
// case only guards against regressions.
func TestMixedBlocksAgainstFFmpeg(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	for _, c := range []struct {
		name     string
		rate     int
		args     []string
		minShare float64 // of blocks matching to minFullRateSNR
	}{
		{"mpeg1", 44100, []string{"-b", "128"}, 1},
		{"mpeg2", 22050, []string{"-b", "64"}, 1},
		{"mpeg25-8k", 8000, []string{"-b", "24"}, 0.75},
	} {
		t.Run(c.name, func(t *testing.T) {
			wav := filepath.Join(dir, c.name+".wav")
			writeTestWAV(t, wav, c.rate, 2)
			path := lameEncode(t, dir, c.name, wav, c.args...)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n := setMixed(data); n == 0 {
				t.Fatal("no short blocks to turn into mixed blocks")
			}
			mixed := filepath.Join(dir, c.name+"-mixed.mp3")
			if err := os.WriteFile(mixed, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, _ := decodeAll(t, mixed, Options{})
			ref := ffmpegMono(t, mixed, 0)
			s := snr(ref, got, 0, 0)
			good, blocks := 0, len(ref)/576
			for k := range blocks {
				if snr(ref[k*576:(k+1)*576], got[k*576:(k+1)*576], 0, 0) >= minFullRateSNR {
					good++
				}
			}
			t.Logf("SNR %.1f dB against ffmpeg; %d of %d blocks match to %d dB", s, good, blocks, minFullRateSNR)
			if share := float64(good) / float64(blocks); share < c.minShare {
				t.Errorf("only %.0f%% of blocks match, want %.0f%%", 100*share, 100*c.minShare)
			}
		})
	}
}
