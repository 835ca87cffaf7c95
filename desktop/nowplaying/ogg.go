package nowplaying

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// readOggComments reads an Ogg stream (chained: one logical stream per
// track) and calls found with the tags of every Vorbis or Opus comment
// header, upper-cased keys. Audio packets are not kept. The Ogg page:
// "OggS", version, flags, granule (8), serial (4), sequence (4), CRC (4),
// segment count, lacing values; a packet ends at a lacing value below 255.
func readOggComments(r io.Reader, found func(map[string]string)) error {
	var head [27]byte
	type stream struct {
		packets int
		buf     []byte
		skip    bool
	}
	streams := map[uint32]*stream{}
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return err
		}
		if string(head[:4]) != "OggS" {
			return fmt.Errorf("ogg: lost page sync")
		}
		flags := head[5]
		serial := binary.LittleEndian.Uint32(head[14:18])
		lacing := make([]byte, head[26])
		if _, err := io.ReadFull(r, lacing); err != nil {
			return err
		}
		total := 0
		for _, l := range lacing {
			total += int(l)
		}
		body := make([]byte, total)
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if flags&0x02 != 0 { // beginning of a stream: a new track
			streams[serial] = &stream{}
		}
		st := streams[serial]
		if flags&0x04 != 0 { // end of a stream: forget it after this page
			delete(streams, serial)
		}
		if st == nil || st.packets >= 2 {
			continue // audio of a stream whose headers are read
		}
		off := 0
		for _, l := range lacing {
			if st.packets >= 2 {
				break
			}
			if !st.skip {
				st.buf = append(st.buf, body[off:off+int(l)]...)
				if len(st.buf) > maxOggPacket {
					st.buf, st.skip = nil, true
				}
			}
			off += int(l)
			if l < 255 {
				st.packets++
				if st.packets == 2 && !st.skip {
					if tags, ok := parseOggComment(st.buf); ok {
						found(tags)
					}
				}
				st.buf, st.skip = nil, false
			}
		}
	}
}

// parseOggComment reads a Vorbis ("\x03vorbis") or Opus ("OpusTags")
// comment packet: vendor string, then count × "KEY=value", each with a
// little-endian 32-bit length.
func parseOggComment(p []byte) (map[string]string, bool) {
	switch {
	case bytes.HasPrefix(p, []byte("\x03vorbis")):
		p = p[7:]
	case bytes.HasPrefix(p, []byte("OpusTags")):
		p = p[8:]
	default:
		return nil, false
	}
	next := func() ([]byte, bool) {
		if len(p) < 4 {
			return nil, false
		}
		n := binary.LittleEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-4) {
			return nil, false
		}
		v := p[4 : 4+n]
		p = p[4+n:]
		return v, true
	}
	if _, ok := next(); !ok { // vendor
		return nil, false
	}
	if len(p) < 4 {
		return nil, false
	}
	count := binary.LittleEndian.Uint32(p)
	p = p[4:]
	tags := map[string]string{}
	for i := uint32(0); i < count; i++ {
		v, ok := next()
		if !ok {
			break
		}
		k, val, ok := strings.Cut(decodeText(v), "=")
		if !ok {
			continue
		}
		k = strings.ToUpper(k)
		if _, dup := tags[k]; !dup {
			tags[k] = val
		}
	}
	return tags, true
}
