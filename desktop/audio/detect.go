package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// mp3ScanWindow is how far past the tags detection looks for MPEG frame
// sync; real files have at most a little junk before the first frame.
const mp3ScanWindow = 64 << 10

// detect identifies the format of r from its content and returns the offset
// where the decoder should start (after any ID3v2 tags). hint is a lower-case
// file name or extension.
func detect(r io.ReadSeeker, hint string) (Format, int64, error) {
	start, err := skipID3v2(r)
	if err != nil {
		return "", 0, err
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return "", 0, err
	}
	head := make([]byte, mp3ScanWindow+4)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", 0, err
	}
	head = head[:n]
	if n == 0 {
		return "", 0, fmt.Errorf("%w: empty file", ErrUnsupportedFormat)
	}
	switch {
	case bytes.HasPrefix(head, []byte("fLaC")):
		return FLAC, start, nil
	case bytes.HasPrefix(head, []byte("OggS")):
		if len(head) >= 27 {
			off := 27 + int(head[26])
			if off+7 <= len(head) && bytes.Equal(head[off:off+7], []byte("\x01vorbis")) {
				return Ogg, start, nil
			}
		}
		return "", 0, fmt.Errorf("%w: Ogg stream is not Vorbis", ErrUnsupportedFormat)
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return WAV, start, nil
	case len(head) >= 12 && string(head[0:4]) == "FORM" && (string(head[8:12]) == "AIFF" || string(head[8:12]) == "AIFC"):
		return AIFF, start, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "", 0, fmt.Errorf("%w: MP4/M4A container", ErrUnsupportedFormat)
	}
	// MPEG audio: require consecutive valid frames so that random data is not
	// taken for MP3. A frame at the very start, or a .mp3 name, needs two;
	// anything further in needs three.
	for i := 0; i+4 <= len(head); i++ {
		if head[i] != 0xFF || head[i+1]&0xE0 != 0xE0 {
			continue
		}
		if isADTS(head[i:]) && i == 0 {
			return "", 0, fmt.Errorf("%w: AAC (ADTS)", ErrUnsupportedFormat)
		}
		need := 3
		if i == 0 || strings.HasSuffix(hint, ".mp3") || hint == "mp3" {
			need = 2
		}
		h, ok := frameChain(head[i:], need)
		if !ok {
			continue
		}
		if h.layer != 3 {
			if i > 0 && hintFormat(hint) != "" && hintFormat(hint) != MP3 {
				// Random bytes hold short MPEG Layer I/II frame chains
				// now and then; a real MP1/MP2 file misnamed .wav starts
				// with its first frame.
				continue
			}
			return "", 0, fmt.Errorf("%w: MPEG audio Layer %s", ErrUnsupportedFormat, strings.Repeat("I", h.layer))
		}
		return MP3, start + int64(i), nil
	}
	if f := hintFormat(hint); f != "" {
		// The name promises a format we decode, but the content is none:
		// a damaged file rather than a format to add support for.
		return "", 0, fmt.Errorf("%w: corrupt or not %s file", ErrCorrupt, formatArticle[f])
	}
	return "", 0, ErrUnsupportedFormat
}

// formatArticle names each format with its indefinite article.
var formatArticle = map[Format]string{
	WAV: "a WAV", AIFF: "an AIFF", FLAC: "a FLAC", Ogg: "an Ogg Vorbis", MP3: "an MP3",
}

// hintFormat is the supported format a file name or extension names, or "".
func hintFormat(hint string) Format {
	ext := hint
	if i := strings.LastIndexByte(hint, '.'); i >= 0 {
		ext = hint[i+1:]
	}
	switch ext {
	case "wav", "wave":
		return WAV
	case "aif", "aiff", "aifc":
		return AIFF
	case "flac":
		return FLAC
	case "ogg", "oga":
		return Ogg
	case "mp3":
		return MP3
	}
	return ""
}

// skipID3v2 returns the offset after any ID3v2 tags at the start of r.
func skipID3v2(r io.ReadSeeker) (int64, error) {
	var off int64
	for range 16 { // a few stacked tags at most
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return 0, err
		}
		var h [10]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return off, nil
			}
			return 0, err
		}
		if string(h[:3]) != "ID3" || h[6]|h[7]|h[8]|h[9] >= 0x80 {
			return off, nil
		}
		size := int64(h[6])<<21 | int64(h[7])<<14 | int64(h[8])<<7 | int64(h[9])
		off += 10 + size
		if h[5]&0x10 != 0 { // footer present
			off += 10
		}
	}
	return off, nil
}

// isADTS reports whether b starts with an AAC ADTS header (MPEG sync with
// layer bits 00).
func isADTS(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xFF && b[1]&0xF6 == 0xF0
}

// mpegHeader is the part of an MPEG audio frame header detection needs.
type mpegHeader struct {
	version    int // 1, 2, or 25 for MPEG-2.5
	layer      int // 1, 2, 3
	sampleRate int
	frameLen   int
}

var (
	mpegBitrates = [2][3][15]int{ // [lsf][layer-1][index] kbit/s
		{
			{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
			{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		},
		{
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		},
	}
	mpegRates = [3]int{44100, 48000, 32000}
)

// parseMPEGHeader decodes a 4-byte frame header; free-format (bitrate index
// 0) frames are rejected since their length is not in the header.
func parseMPEGHeader(b []byte) (mpegHeader, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mpegHeader{}, false
	}
	verBits := (b[1] >> 3) & 3
	layerBits := (b[1] >> 1) & 3
	brIdx := int(b[2] >> 4)
	srIdx := int((b[2] >> 2) & 3)
	pad := int((b[2] >> 1) & 1)
	if verBits == 1 || layerBits == 0 || brIdx == 0 || brIdx == 15 || srIdx == 3 || b[3]&3 == 2 {
		return mpegHeader{}, false
	}
	h := mpegHeader{layer: 4 - int(layerBits)}
	lsf := 1
	switch verBits {
	case 3:
		h.version, lsf = 1, 0
		h.sampleRate = mpegRates[srIdx]
	case 2:
		h.version = 2
		h.sampleRate = mpegRates[srIdx] / 2
	case 0:
		h.version = 25
		h.sampleRate = mpegRates[srIdx] / 4
	}
	br := mpegBitrates[lsf][h.layer-1][brIdx] * 1000
	switch h.layer {
	case 1:
		h.frameLen = (12*br/h.sampleRate + pad) * 4
	case 2:
		h.frameLen = 144*br/h.sampleRate + pad
	case 3:
		if lsf == 1 {
			h.frameLen = 72*br/h.sampleRate + pad
		} else {
			h.frameLen = 144*br/h.sampleRate + pad
		}
	}
	return h, true
}

// frameChain checks that b starts with n consecutive MPEG frames of the same
// version, layer and rate (a chain cut short by the end of b counts if at
// least one frame is complete and b ends inside the next).
func frameChain(b []byte, n int) (mpegHeader, bool) {
	first, ok := parseMPEGHeader(b)
	if !ok {
		return first, false
	}
	off := 0
	for k := 0; k < n; k++ {
		if off+4 > len(b) {
			return first, k > 0
		}
		h, ok := parseMPEGHeader(b[off:])
		if !ok || h.version != first.version || h.layer != first.layer || h.sampleRate != first.sampleRate {
			return first, false
		}
		off += h.frameLen
	}
	return first, true
}
