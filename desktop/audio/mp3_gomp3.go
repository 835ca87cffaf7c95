package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	gomp3 "github.com/hajimehoshi/go-mp3"
)

// goMP3Source decodes MP3 with github.com/hajimehoshi/go-mp3, which always
// produces 16-bit stereo.
type goMP3Source struct {
	d   *gomp3.Decoder
	raw []byte
	out []float32
}

// newGoMP3 starts go-mp3 on r, positioned at the first frame. It is given a
// plain reader: with a seeker go-mp3 rescans the file from byte 0.
func newGoMP3(r io.ReadSeeker) (source, header, error) {
	return guardOpen("go-mp3", func() (source, header, error) { return newGoMP3Unguarded(r) })
}

func newGoMP3Unguarded(r io.ReadSeeker) (source, header, error) {
	var h header
	start, _ := r.Seek(0, io.SeekCurrent)
	end, _ := r.Seek(0, io.SeekEnd)
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return nil, h, err
	}
	var first [4]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return nil, h, fmt.Errorf("%w: MP3: %v", ErrCorrupt, err)
	}
	fh, ok := parseMPEGHeader(first[:])
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return nil, h, err
	}
	d, err := gomp3.NewDecoder(bufio.NewReader(r))
	if err != nil {
		return nil, h, fmt.Errorf("%w: MP3: %v", ErrCorrupt, err)
	}
	h = header{format: MP3, rate: d.SampleRate(), sourceRate: d.SampleRate(), channels: 2}
	if ok && binary.BigEndian.Uint32(first[:])>>6&3 == 3 {
		h.channels = 1
	}
	if ok && fh.frameLen > 0 {
		// Estimate from the first frame's bitrate (exact for CBR).
		spf := int64(1152)
		if fh.version != 1 {
			spf = 576
		}
		h.frames = (end - start) / int64(fh.frameLen) * spf
	}
	return &goMP3Source{d: d, raw: make([]byte, 4*4096), out: make([]float32, 4096)}, h, nil
}

func (g *goMP3Source) next() ([]float32, error) {
	n, err := io.ReadFull(g.d, g.raw)
	frames := n / 4
	out := g.out[:frames]
	for i := range frames {
		l := int16(binary.LittleEndian.Uint16(g.raw[4*i:]))
		r := int16(binary.LittleEndian.Uint16(g.raw[4*i+2:]))
		out[i] = (float32(l) + float32(r)) / 65536
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if frames > 0 {
			return out, nil
		}
		return nil, io.EOF
	}
	if err != nil {
		return out, fmt.Errorf("%w: MP3: %v", ErrCorrupt, err)
	}
	return out, nil
}
