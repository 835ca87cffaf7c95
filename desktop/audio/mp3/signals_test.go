package mp3

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pikadj/pika/desktop/internal/testenv"
)

// writeTestWAV writes secs seconds of a deterministic stereo test signal at
// rate: different chords per channel, a slow sweep, and decaying noise
// bursts (in one channel at a time, so the encoder switches each channel to
// short blocks on its own).
func writeTestWAV(t testing.TB, path string, rate int, secs float64) {
	t.Helper()
	n := int(float64(rate) * secs)
	rng := rand.New(rand.NewSource(7))
	var buf bytes.Buffer
	hdr := func(s string, v ...any) {
		buf.WriteString(s)
		for _, x := range v {
			binary.Write(&buf, binary.LittleEndian, x)
		}
	}
	hdr("RIFF", uint32(36+n*4))
	hdr("WAVEfmt ", uint32(16), uint16(1), uint16(2), uint32(rate), uint32(rate*4), uint16(4), uint16(16))
	hdr("data", uint32(n*4))
	burst := [2]float64{}
	for i := range n {
		tm := float64(i) / float64(rate)
		sweep := 0.15 * math.Sin(2*math.Pi*(100*tm+0.5*(float64(rate)/2.5-100)/secs*tm*tm))
		l := 0.2*math.Sin(2*math.Pi*220*tm) + 0.1*math.Sin(2*math.Pi*277.2*tm) + 0.08*math.Sin(2*math.Pi*3520*tm) + sweep
		r := 0.2*math.Sin(2*math.Pi*329.6*tm) + 0.1*math.Sin(2*math.Pi*440*tm+1) + 0.05*math.Sin(2*math.Pi*7040*tm) - sweep
		// A burst every 0.37 s, alternating channels.
		if i%int(0.37*float64(rate)) == 0 {
			burst[(i/int(0.37*float64(rate)))%2] = 0.5
		}
		l += burst[0] * (rng.Float64()*2 - 1)
		r += burst[1] * (rng.Float64()*2 - 1)
		burst[0] *= math.Exp(-1 / (0.02 * float64(rate)))
		burst[1] *= math.Exp(-1 / (0.02 * float64(rate)))
		for _, v := range []float64{l, r} {
			binary.Write(&buf, binary.LittleEndian, int16(max(-1, min(1, v*0.8))*32767))
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lameEncode encodes wav with lame args into dir and returns the path.
func lameEncode(t testing.TB, dir, name, wav string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name+".mp3")
	cmd := exec.Command("lame", append(append([]string{"--quiet"}, args...), wav, out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lame %v: %v: %s", args, err, b)
	}
	return out
}

// The full-rate threshold: both decoders compute in floating point, so the
// only differences are rounding (about -120 dB); 90 dB leaves room for a
// different summation order while any real decoding error (a wrong table
// entry, a missed block switch) costs tens of dB.
const minFullRateSNR = 90

// minLameSNR applies against lame's 16-bit decode.
const minLameSNR = 75

// lameDecodeMono decodes with lame --decode (16-bit WAV) and mixes to mono.
func lameDecodeMono(t testing.TB, path string) []float32 {
	t.Helper()
	wav := path + ".lame.wav"
	if b, err := exec.Command("lame", "--quiet", "--decode", path, wav).CombinedOutput(); err != nil {
		t.Fatalf("lame --decode: %v: %s", err, b)
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	var channels int
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			channels = int(binary.LittleEndian.Uint16(body[2:]))
		case "data":
			body = body[:min(size, len(body))]
			n := len(body) / 2 / channels
			out := make([]float32, n)
			for i := range n {
				var s float32
				for c := range channels {
					s += float32(int16(binary.LittleEndian.Uint16(body[2*(i*channels+c):])))
				}
				out[i] = s / float32(channels) / 32768
			}
			return out
		}
		p += 8 + size + size&1
	}
	t.Fatalf("%s: no data chunk", wav)
	return nil
}

func TestAgainstFFmpeg(t *testing.T) {
	testenv.NeedTools(t, "lame", "ffmpeg", "ffprobe")
	dir := t.TempDir()
	wavs := map[int]string{}
	wavAt := func(rate int) string {
		if p, ok := wavs[rate]; ok {
			return p
		}
		p := filepath.Join(dir, "src"+string(rune('a'+len(wavs)))+".wav")
		writeTestWAV(t, p, rate, 3)
		wavs[rate] = p
		return p
	}
	tests := []struct {
		name string
		rate int
		args []string
	}{
		{"mpeg1-44k-joint-cbr128", 44100, []string{"-b", "128", "-m", "j"}},
		{"mpeg1-44k-stereo-cbr192", 44100, []string{"-b", "192", "-m", "s"}},
		{"mpeg1-44k-vbr-v2", 44100, []string{"-V", "2"}},
		{"mpeg1-44k-mono", 44100, []string{"-b", "96", "-m", "m"}},
		{"mpeg1-44k-320-crc", 44100, []string{"-b", "320", "-p"}},
		{"mpeg1-44k-no-reservoir", 44100, []string{"-b", "128", "--nores"}},
		{"mpeg1-44k-no-xing-tag", 44100, []string{"-b", "128", "-t"}},
		{"mpeg1-44k-id3v2", 44100, []string{"-b", "128", "--id3v2-only", "--tt", "Title", "--ta", "Artist", "--pad-id3v2-size", "3000"}},
		{"mpeg1-48k", 48000, []string{"-b", "160"}},
		{"mpeg1-32k", 32000, []string{"-b", "96"}},
		{"mpeg2-24k", 24000, []string{"-b", "64"}},
		{"mpeg2-22k-vbr", 22050, []string{"-V", "4"}},
		{"mpeg2-16k-mono", 16000, []string{"-b", "32", "-m", "m"}},
		{"mpeg25-12k", 12000, []string{"-b", "32"}},
		{"mpeg25-11k", 11025, []string{"-b", "24", "--resample", "11.025"}},
		{"mpeg25-8k-24kbps", 8000, []string{"-b", "24"}},
		{"mpeg25-8k", 8000, []string{"-b", "16"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := lameEncode(t, dir, tc.name, wavAt(tc.rate), tc.args...)
			got, d := decodeAll(t, path, Options{})
			if d.SourceRate() != tc.rate {
				t.Fatalf("rate %d, want %d", d.SourceRate(), tc.rate)
			}
			ref := ffmpegMono(t, path, 0)
			if len(got) != len(ref) {
				t.Errorf("%d samples, ffmpeg %d", len(got), len(ref))
			}
			lag := bestLag(ref, got, 1200)
			s := snr(ref, got, lag, 0)
			t.Logf("SNR %.1f dB against ffmpeg (lag %d, %d samples)", s, lag, len(got))
			if lag != 0 {
				t.Errorf("output offset by %d samples from ffmpeg", lag)
			}
			if s >= minFullRateSNR {
				return
			}
			// ffmpeg and LAME's own decoder disagree on some streams (seen on
			// 24 kHz MPEG-2); then LAME's decoder, from the encoder's
			// authors, is the referee. Its output is 16-bit, which caps the
			// measurable SNR near 80 dB.
			lref := lameDecodeMono(t, path)
			ls := snr(lref, got, 0, 0)
			fl := snr(lref, ref, 0, 0)
			t.Logf("against lame --decode: ours %.1f dB, ffmpeg %.1f dB", ls, fl)
			if ls < minLameSNR || fl > ls {
				t.Errorf("SNR %.1f dB against ffmpeg < %d dB, and %.1f dB against lame --decode", s, minFullRateSNR, ls)
			}
		})
	}
}

// TestFFmpegEncoded covers streams written by ffmpeg (Lavc encoder tag in
// the Info frame), CBR and VBR.
func TestFFmpegEncoded(t *testing.T) {
	testenv.NeedTools(t, "ffmpeg", "ffprobe")
	dir := t.TempDir()
	for name, args := range map[string][]string{"cbr": {"-b:a", "128k"}, "vbr": {"-q:a", "2"}} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".mp3")
			cmd := append([]string{"-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=3", "-ac", "2", "-c:a", "libmp3lame"}, args...)
			if out, err := exec.Command("ffmpeg", append(cmd, path)...).CombinedOutput(); err != nil {
				testenv.SkipUnlessCI(t, "ffmpeg cannot encode MP3 here (%v: %s)", err, out)
			}
			got, _ := decodeAll(t, path, Options{})
			ref := ffmpegMono(t, path, 0)
			if len(got) != len(ref) {
				t.Errorf("%d samples, ffmpeg %d", len(got), len(ref))
			}
			if s := snr(ref, got, 0, 0); s < minFullRateSNR {
				t.Errorf("SNR %.1f dB < %d dB", s, minFullRateSNR)
			}
		})
	}
}
