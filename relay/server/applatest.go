package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// appLatest answers GET /api/app/latest: the desktop app release the
// operator announces (PIKA_APP_LATEST_VERSION, PIKA_APP_DOWNLOAD_URL), or
// 204 when there is none. The app only tells its DJ; it never updates
// itself.
func (s *Server) appLatest(c echo.Context) error {
	if s.cfg.AppRelease.Version == "" {
		return c.NoContent(http.StatusNoContent)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, s.cfg.AppRelease)
}
