package audio

import (
	"bytes"
	"errors"
	"os"
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
