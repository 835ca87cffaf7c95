package wsconn

import (
	"crypto/sha1"
	"encoding/base64"
)

// acceptKey computes Sec-WebSocket-Accept (RFC 6455, section 4.2.2).
func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
