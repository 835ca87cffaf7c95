package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync/atomic"
)

// countingConn counts the bytes a connection reads off the wire (WebSocket
// or HTTP framing included), which is what the relay sent it.
type countingConn struct {
	net.Conn
	in *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.in.Add(int64(n))
	}
	return n, err
}

// abort drops the connection the way a venue's Wi-Fi going down does from
// the phone's side: no close frame, no FIN handshake; the socket is reset
// (SO_LINGER 0) so the tool keeps no TIME_WAIT state for it.
func (c *countingConn) abort() {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Conn.Close()
}

// abortConn resets conn if it is a countingConn, else closes it.
func abortConn(conn net.Conn) {
	if c, ok := conn.(*countingConn); ok {
		c.abort()
		return
	}
	_ = conn.Close()
}

// countingDial wraps dial so that every connection it makes counts into in.
func countingDial(dial func(ctx context.Context, network, addr string) (net.Conn, error), in *atomic.Int64) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, in: in}, nil
	}
}

// tailLen is how much of a frame's end is kept: a broadcast's envelope
// ends with its seq and epoch, and a SESSION_STATE's payload with the
// page's client id, epoch and seq.
const tailLen = 256

// frameReader reads frames into fixed buffers: the first len(head) bytes
// and the last tailLen, so that big SESSION_STATEs cost the tool no
// allocations.
type frameReader struct {
	head    []byte
	scratch []byte
	tail    [tailLen]byte
}

func newFrameReader() *frameReader {
	return &frameReader{head: make([]byte, 1024), scratch: make([]byte, 4096)}
}

// read returns the frame's head (all of it when it fits) and its tail
// (the last up to tailLen bytes), valid until the next read, and the
// frame's size.
func (fr *frameReader) read(rd io.Reader) (head, tail []byte, size int, err error) {
	n, err := io.ReadFull(rd, fr.head)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		head = fr.head[:n]
		return head, head[max(0, n-tailLen):], n, nil
	}
	if err != nil {
		return nil, nil, n, err
	}
	head = fr.head
	size = n
	t := copy(fr.tail[:], head[n-tailLen:])
	for {
		m, err := rd.Read(fr.scratch)
		if m > 0 {
			size += m
			if m >= tailLen {
				t = copy(fr.tail[:], fr.scratch[m-tailLen:m])
			} else {
				copy(fr.tail[:], fr.tail[m:t])
				copy(fr.tail[t-m:], fr.scratch[:m])
			}
		}
		if errors.Is(err, io.EOF) {
			return head, fr.tail[:t], size, nil
		}
		if err != nil {
			return nil, nil, size, err
		}
	}
}

var (
	seqKey      = []byte(`"seq":`)
	epochKey    = []byte(`"epoch":"`)
	clientIDKey = []byte(`"clientId":"`)
)

// framePosition reads where a frame stands among the session's
// broadcasts from its tail: the last "epoch" and "seq" keys, which are
// the envelope's in a broadcast and the payload's in a SESSION_STATE (no
// payload of a broadcast has such keys, and inside a JSON string the
// quotes would be escaped). A seq of 0 is left out of the JSON.
func framePosition(tail []byte) (epoch []byte, seq uint64, ok bool) {
	epoch = stringAfter(tail, epochKey)
	if len(epoch) == 0 {
		return nil, 0, false
	}
	if i := bytes.LastIndex(tail, seqKey); i >= 0 {
		rest := tail[i+len(seqKey):]
		j := 0
		for j < len(rest) && j < 20 && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		v, err := strconv.ParseUint(string(rest[:j]), 10, 64)
		if err != nil {
			return nil, 0, false
		}
		seq = v
	}
	return epoch, seq, true
}

// stringAfter returns the JSON string value after the last key in b, or
// nil (ids and epochs need no escaping: they are checked ids).
func stringAfter(b, key []byte) []byte {
	i := bytes.LastIndex(b, key)
	if i < 0 {
		return nil
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}
