package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Ogg pages (RFC 3533) are read here rather than by a library so that the
// packet stream can be cleaned before it reaches the Vorbis decoder: some
// encoders repeat the three Vorbis header packets on the first audio page
// (Debian's hyperrogue-music, libVorbis 20100325 "Everywhere"; ffmpeg
// refuses those files, libvorbisfile skips them), and a decoder that takes
// every packet as audio fails on them.

const (
	oggHeaderSize  = 27
	oggMaxPageSize = oggHeaderSize + 255 + 255*255
	oggFlagCont    = 1
	oggFlagBOS     = 2
	oggFlagEOS     = 4
)

// errOggCut is a page or packet that the file ends inside.
var errOggCut = errors.New("file ends inside an Ogg page")

type oggPage struct {
	flags   byte
	granule int64
	serial  uint32
	lacing  []byte // segment sizes
	body    []byte
}

// oggDemuxer yields the packets of one logical stream (the first one seen,
// or the next after an end-of-stream page, for chained files).
type oggDemuxer struct {
	r       io.Reader
	hdr     [oggHeaderSize]byte
	lacing  [255]byte
	body    []byte
	serial  uint32
	started bool

	page    oggPage
	seg     int    // next segment of page
	off     int    // body offset of seg
	partial []byte // packet continued across pages

	// pageDone is set when the packet just returned completed the last
	// packet of its page; granule is that page's granule position.
	pageDone bool
	eos      bool // the page of the last returned packet is the last one
}

// readPage reads the next page of any stream, checking its CRC.
func (d *oggDemuxer) readPage() (oggPage, error) {
	if _, err := io.ReadFull(d.r, d.hdr[:]); err != nil {
		if err == io.EOF {
			return oggPage{}, io.EOF
		}
		return oggPage{}, errOggCut
	}
	if string(d.hdr[:4]) != "OggS" || d.hdr[4] != 0 {
		return oggPage{}, fmt.Errorf("%w: Ogg: bad page header", ErrCorrupt)
	}
	n := int(d.hdr[26])
	lacing := d.lacing[:n]
	if _, err := io.ReadFull(d.r, lacing); err != nil {
		return oggPage{}, errOggCut
	}
	size := 0
	for _, l := range lacing {
		size += int(l)
	}
	if cap(d.body) < size {
		d.body = make([]byte, size)
	}
	body := d.body[:size]
	if _, err := io.ReadFull(d.r, body); err != nil {
		return oggPage{}, errOggCut
	}
	want := binary.LittleEndian.Uint32(d.hdr[22:26])
	crc := oggCRC(0, d.hdr[:22])
	crc = oggCRC(crc, []byte{0, 0, 0, 0})
	crc = oggCRC(crc, d.hdr[26:27])
	crc = oggCRC(crc, lacing)
	crc = oggCRC(crc, body)
	if crc != want {
		return oggPage{}, fmt.Errorf("%w: Ogg: page checksum mismatch", ErrCorrupt)
	}
	return oggPage{
		flags:   d.hdr[5],
		granule: int64(binary.LittleEndian.Uint64(d.hdr[6:14])),
		serial:  binary.LittleEndian.Uint32(d.hdr[14:18]),
		lacing:  lacing,
		body:    body,
	}, nil
}

// packet returns the next complete packet of the stream; the slice is valid
// until the next call. io.EOF after the end-of-stream page or at the end of
// a file that ends on a page boundary; errOggCut for a file cut inside a
// page or packet.
func (d *oggDemuxer) packet() ([]byte, error) {
	d.pageDone = false
	for {
		for d.seg < len(d.page.lacing) {
			l := int(d.page.lacing[d.seg])
			d.partial = append(d.partial, d.page.body[d.off:d.off+l]...)
			d.seg++
			d.off += l
			if l < 255 {
				p := d.partial
				d.partial = d.partial[:0]
				d.pageDone = !d.lastPacketAfter(d.seg)
				d.eos = d.pageDone && d.page.flags&oggFlagEOS != 0
				return p, nil
			}
		}
		if d.page.flags&oggFlagEOS != 0 && d.started && d.page.serial == d.serial {
			// A chained file goes on with the next stream's first page.
			d.started = false
		}
		p, err := d.readPage()
		if err != nil {
			if err == io.EOF && len(d.partial) > 0 {
				return nil, errOggCut
			}
			return nil, err
		}
		if d.started && p.serial != d.serial {
			continue // another multiplexed stream
		}
		if !d.started {
			if p.flags&oggFlagBOS == 0 {
				continue
			}
			d.started, d.serial = true, p.serial
			d.partial = d.partial[:0]
		} else if p.flags&oggFlagCont == 0 {
			d.partial = d.partial[:0] // a lost continuation: drop the fragment
		}
		// The page is copied because readPage reuses its buffers.
		d.page = oggPage{flags: p.flags, granule: p.granule, serial: p.serial,
			lacing: append(d.page.lacing[:0], p.lacing...), body: append(d.page.body[:0], p.body...)}
		d.seg, d.off = 0, 0
	}
}

// lastPacketAfter reports whether another packet ends on the current page
// after segment seg.
func (d *oggDemuxer) lastPacketAfter(seg int) bool {
	for _, l := range d.page.lacing[seg:] {
		if l < 255 {
			return true
		}
	}
	return false
}

var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func oggCRC(crc uint32, b []byte) uint32 {
	for _, v := range b {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^v]
	}
	return crc
}

// oggLastGranule returns the granule position of the last page of the
// first stream found in the final 64 KiB of r (0 if none), for the length.
func oggLastGranule(r io.ReadSeeker, serial uint32) int64 {
	end, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return 0
	}
	start := max(end-oggMaxPageSize, 0)
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return 0
	}
	buf := make([]byte, end-start)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0
	}
	var last int64
	for i := 0; i+oggHeaderSize <= len(buf); i++ {
		if string(buf[i:i+4]) != "OggS" || buf[i+4] != 0 {
			continue
		}
		g := int64(binary.LittleEndian.Uint64(buf[i+6 : i+14]))
		if binary.LittleEndian.Uint32(buf[i+14:i+18]) == serial && g > 0 {
			last = g
		}
	}
	return last
}
