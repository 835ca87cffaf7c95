package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// MaxEndpoint bounds an endpoint URL (push services' are ~200–500 bytes).
const MaxEndpoint = 1024

// Check validates a subscription a browser sent: an https endpoint on a
// public host, a P-256 public key and a 16-byte auth secret.
func (s *Sender) Check(endpoint, p256dh, auth string) error {
	if endpoint == "" {
		return fmt.Errorf("the subscription has no endpoint")
	}
	if len(endpoint) > MaxEndpoint {
		return fmt.Errorf("the endpoint is %d bytes; at most %d", len(endpoint), MaxEndpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return fmt.Errorf("the endpoint is not a URL a push service gives")
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "http" && s.cfg.AllowLoopbackHTTP && host == "127.0.0.1":
	case u.Scheme != "https":
		return fmt.Errorf("the endpoint must be https")
	default:
		if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified()) {
			return fmt.Errorf("the endpoint must be a public push service")
		}
		if strings.EqualFold(host, "localhost") {
			return fmt.Errorf("the endpoint must be a public push service")
		}
	}
	key, err := decodeKey(p256dh, 100)
	if err != nil {
		return fmt.Errorf("keys.p256dh: %w", err)
	}
	if _, err := ecdh.P256().NewPublicKey(key); err != nil {
		return fmt.Errorf("keys.p256dh is not a P-256 public key")
	}
	sec, err := decodeKey(auth, 40)
	if err != nil {
		return fmt.Errorf("keys.auth: %w", err)
	}
	if len(sec) != 16 {
		return fmt.Errorf("keys.auth is %d bytes; it must be 16", len(sec))
	}
	return nil
}

// decodeKey reads base64url with or without padding, as browsers send it.
func decodeKey(s string, max int) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("missing")
	}
	if len(s) > max {
		return nil, fmt.Errorf("too long (%d characters)", len(s))
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("not base64url")
	}
	return b, nil
}
