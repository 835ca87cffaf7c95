package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// liveSessions answers GET /api/sessions.
func (s *Server) liveSessions(c echo.Context) error {
	list, err := s.store.LiveSessions(c.Request().Context())
	if err != nil {
		return err
	}
	out := s.summaries(list)
	// The public list says a PIN session exists, not what it plays.
	for i := range out {
		if out[i].Protected {
			out[i].Plays = nil
		}
	}
	return c.JSON(http.StatusOK, out)
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
	a, err := s.access(c)
	if err != nil {
		return err
	}
	st, pe := s.live.State(c.Request().Context(), id, clientID, a)
	if pe != nil {
		return sessionErr(c, pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, st)
}

// sessionRecap answers GET /api/sessions/:id/recap. A private recap needs
// the PIN (X-Session-Pin, or ?pin= for a link) or its DJ's Bearer token.
func (s *Server) sessionRecap(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchSession
	}
	a, err := s.access(c)
	if err != nil {
		return err
	}
	rc, pe := s.live.Recap(c.Request().Context(), id, a)
	if pe != nil {
		return sessionErr(c, pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
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
	a, err := s.access(c)
	if err != nil {
		return err
	}
	page, pe := s.live.History(c.Request().Context(), id, before, limit, a)
	if pe != nil {
		return sessionErr(c, pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, page)
}

// access reads who asks for a session: the PIN (header, or the pin query
// parameter), the address and, with a Bearer token, the DJ. A token that
// is sent but not valid is an error rather than silently ignored.
func (s *Server) access(c echo.Context) (live.Access, error) {
	a := live.Access{PIN: c.Request().Header.Get("X-Session-Pin"), IP: c.RealIP()}
	if a.PIN == "" {
		a.PIN = c.QueryParam("pin")
	}
	if a.PIN != "" && !protocol.ValidPIN(a.PIN) {
		return a, apiWrongPIN
	}
	djID, err := s.optionalDJ(c)
	a.DJID = djID
	return a, err
}

// optionalDJ is the DJ of an optional "Authorization: Bearer …" on a
// public read ("" without one). A token that is sent but not valid is an
// error rather than silently ignored.
func (s *Server) optionalDJ(c echo.Context) (string, error) {
	raw, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", nil
	}
	raw = strings.TrimSpace(raw)
	if !auth.LooksLikeToken(raw) {
		return "", apiUnknownToken
	}
	dj, _, err := s.authenticate(c.Request().Context(), raw)
	if errors.Is(err, errUnknownToken) {
		return "", apiUnknownToken
	}
	if err != nil {
		return "", err
	}
	return dj.ID, nil
}

// sessionErr answers a session error, with Retry-After when it says when
// to try again.
func sessionErr(c echo.Context, pe *protocol.Error) error {
	if pe.RetryAfterS > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(pe.RetryAfterS))
	}
	return protoErr(pe)
}
