package push

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// TestCheckLoopbackOnlyWhenAllowed: http://127.0.0.1 is a test push
// service's address, refused unless the test flag says so.
func TestCheckLoopbackOnlyWhenAllowed(t *testing.T) {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256dh := base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes())
	auth := base64.RawURLEncoding.EncodeToString(make([]byte, 16))
	for _, tc := range []struct {
		name     string
		allow    bool
		endpoint string
		want     string // "" accepted
	}{
		{"loopback refused", false, "http://127.0.0.1:9/push", "must be https"},
		{"loopback allowed", true, "http://127.0.0.1:9/push", ""},
		{"other http still refused", true, "http://192.168.1.2/push", "must be https"},
		{"https loopback refused", true, "https://127.0.0.1/push", "public push service"},
		{"localhost refused", false, "https://localhost/push", "public push service"},
		{"credentials refused", false, "https://user:pw@push.example/x", "not a URL"},
		{"public https", false, "https://fcm.googleapis.com/fcm/send/abc", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sender{cfg: Config{AllowLoopbackHTTP: tc.allow}}
			err := s.Check(tc.endpoint, p256dh, auth)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
