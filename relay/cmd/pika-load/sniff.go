package main

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The relay sends thousands of frames per second to the load tool's
// dancers (every LIKE_COUNT goes to every dancer). Decoding each into Go
// values would cost the load tool more CPU than the relay spends sending
// them, on the same two cores, so dancers only sniff the few bytes they
// need: the frame type, an ACK's id and a NOW_PLAYING's title.

var (
	typeKey  = []byte(`"type":"`)
	idKey    = []byte(`"id":"`)
	titleKey = []byte(`"title":"` + trackTitlePrefix)
)

// trackTitlePrefix starts the title of every track the load DJ plays; the
// number after it is the play's sequence number.
const trackTitlePrefix = "pika-load track "

// frameType returns the value of the first "type" key of a frame, or nil.
// The envelope's type comes first in frames encoded by encoding/json from
// protocol.Envelope; a frame laid out otherwise falls back to a decode.
func frameType(frame []byte) []byte {
	head := frame[:min(len(frame), 64)]
	if i := bytes.Index(head, typeKey); i >= 0 {
		rest := frame[i+len(typeKey):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			return rest[:j]
		}
	}
	var env struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(frame, &env) != nil || env.Type == "" {
		return nil
	}
	return []byte(env.Type)
}

// frameID returns the first "id" value of a frame (the envelope's id comes
// before its payload), or nil.
func frameID(frame []byte) []byte {
	i := bytes.Index(frame, idKey)
	if i < 0 {
		return nil
	}
	rest := frame[i+len(idKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil
	}
	return rest[:j]
}

// playSeq returns the sequence number in the title of a NOW_PLAYING frame
// for a track this tool played, or -1.
func playSeq(frame []byte) int {
	i := bytes.Index(frame, titleKey)
	if i < 0 {
		return -1
	}
	rest := frame[i+len(titleKey):]
	n := 0
	digits := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		digits++
		if digits > 6 {
			return -1
		}
	}
	if digits == 0 {
		return -1
	}
	return n
}

// trackTitle is the title of the load DJ's play number seq.
func trackTitle(seq int) string { return trackTitlePrefix + strconv.Itoa(seq) }

// appendLikeFrame appends a LIKE frame for playID with envelope id "l<n>"
// to buf. playID comes from the relay and is checked against the protocol's
// id pattern before use, so it needs no JSON escaping.
func appendLikeFrame(buf []byte, n uint64, playID string) []byte {
	buf = append(buf, `{"type":"LIKE","id":"l`...)
	buf = strconv.AppendUint(buf, n, 10)
	buf = append(buf, `","payload":{"playId":"`...)
	buf = append(buf, playID...)
	return append(buf, `"}}`...)
}
