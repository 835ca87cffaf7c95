package livelink

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// relayURLs derives the relay's HTTP base and WebSocket URLs from what the
// DJ typed: "https://relay.example", "relay.example:8080", "wss://…/ws".
func relayURLs(raw string) (httpBase, wsURL string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", fmt.Errorf("relay URL is empty")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("relay URL %q is not a URL", raw)
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	path := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/ws")
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "http"
	case "https", "wss":
		u.Scheme = "https"
	default:
		return "", "", fmt.Errorf("relay URL %q: scheme must be http(s) or ws(s)", raw)
	}
	u.Path = path
	httpBase = u.String()
	if u.Scheme == "http" {
		u.Scheme = "ws"
	} else {
		u.Scheme = "wss"
	}
	u.Path = path + "/ws"
	return httpBase, u.String(), nil
}

// isLocalURL reports whether a URL points at this machine or the local
// network: a QR code with such an address is useless to dancers on their
// phones' mobile data.
func isLocalURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return true
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".lan") || strings.HasSuffix(host, ".home.arpa") || !strings.Contains(host, ".") && net.ParseIP(host) == nil {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() {
		return true
	}
	for _, n := range localNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// localNets are ranges no phone on mobile data reaches, beyond what
// net.IP's predicates cover: carrier-grade NAT (also Tailscale's
// addresses), IPv6 unique-local and link-local.
var localNets = func() []*net.IPNet {
	var nets []*net.IPNet
	for _, cidr := range []string{"100.64.0.0/10", "fc00::/7", "fe80::/10"} {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			panic(err)
		}
		nets = append(nets, n)
	}
	return nets
}()

// publicLinks decides the join and recap links. A public page URL set by
// the DJ always wins (their page is where dancers should land, whatever
// the relay calls itself); without one the relay's links are kept when
// public. JoinURL is never a LAN address: it stays empty when only such an
// address is known, and LocalJoinURL keeps the relay's local link for
// testing on this machine. The recap link is not for a QR code and keeps
// the relay's otherwise. The page's path is the relay's (a stage set's
// join link is the room's /s/SLUG, not /live/ID).
func publicLinks(publicURL, sessionID, relayJoin, relayRecap string) (join, localJoin, recap string) {
	base := strings.TrimSuffix(strings.TrimSpace(publicURL), "/")
	id := url.PathEscape(sessionID)
	join, recap = relayJoin, relayRecap
	if relayJoin == "" || isLocalURL(relayJoin) {
		localJoin, join = relayJoin, ""
	}
	if base != "" && !isLocalURL(base) {
		return base + pathOf(relayJoin, "/live/"+id), localJoin, base + pathOf(relayRecap, "/recap/"+id)
	}
	return join, localJoin, recap
}

// pathOf is a link's path, or def when it has none.
func pathOf(link, def string) string {
	if u, err := url.Parse(link); err == nil && strings.HasPrefix(u.EscapedPath(), "/") && len(u.EscapedPath()) > 1 {
		return u.EscapedPath()
	}
	return def
}

// PlainHTTP reports whether raw (a relay URL as typed) would be reached
// without TLS (http:// or ws://) at a host that is not on this machine or
// the local network, and names the host: the DJ token would then cross
// the internet readable by anyone on the way. Loopback never counts, nor
// do LAN addresses, .local names and Tailscale's range (isLocalURL): their
// traffic stays on a network the DJ is part of, and a relay there cannot
// get a public certificate, so "switch to https" would have no fix. (On a
// shared venue Wi-Fi others can still read it: a warning for that would
// name a risk the DJ cannot remove.)
func PlainHTTP(raw string) (host string, plain bool) {
	base, _, err := relayURLs(raw)
	if err != nil || !strings.HasPrefix(base, "http://") || isLocalURL(base) {
		return "", false
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	return u.Host, true
}
