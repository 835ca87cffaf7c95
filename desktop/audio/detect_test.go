package audio

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectByContent checks that the content decides the format: ID3v2
// tags in front are skipped, misleading names do not matter.
func TestDetectByContent(t *testing.T) {
	id3 := append([]byte("ID3\x04\x00\x00\x00\x00\x01\x00"), make([]byte, 128)...) // 128-byte tag
	tests := []struct {
		fixture string
		prefix  []byte
		hint    string
		want    Format
	}{
		{"tone.mp3", nil, "", MP3},
		{"tone.mp3", id3, "x.flac", MP3},
		{"tone.flac", id3, "x.mp3", FLAC},
		{"tone.flac", nil, "x.wav", FLAC},
		{"tone.ogg", nil, "x.mp3", Ogg},
		{"tone.wav", nil, "x.aiff", WAV},
		{"tone.aiff", nil, "x.wav", AIFF},
		{"tone.mp3", []byte("some junk before the first frame"), ".mp3", MP3},
	}
	for _, tc := range tests {
		t.Run(tc.fixture+"+"+tc.hint, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + tc.fixture)
			if err != nil {
				t.Fatal(err)
			}
			data := append(append([]byte(nil), tc.prefix...), b...)
			s, err := Decode(bytes.NewReader(data), tc.hint, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Format() != tc.want {
				t.Errorf("format %s, want %s", s.Format(), tc.want)
			}
			got, err := ReadAll(s)
			if err != nil || len(got) == 0 {
				t.Errorf("%d samples, %v", len(got), err)
			}
		})
	}
	// An Ogg stream that is not Vorbis is reported as unsupported.
	opus := []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00")
	if _, err := Decode(bytes.NewReader(opus), "x.ogg", Options{}); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("Ogg Opus: %v, want ErrUnsupportedFormat", err)
	}
}

// TestCorruptByName: content that matches no format, in a file whose name
// promises one we decode, is reported as corrupt, not as an unsupported
// format (random bytes hold short MPEG Layer I chains now and then).
func TestCorruptByName(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	random := make([]byte, 200000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := []byte("this is not audio at all, just some text\n")
	tests := []struct {
		name    string
		data    []byte
		corrupt string // the message, "" for ErrUnsupportedFormat
	}{
		{"x.wav", random, "corrupt or not a WAV file"},
		{"x.WAV", random, "corrupt or not a WAV file"},
		{"x.ogg", random, "corrupt or not an Ogg Vorbis file"},
		{"x.aiff", random, "corrupt or not an AIFF file"},
		{"x.flac", random, "corrupt or not a FLAC file"},
		{"x.mp3", text, "corrupt or not an MP3 file"},
		{"zeros.ogg", make([]byte, 4096), "corrupt or not an Ogg Vorbis file"},
		{"x.bin", text, ""},
		{"x", random[:4096], ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(p, Options{})
			if tc.corrupt == "" {
				if !errors.Is(err, ErrUnsupportedFormat) {
					t.Errorf("%v, want ErrUnsupportedFormat", err)
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), tc.corrupt) {
				t.Errorf("%v, want ErrCorrupt %q", err, tc.corrupt)
			}
		})
	}
}
