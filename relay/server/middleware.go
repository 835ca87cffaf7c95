package server

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// logRequests writes one JSON line per request. It logs the path, never
// the query or headers, so no token or PIN reaches the logs.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		route := c.Path() // the route pattern: bounded label values
		if route == "" {
			route = "unmatched"
		}
		s.metrics.HTTPRequests.WithLabelValues(route, strconv.Itoa(res.Status/100)+"xx").Inc()
		s.log.Info("request",
			"method", req.Method,
			"path", req.URL.Path,
			"route", c.Path(),
			"status", res.Status,
			"bytes", res.Size,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"ip", c.RealIP(),
		)
		return nil
	}
}

func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("handler panic", "path", c.Request().URL.Path, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = apiInternal
			}
		}()
		return next(c)
	}
}

// limitAuth rate-limits login and registration per client IP.
func (s *Server) limitAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.authLim.Allow(c.RealIP()) {
			c.Response().Header().Set("Retry-After", "10")
			return apiTooManyTries
		}
		return next(c)
	}
}
