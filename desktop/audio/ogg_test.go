package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// soxMono decodes path with sox (libvorbisfile for Ogg) to mono float32 at
// the source rate.
func soxMono(t *testing.T, path string) []float32 {
	t.Helper()
	out, err := exec.Command("sox", path, "-t", "f32", "-c", "1", "-").Output()
	if err != nil {
		t.Fatalf("sox %s: %v", path, err)
	}
	x := make([]float32, len(out)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:]))
	}
	return x
}

// TestOggRepeatedHeaders decodes Debian's hyperrogue-music files whose
// encoder repeated the three Vorbis header packets on the first audio page
// (with a negative granule position there); ffmpeg refuses them, the
// reference libvorbisfile (through sox) skips the repeated headers. The
// decoded length and samples must match sox's. hr-savino-palace is two
// encodings spliced: 5312 samples, then the headers again and the whole
// track with granule positions from the start; it decodes to both parts
// (libvorbisfile keeps its first part and then cuts to the last granule
// position), so only its first part is compared.
func TestOggRepeatedHeaders(t *testing.T) {
	testenv.NeedTools(t, "sox")
	for _, tc := range []struct {
		name    string
		extra   int // samples before the restart that sox does not count
		compare int // samples compared with sox, 0 for all
	}{
		{"hr-savino-caribbean", 0, 0},
		{"hr-savino-ivory", 0, 0},
		{"hr-savino-ocean", 0, 0},
		{"hr-savino-palace", 5312, 5312},
		{"hr3-caves", 0, 0},
	} {
		name := tc.name
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("/usr/share/hyperrogue/music", name+".ogg")
			if _, err := os.Stat(path); err != nil {
				testenv.SkipUnlessCI(t, "real recording missing (scripts/install-deps test installs hyperrogue-music): %v", err)
			}
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got, err := ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			ref := soxMono(t, path)
			if len(got) != len(ref)+tc.extra {
				t.Errorf("%d samples, sox %d + %d", len(got), len(ref), tc.extra)
			}
			if d, want := s.Duration().Seconds(), float64(len(ref))/44100; math.Abs(d-want) > 0.001 {
				t.Errorf("duration %.3f s, sox decodes %.3f s", d, want)
			}
			if tc.compare > 0 {
				ref, got = ref[:tc.compare], got[:tc.compare]
			}
			if snr, lag := alignedSNR(ref, got, 64, 0); lag != 0 || snr < 60 {
				t.Errorf("against sox: SNR %.1f dB at lag %d, want ≥ 60 dB at lag 0", snr, lag)
			}
		})
	}
}

// TestOggChained decodes two Ogg Vorbis files one after the other in one
// file (a chained stream): both are decoded, the second from its own
// headers.
func TestOggChained(t *testing.T) {
	one, err := os.ReadFile(filepath.Join("testdata", "tone.ogg"))
	if err != nil {
		t.Fatal(err)
	}
	single := decodeAllBytes(t, one)
	chained := decodeAllBytes(t, append(append([]byte(nil), one...), one...))
	if len(chained) != 2*len(single) {
		t.Fatalf("chained: %d samples, want 2 × %d", len(chained), len(single))
	}
	for i, v := range single {
		if d := math.Abs(float64(chained[len(single)+i] - v)); d > 1e-6 {
			t.Fatalf("second stream differs at sample %d by %g", i, d)
		}
	}
}

func decodeAllBytes(t *testing.T, data []byte) []float32 {
	t.Helper()
	s, err := Decode(bytes.NewReader(data), "x.ogg", Options{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
