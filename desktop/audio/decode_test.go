package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
}

// TestEncodings decodes uncompressed and lossless files in every sample
// layout this package reads, made by sox, and compares with ffmpeg.
func TestEncodings(t *testing.T) {
	testenv.NeedTools(t, "sox")
	dir := t.TempDir()
	src := filepath.Join(dir, "src.wav")
	run(t, "sox", "-n", "-r", "44100", "-c", "2", "-b", "16", src, "synth", "1", "sine", "440", "sine", "1250", "vol", "0.7")
	tests := []struct {
		name   string
		format Format
		args   []string // sox output options
		minSNR float64
	}{
		{"u8.wav", WAV, []string{"-b", "8", "-e", "unsigned-integer"}, 40},
		{"s16.wav", WAV, []string{"-b", "16"}, 90},
		{"s24.wav", WAV, []string{"-b", "24"}, 90},
		{"s32.wav", WAV, []string{"-b", "32"}, 90},
		{"f32.wav", WAV, []string{"-b", "32", "-e", "floating-point"}, 90},
		{"f64.wav", WAV, []string{"-b", "64", "-e", "floating-point"}, 90},
		{"mono.wav", WAV, []string{"-c", "1"}, 90},
		{"six.wav", WAV, []string{"-c", "6"}, 90},
		{"s16.aiff", AIFF, []string{"-b", "16"}, 90},
		{"s24.aiff", AIFF, []string{"-b", "24"}, 90},
		{"s8.aiff", AIFF, []string{"-b", "8"}, 40},
		{"f32.aifc", AIFF, []string{"-b", "32", "-e", "floating-point"}, 90},
		{"s16.flac", FLAC, []string{"-b", "16"}, 90},
		{"s24.flac", FLAC, []string{"-b", "24"}, 90},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			run(t, "sox", append(append([]string{src}, tc.args...), path)...)
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Format() != tc.format {
				t.Errorf("format %s, want %s", s.Format(), tc.format)
			}
			got, err := ReadAll(s)
			if err != nil {
				t.Fatal(err)
			}
			ref := ffmpegMono(t, path, s.Channels(), 0)
			if len(got) != len(ref) || len(got) != 44100 {
				t.Errorf("%d samples, ffmpeg %d, want 44100", len(got), len(ref))
			}
			if d := s.Duration().Seconds(); math.Abs(d-1) > 0.01 {
				t.Errorf("Duration %.3f s, want 1", d)
			}
			snr, _ := alignedSNR(ref, got, 0, 0)
			if snr < tc.minSNR {
				t.Errorf("SNR %.1f dB < %.0f dB", snr, tc.minSNR)
			}
		})
	}
}

// TestUnsupported checks that other formats fail with ErrUnsupportedFormat
// and its message.
func TestUnsupported(t *testing.T) {
	testenv.NeedTools(t, "ffmpeg")
	dir := t.TempDir()
	tests := []struct{ name, codec string }{
		{"x.m4a", "aac"},
		{"x.aac", "aac"},
		{"x.opus", "libopus"},
		{"x.mp2", "mp2"},
		{"layer2.mp3", "mp2"}, // misnamed: the extension must not fool detection
		{"x.wma", "wmav2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			args := []string{"-v", "error", "-f", "lavfi", "-i", "sine=d=0.5", "-c:a", tc.codec}
			if strings.HasSuffix(tc.name, ".mp3") {
				args = append(args, "-f", "mp2")
			}
			run(t, "ffmpeg", append(args, path)...)
			_, err := Open(path, Options{})
			if !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("Open: %v, want ErrUnsupportedFormat", err)
			}
			if !strings.Contains(err.Error(), "unsupported audio format") {
				t.Errorf("message %q lacks \"unsupported audio format\"", err)
			}
		})
	}
	for name, data := range map[string][]byte{
		"empty.mp3": {},
		"text.txt":  []byte("this is not audio at all, just some text\n"),
		"zeros.bin": make([]byte, 4096),
		"id3only":   []byte("ID3\x03\x00\x00\x00\x00\x00\x02ab"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(data), name, Options{})
			if !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("Decode: %v, want ErrUnsupportedFormat", err)
			}
		})
	}
}

// TestTruncated cuts files of every format in half: decoding must deliver
// samples and then an error, not a clean end and not a panic.
func TestTruncated(t *testing.T) {
	testenv.NeedTools(t, "sox")
	dir := t.TempDir()
	aiff := filepath.Join(dir, "c.aiff")
	run(t, "sox", "-n", "-r", "44100", "-c", "2", "-b", "16", aiff, "synth", "2", "sine", "440")
	files := []string{aiff}
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3"} {
		if fs := corpusFiles(t, ext); len(fs) > 0 {
			files = append(files, fs[0])
		}
	}
	for _, path := range files {
		t.Run(filepath.Ext(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cut := data[:len(data)/2+3]
			s, err := Decode(bytes.NewReader(cut), path, Options{})
			if err != nil {
				t.Fatalf("header of a half file: %v", err)
			}
			got, err := ReadAll(s)
			if err == nil {
				t.Fatalf("no error after %d samples of a half file", len(got))
			}
			if len(got) == 0 {
				t.Errorf("no samples before the error")
			}
			t.Logf("%d samples, then: %v", len(got), err)
		})
	}
}

// TestCorruptMiddle overwrites a stretch in the middle of each file with
// noise: the decoder may skip it or stop with an error, but must not panic,
// hang or produce NaNs.
func TestCorruptMiddle(t *testing.T) {
	for _, ext := range []string{".wav", ".flac", ".ogg", ".mp3"} {
		files := corpusFiles(t, ext)
		if len(files) == 0 {
			continue
		}
		t.Run(ext, func(t *testing.T) {
			data, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			mid := len(data) / 2
			x := uint32(12345)
			for i := mid; i < mid+8192; i++ {
				x = x*1664525 + 1013904223
				data[i] = byte(x >> 24)
			}
			s, err := Decode(bytes.NewReader(data), ext, Options{MaxRate: 11025})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadAll(s)
			for _, v := range got {
				if v != v || v > 100 || v < -100 {
					t.Fatalf("bad sample %v", v)
				}
			}
			t.Logf("%d samples, err %v", len(got), err)
		})
	}
}

// TestHostileHeaders feeds headers with impossible values.
func TestHostileHeaders(t *testing.T) {
	wav := func(tag, ch uint16, rate uint32, bits uint16, dataSize uint32) []byte {
		var b bytes.Buffer
		le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
		b.WriteString("RIFF")
		le(uint32(0xFFFFFFFF))
		b.WriteString("WAVEfmt ")
		le(uint32(16))
		le(tag)
		le(ch)
		le(rate)
		le(rate * uint32(ch) * uint32(bits/8))
		le(ch * bits / 8)
		le(bits)
		b.WriteString("data")
		le(dataSize)
		b.Write(make([]byte, 64))
		return b.Bytes()
	}
	aiff := func(ch uint16, rateExp uint16, bits uint16, ssndOffset uint32) []byte {
		var b bytes.Buffer
		be := func(v any) { binary.Write(&b, binary.BigEndian, v) }
		b.WriteString("FORM")
		be(uint32(0xFFFFFFFF))
		b.WriteString("AIFFCOMM")
		be(uint32(18))
		be(ch)
		be(uint32(1000))
		be(bits)
		be(rateExp)
		be(uint64(0xAC44000000000000))
		b.WriteString("SSND")
		be(uint32(0xFFFFFFF0))
		be(ssndOffset)
		be(uint32(0))
		b.Write(make([]byte, 64))
		return b.Bytes()
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr error // nil: must open; then reading must end
	}{
		{"wav zero rate", wav(1, 2, 0, 16, 64), ErrCorrupt},
		{"wav zero channels", wav(1, 0, 44100, 16, 64), ErrCorrupt},
		{"wav 1000 channels", wav(1, 1000, 44100, 16, 64), ErrCorrupt},
		{"wav huge rate", wav(1, 2, 1<<30, 16, 64), ErrCorrupt},
		{"wav 12-bit float", wav(3, 2, 44100, 12, 64), ErrUnsupportedFormat},
		{"wav adpcm", wav(2, 2, 44100, 4, 64), ErrUnsupportedFormat},
		{"wav streaming size", wav(1, 2, 44100, 16, 0xFFFFFFFF), nil},
		{"wav size past end", wav(1, 2, 44100, 16, 1<<30), ErrCorrupt},
		{"aiff zero rate", aiff(2, 0, 16, 0), ErrCorrupt},
		{"aiff infinite rate", aiff(2, 0x7FFF, 16, 0), ErrCorrupt},
		{"aiff zero channels", aiff(0, 0x400E, 16, 0), ErrCorrupt},
		{"aiff 40-bit", aiff(2, 0x400E, 40, 0), ErrCorrupt},
		{"aiff huge ssnd offset", aiff(2, 0x400E, 16, 0xFFFFFF00), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Decode(bytes.NewReader(tc.data), "", Options{})
			if tc.wantErr != nil && err != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got, err := ReadAll(s)
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("read %d samples, error %v, want %v", len(got), err, tc.wantErr)
			}
			if len(got) > 1000 {
				t.Errorf("%d samples from a 64-byte payload", len(got))
			}
		})
	}
}

// TestDecodeStopsAtEOF checks the Read contract: io.EOF after the last
// sample, and again on later calls.
func TestDecodeStopsAtEOF(t *testing.T) {
	s, err := Open("testdata/tone.wav", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := ReadAll(s); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Read(make([]float32, 16)); n != 0 || err != io.EOF {
		t.Errorf("after end: %d, %v", n, err)
	}
}
