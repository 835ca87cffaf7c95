package mp3

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// TestCorpus decodes every MP3 of the shared corpus and compares it with
// ffmpeg sample by sample (same threshold as TestAgainstFFmpeg).
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../../../shared/corpus/dev/*.mp3")
	if len(files) == 0 {
		testenv.SkipUnlessCI(t, "corpus not present at ../shared/corpus/dev")
	}
	if testing.Short() {
		files = files[:2]
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			got, d := decodeAll(t, path, Options{})
			ref := ffmpegMono(t, path, 0)
			if len(got) != len(ref) {
				t.Errorf("%d samples, ffmpeg %d", len(got), len(ref))
			}
			s := snr(ref, got, 0, 0)
			t.Logf("%d Hz, %d samples, SNR %.1f dB", d.SourceRate(), len(got), s)
			if s < minFullRateSNR {
				t.Errorf("SNR %.1f dB < %d dB", s, minFullRateSNR)
			}
			if want := int64(len(ref)); d.Samples() != want {
				t.Errorf("Samples() %d from the Xing/LAME header, decoded %d", d.Samples(), want)
			}
		})
	}
}

func readAll(d *Decoder) ([]float32, error) {
	var out []float32
	for {
		b, err := d.Read()
		out = append(out, b...)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
	}
}

// TestStreamErrors covers the ways a stream can be damaged or unsupported.
func TestStreamErrors(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg")
	dir := t.TempDir()
	wav := filepath.Join(dir, "src.wav")
	writeTestWAV(t, wav, 44100, 2)
	good, err := os.ReadFile(lameEncode(t, dir, "cbr", wav, "-b", "128", "-t"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := readAll(mustDecoder(t, good))
	if err != nil {
		t.Fatal(err)
	}
	mp2 := filepath.Join(dir, "x.mp2")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=0.3", "-c:a", "mp2", mp2).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	layer2, _ := os.ReadFile(mp2)
	freeFormat := append([]byte(nil), good...)
	freeFormat[2] &^= 0xF0 // bitrate index 0

	t.Run("layer II", func(t *testing.T) {
		if _, err := NewDecoder(bytes.NewReader(layer2), Options{}); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("err %v, want ErrUnsupported", err)
		}
	})
	t.Run("free format", func(t *testing.T) {
		if _, err := NewDecoder(bytes.NewReader(freeFormat), Options{}); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("err %v, want ErrUnsupported", err)
		}
	})
	t.Run("no frames", func(t *testing.T) {
		if _, err := NewDecoder(bytes.NewReader(bytes.Repeat([]byte{0xFF, 0x00}, 40000)), Options{}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("err %v, want ErrCorrupt", err)
		}
	})
	t.Run("bad Reduce", func(t *testing.T) {
		if _, err := NewDecoder(bytes.NewReader(good), Options{Reduce: 4}); err == nil {
			t.Fatal("Reduce 4 accepted")
		}
	})
	t.Run("leading junk", func(t *testing.T) {
		junk := append(bytes.Repeat([]byte("junk"), 500), good...)
		got, err := readAll(mustDecoder(t, junk))
		if err != nil {
			t.Fatal(err)
		}
		if s := snr(ref, got, 0, 0); len(got) != len(ref) || s < 120 {
			t.Errorf("%d samples (want %d), SNR %.1f dB", len(got), len(ref), s)
		}
	})
	t.Run("junk between frames", func(t *testing.T) {
		// 417-byte frames at 128 kbit/s: garbage after about 40 of them.
		cut := 40 * 417
		bad := append(append(append([]byte(nil), good[:cut]...), bytes.Repeat([]byte{0xFF, 0xFB, 0x00}, 100)...), good[cut:]...)
		got, err := readAll(mustDecoder(t, bad))
		if err != nil {
			t.Fatal(err)
		}
		if d := len(got) - len(ref); d < -1152 || d > 1152 {
			t.Errorf("%d samples, want about %d", len(got), len(ref))
		}
	})
	t.Run("truncated", func(t *testing.T) {
		got, err := readAll(mustDecoder(t, good[:len(good)-100]))
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("err %v, want ErrTruncated", err)
		}
		if len(got) < len(ref)-2*1152 {
			t.Errorf("only %d of %d samples before the error", len(got), len(ref))
		}
	})
	t.Run("read after error", func(t *testing.T) {
		d := mustDecoder(t, good[:5000])
		readAll(d)
		if b, err := d.Read(); len(b) != 0 || err == nil {
			t.Errorf("Read after the end: %d samples, %v", len(b), err)
		}
	})
}

func mustDecoder(t *testing.T, data []byte) *Decoder {
	t.Helper()
	d, err := NewDecoder(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestTrailingTags checks that ID3v1 and APEv2 tags after the last frame
// end the stream cleanly.
func TestTrailingTags(t *testing.T) {
	testenv.NeedTools(t, "lame")
	dir := t.TempDir()
	wav := filepath.Join(dir, "src.wav")
	writeTestWAV(t, wav, 44100, 1)
	// Without a Xing/LAME header: no frame count stops decoding early, the
	// decoder has to get through the tags.
	good, err := os.ReadFile(lameEncode(t, dir, "cbr", wav, "-b", "128", "-t"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := readAll(mustDecoder(t, good))
	if err != nil {
		t.Fatal(err)
	}
	id3v1 := make([]byte, 128)
	copy(id3v1, "TAGTitle\xff\xfb\x90\x00")
	id3v1[127] = 0xFF // genre "none"
	ape := append([]byte("APETAGEX\xd0\x07\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0"), make([]byte, 8)...)
	for name, tail := range map[string][]byte{"id3v1": id3v1, "ape": ape, "ape+id3v1": append(append([]byte(nil), ape...), id3v1...)} {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(mustDecoder(t, append(append([]byte(nil), good...), tail...)))
			if err != nil {
				t.Fatalf("after %d samples: %v", len(got), err)
			}
			if len(got) != len(ref) {
				t.Errorf("%d samples, want %d", len(got), len(ref))
			}
		})
	}
}
