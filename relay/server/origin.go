package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originAllowed accepts requests without an Origin (the DJ app, tools),
// same-origin pages, loopback pages, and the configured origins.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	norm := strings.ToLower(strings.TrimRight(origin, "/"))
	for _, o := range s.cfg.AllowedOrigins {
		if o == "*" || strings.ToLower(strings.TrimRight(o, "/")) == norm {
			return true
		}
	}
	if s.cfg.PublicURL != "" && strings.EqualFold(strings.TrimRight(s.cfg.PublicURL, "/"), norm) {
		return true
	}
	return false
}
