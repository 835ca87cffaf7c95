package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/shared/protocol"
)

// sessionAnalytics answers GET /api/sessions/:id/analytics: the set's
// private numbers, for its DJ and the organizers of its event.
func (s *Server) sessionAnalytics(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchSession
	}
	dj, _ := currentDJ(c)
	a, pe := s.live.Analytics(c.Request().Context(), id, dj.ID)
	if pe != nil {
		return sessionErr(c, pe)
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.JSON(http.StatusOK, a)
}
