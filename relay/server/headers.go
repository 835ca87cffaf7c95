package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// securityHeaders sets the headers every response carries, and for the
// pages a content security policy that allows no inline script or style.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		req := c.Request()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		if s.servedOverHTTPS(req) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !strings.HasPrefix(req.URL.Path, "/api/") && req.URL.Path != "/ws" {
			h.Set("Content-Security-Policy", s.contentSecurityPolicy(req))
		}
		return next(c)
	}
}

// servedOverHTTPS: X-Forwarded-Proto counts only from a trusted proxy;
// anyone else could set it.
func (s *Server) servedOverHTTPS(r *http.Request) bool {
	return r.TLS != nil || s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") ||
		strings.HasPrefix(s.cfg.PublicURL, "https://")
}

// contentSecurityPolicy allows scripts, styles and connections to this
// relay only; connect-src names the WebSocket URL too, as older browsers
// do not let 'self' cover ws: and wss:.
func (s *Server) contentSecurityPolicy(r *http.Request) string {
	hosts := map[string]bool{}
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Host != "" {
		hosts[u.Host] = true
	}
	if r.Host != "" {
		hosts[r.Host] = true
	}
	connect := []string{"'self'"}
	for h := range hosts {
		if strings.ContainsAny(h, " ;'\"") {
			continue // a hostile Host header must not inject policy
		}
		connect = append(connect, "ws://"+h, "wss://"+h)
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src " + strings.Join(connect, " ") + "; manifest-src 'self'; object-src 'none'; base-uri 'none'; " +
		"frame-ancestors 'none'; form-action 'self'"
}

// cors answers preflights and marks API responses readable by the allowed
// origins. Same-origin requests need none of it.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		origin := req.Header.Get("Origin")
		if origin == "" || !strings.HasPrefix(req.URL.Path, "/api/") {
			return next(c)
		}
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		allowed := s.originAllowed(req)
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "Retry-After")
		}
		if req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				return c.NoContent(http.StatusForbidden)
			}
			h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Session-Pin")
			h.Set("Access-Control-Max-Age", "600")
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}
