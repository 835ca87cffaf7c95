package wsconn

import (
	"encoding/binary"

	"github.com/pikadj/pika/relay/hub"
)

// WebSocket opcodes (RFC 6455, section 5.2).
const (
	OpText  byte = 0x1
	OpClose byte = 0x8
	OpPing  byte = 0x9
	OpPong  byte = 0xA
)

// AppendFrame appends one final, unmasked WebSocket frame (what a server
// sends) carrying payload.
func AppendFrame(dst []byte, opcode byte, payload []byte) []byte {
	n := len(payload)
	dst = append(dst, 0x80|opcode)
	switch {
	case n < 126:
		dst = append(dst, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, payload...)
}

// textFrame is a broadcast as a text frame, built once per message.
func textFrame(m *hub.Message) []byte {
	return m.Wire(func(data []byte) []byte { return AppendFrame(make([]byte, 0, len(data)+10), OpText, data) })
}
