// Package humanerr turns an error chain into the words a DJ reads: the
// file or address concerned and the reason, starting with a capital
// letter, without the package prefixes ("analysis: audio: …") that the
// chain collects on its way up. The chain itself stays as it is for logs.
package humanerr

import (
	"context"
	"crypto/x509"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// prefixes are the package names errors start with; they say where the
// error came from, which means nothing to a DJ.
var prefixes = []string{
	"analysis: ", "audio: ", "livelink: ", "library: ", "core: ", "nowplaying: ",
	"settings: ", "mp3: ", "flac: ", "ogg: ", "wav: ", "aiff: ",
}

// Message is the text to show for err: for a network failure "Cannot reach
// ADDRESS: REASON", for a file that cannot be opened "Cannot open NAME:
// REASON", for a file that cannot be decoded "Cannot read NAME: REASON",
// else the message without package prefixes. It starts with a capital.
// A file that cannot be opened is named with its whole path (which folder
// is as much the problem as which file); one that cannot be decoded by its
// base name, as the decoders give it.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if r, ok := netReason(err); ok {
		if host := urlHost(err); host != "" {
			return "Cannot reach " + host + ": " + r
		}
		return capital(r)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "Cannot open " + pe.Path + ": " + pathReason(pe.Err)
	}
	s := strip(err.Error())
	// audio names the file it could not decode: "x.mp3: corrupt …".
	if name, rest, ok := strings.Cut(s, ": "); ok && looksLikeFile(name) {
		return "Cannot read " + name + ": " + dedupe(strip(rest))
	}
	return capital(dedupe(s))
}

// Reason is the short cause of err, lowercase, for "offline: cannot reach
// URL (REASON)": "connection refused", "no such host", "no answer in
// time"…; for other errors it is Message without its capital.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	if r, ok := netReason(err); ok {
		return r
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pathReason(pe.Err)
	}
	s := strip(err.Error())
	if name, rest, ok := strings.Cut(s, ": "); ok && looksLikeFile(name) {
		s = strip(rest)
	}
	return lower(dedupe(s))
}

// netReason names a network failure in plain words.
func netReason(err error) (string, bool) {
	var dns *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var ne net.Error
	var op *net.OpError
	var closed *websocket.CloseError
	switch {
	case errors.As(err, &closed):
		if closed.Text != "" {
			return "the relay closed the connection: " + closed.Text, true
		}
		return "the relay closed the connection", true
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "no such host (check the address)", true
		}
		return "name lookup failed (check the network)", true
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the relay running?)", true
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable (check the network)", true
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was cut", true
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid):
		return "its certificate is not valid for this address", true
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time", true
	case errors.As(err, &op):
		return "network error: " + op.Err.Error(), true
	}
	return "", false
}

// urlHost is the scheme and host of the first URL in the chain, else the
// address a dial or a name lookup was for.
func urlHost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.Name != "" {
		return dns.Name
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return op.Addr.String()
	}
	return ""
}

func pathReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return lower(strip(err.Error()))
}

func strip(s string) string {
	for {
		cut := false
		for _, p := range prefixes {
			if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
				s, cut = s[len(p):], true
			}
		}
		if !cut {
			return s
		}
	}
}

// dedupe drops a segment that repeats the one before it ("corrupt audio
// data: corrupt audio data: …" after two layers added the same words), and
// package names inside the chain.
func dedupe(s string) string {
	parts := strings.Split(s, ": ")
	out := parts[:0]
	for i, p := range parts {
		if i > 0 && strings.EqualFold(strip(p), strip(out[len(out)-1])) {
			continue
		}
		if i > 0 && i < len(parts)-1 && slices.Contains(prefixes, p+": ") {
			continue // a decoder's package name in the middle: "…: flac: corrupt stream"
		}
		out = append(out, strip(p))
	}
	return strings.Join(out, ": ")
}

// looksLikeFile: a base name with a short letters-and-digits extension,
// as the decoders name files.
func looksLikeFile(s string) bool {
	ext := filepath.Ext(s)
	if len(ext) < 2 || len(ext) > 6 || len(s) == len(ext) || strings.ContainsAny(s, "/\\") {
		return false
	}
	for _, r := range ext[1:] {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lower lowercases the first letter unless the first word is an acronym
// ("MP3", "WAV").
func lower(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if len(word) > 1 && strings.ToUpper(word) == word {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
