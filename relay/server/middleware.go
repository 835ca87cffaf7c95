package server

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
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

// recoverPanics is Echo's Recover, logging through slog (one JSON line
// with the stack) and answering 500 {"error": "internal error"}. A
// panic(http.ErrAbortHandler) still aborts the connection.
func (s *Server) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		StackSize:           64 << 10,
		DisableStackAll:     true, // the panicking goroutine only
		DisableErrorHandler: true, // the error goes back up, to Echo's error handler
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("handler panic", "path", c.Request().URL.Path, "panic", err.Error(), "stack", string(stack))
			return apiInternal
		},
	})
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
