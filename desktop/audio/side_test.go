package audio

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// ffmpegSide decodes path with ffmpeg and returns (ch0-ch1)/2, optionally
// resampled (rate 0 keeps the source rate).
func ffmpegSide(t testing.TB, path string, channels, rate int) []float32 {
	t.Helper()
	var args []string
	if rate > 0 {
		args = []string{"-ar", strconv.Itoa(rate)}
	}
	b := testenv.FFmpegF32(t, path, args...)
	side := make([]float32, len(b)/channels)
	if channels < 2 {
		return side
	}
	for i := range side {
		side[i] = 0.5 * (b[i*channels] - b[i*channels+1])
	}
	return side
}

// readMS reads a Side stream to the end with ReadMS.
func readMS(t testing.TB, s Stream) (mid, side []float32) {
	t.Helper()
	m, sd := make([]float32, 3000), make([]float32, 3000) // odd size: blocks straddle reads
	for {
		n, err := s.ReadMS(m, sd)
		mid = append(mid, m[:n]...)
		side = append(side, sd[:n]...)
		if errors.Is(err, io.EOF) {
			return mid, side
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSideSignal checks Options.Side for every format on a wide stereo
// signal (different tones left and right plus a shared one), at the source
// rate and reduced: mid must be what Read gives without Side, side must
// match ffmpeg's (L-R)/2 like mid matches its average (same thresholds as
// TestEncodings / TestCorpusAgainstFFmpeg / TestCorpusReducedRate). Mono
// gives a silent side, six channels the side of the first two.
func TestSideSignal(t *testing.T) {
	testenv.NeedTools(t, "sox")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	run(t, "sox", "-n", "-r", "44100", "-c", "2", "-b", "16", src,
		"synth", "2", "sine", "440", "sine", "1250", "vol", "0.5")
	tests := []struct {
		name   string
		make   func(path string)
		minSNR float64
	}{
		{"s16.wav", func(p string) { run(t, "sox", src, p) }, 90},
		{"f32.wav", func(p string) { run(t, "sox", src, "-e", "floating-point", "-b", "32", p) }, 90},
		{"s24.aiff", func(p string) { run(t, "sox", src, "-b", "24", p) }, 90},
		{"mono.wav", func(p string) { run(t, "sox", src, "-c", "1", p) }, 90},
		{"six.wav", func(p string) { run(t, "sox", src, "-c", "6", p) }, 90},
		{"s16.flac", func(p string) { run(t, "sox", src, p) }, 90},
		{"joint.mp3", func(p string) {
			testenv.NeedTools(t, "lame")
			run(t, "lame", "--quiet", "-b", "192", "-m", "j", src, p)
		}, 60},
		{"q5.ogg", func(p string) { testenv.NeedTools(t, "oggenc"); run(t, "oggenc", "-Q", "-q", "5", "-o", p, src) }, 60},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			tc.make(path)
			for _, maxRate := range []int{0, 11025} {
				plainS, err := Open(path, Options{MaxRate: maxRate})
				if err != nil {
					t.Fatal(err)
				}
				plain, err := ReadAll(plainS)
				plainS.Close()
				if err != nil {
					t.Fatal(err)
				}
				s, err := Open(path, Options{MaxRate: maxRate, Side: true})
				if err != nil {
					t.Fatal(err)
				}
				mid, side := readMS(t, s)
				s.Close()
				if len(mid) != len(plain) {
					t.Fatalf("MaxRate %d: %d samples with Side, %d without", maxRate, len(mid), len(plain))
				}
				for i := range mid {
					if mid[i] != plain[i] {
						t.Fatalf("MaxRate %d: mid sample %d is %g with Side, %g without", maxRate, i, mid[i], plain[i])
					}
				}
				if s.Channels() == 1 {
					for i, v := range side {
						if v != 0 {
							t.Fatalf("mono: side sample %d is %g", i, v)
						}
					}
					continue
				}
				rate := 0
				minSNR := tc.minSNR
				if maxRate > 0 {
					rate, minSNR = s.SampleRate(), 25
				}
				ref := ffmpegSide(t, path, s.Channels(), rate)
				if p := sidePower(ref); p < 1e-3 {
					t.Fatalf("side power %g: the test signal is not wide", p)
				}
				snr, lag := alignedSNR(ref, side, 2400, 4096)
				t.Logf("MaxRate %d: side SNR %.1f dB at lag %d", maxRate, snr, lag)
				if snr < minSNR {
					t.Errorf("MaxRate %d: side SNR %.1f dB < %.0f dB", maxRate, snr, minSNR)
				}
				if maxRate == 0 && tc.minSNR >= 90 && lag != 0 {
					t.Errorf("side offset by %d samples", lag)
				}
			}
		})
	}
}

func sidePower(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(max(len(x), 1))
}

// TestSideAPI: Read on a Side stream gives the mid and keeps the side in
// step (a later ReadMS continues where Read stopped); ReadMS without
// Options.Side is ErrNoSide.
func TestSideAPI(t *testing.T) {
	// Two seconds of 440 Hz left, 660 Hz right: a non-zero side.
	path := filepath.Join(t.TempDir(), "wide.wav")
	var pcm []byte
	for i := range 88200 {
		for _, f := range []float64{440, 660} {
			v := int16(10000 * math.Sin(2*math.Pi*f*float64(i)/44100))
			pcm = binary.LittleEndian.AppendUint16(pcm, uint16(v))
		}
	}
	hdr := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x44\xac\x00\x00\x10\xb1\x02\x00\x04\x00\x10\x00data")
	binary.LittleEndian.PutUint32(hdr[4:], uint32(36+len(pcm)))
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(pcm)))
	if err := os.WriteFile(path, append(hdr, pcm...), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadMS(make([]float32, 10), make([]float32, 10)); !errors.Is(err, ErrNoSide) {
		t.Errorf("ReadMS without Side: %v, want ErrNoSide", err)
	}
	s.Close()

	s, err = Open(path, Options{Side: true})
	if err != nil {
		t.Fatal(err)
	}
	wantMid, wantSide := readMS(t, s)
	s.Close()
	if p := sidePower(wantSide); p < 0.01 {
		t.Fatalf("side power %g: the test file is not wide", p)
	}

	s, err = Open(path, Options{Side: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	head := make([]float32, 1001)
	n, err := s.Read(head)
	if err != nil || n != len(head) {
		t.Fatalf("Read: %d, %v", n, err)
	}
	mid, side := readMS(t, s)
	mid = append(head, mid...)
	side = append(make([]float32, len(head)), side...)
	if len(mid) != len(wantMid) {
		t.Fatalf("%d samples after mixing Read and ReadMS, want %d", len(mid), len(wantMid))
	}
	for i := range mid {
		if mid[i] != wantMid[i] || (i >= len(head) && side[i] != wantSide[i]) {
			t.Fatalf("sample %d: mid %g side %g, want %g %g", i, mid[i], side[i], wantMid[i], wantSide[i])
		}
	}
	// Unequal buffers: ReadMS fills the shorter length.
	s2, err := Open(path, Options{Side: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, err := s2.ReadMS(make([]float32, 100), make([]float32, 40)); n != 40 || err != nil {
		t.Errorf("ReadMS(100, 40) = %d, %v; want 40, nil", n, err)
	}
}
