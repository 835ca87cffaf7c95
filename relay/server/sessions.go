package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// liveSessions answers GET /api/sessions.
func (s *Server) liveSessions(c echo.Context) error {
	list, err := s.store.LiveSessions(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.summaries(list))
}

// djSessions answers GET /api/dj/sessions: the DJ's own sessions.
func (s *Server) djSessions(c echo.Context) error {
	dj, _ := currentDJ(c)
	list, err := s.store.DJSessions(c.Request().Context(), dj.ID, 500)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.summaries(list))
}

// summaries lists sessions with their current listener counts.
func (s *Server) summaries(list []store.Session) []protocol.SessionSummary {
	out := make([]protocol.SessionSummary, 0, len(list))
	for _, sess := range list {
		out = append(out, sess.Summary(s.live.Listeners(sess.ID)))
	}
	return out
}

// sessionState answers GET /api/sessions/:id/state[?clientId=…] with the
// PIN, for protected sessions, in X-Session-Pin.
func (s *Server) sessionState(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchSession
	}
	clientID := c.QueryParam("clientId")
	if clientID != "" && (len(clientID) < protocol.MinClientIDLen || !protocol.ValidID(clientID)) {
		return apiBadClientID
	}
	pin := c.Request().Header.Get("X-Session-Pin")
	if pin != "" && !protocol.ValidPIN(pin) {
		return apiWrongPIN
	}
	st, pe := s.live.State(c.Request().Context(), id, clientID, pin, c.RealIP())
	if pe != nil {
		return protoErr(pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, st)
}

// sessionRecap answers GET /api/sessions/:id/recap.
func (s *Server) sessionRecap(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchSession
	}
	rc, pe := s.live.Recap(c.Request().Context(), id)
	if pe != nil {
		return protoErr(pe)
	}
	return c.JSON(http.StatusOK, rc)
}

// maxPlaysPage bounds GET /api/sessions/:id/plays?limit=….
const maxPlaysPage = 200

// sessionPlays answers GET /api/sessions/:id/plays?before=PLAYID&limit=N
// (limit default 50): the history beyond what SESSION_STATE carries. The
// PIN of a protected session goes in X-Session-Pin, as for /state.
func (s *Server) sessionPlays(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchSession
	}
	before := c.QueryParam("before")
	if before != "" && !protocol.ValidID(before) {
		return badRequest("before must be the playId of a play of this session")
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPlaysPage {
			return apiBadPlaysLimit
		}
		limit = n
	}
	pin := c.Request().Header.Get("X-Session-Pin")
	if pin != "" && !protocol.ValidPIN(pin) {
		return apiWrongPIN
	}
	page, pe := s.live.History(c.Request().Context(), id, before, limit, pin, c.RealIP())
	if pe != nil {
		return protoErr(pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, page)
}
