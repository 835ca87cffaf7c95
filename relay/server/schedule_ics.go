package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/internal/ical"
	"github.com/pikadj/pika/shared/protocol"
)

// stageCalendar answers GET /api/stages/:slug/schedule.ics: the stage's
// published schedule (as GET /api/stages/:slug shows it) as a calendar
// feed, one event per set, at most protocol.MaxScheduleSlots.
func (s *Server) stageCalendar(c echo.Context) error {
	slug := c.Param("slug")
	if !protocol.ValidSlug(slug) {
		return apiNoSuchStage
	}
	st, pe := s.live.StageBySlug(c.Request().Context(), slug)
	if pe != nil {
		return protoErr(pe)
	}
	info, pe := s.live.StageInfo(c.Request().Context(), st)
	if pe != nil {
		return protoErr(pe)
	}
	host := "pika"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := ical.Calendar{ProdID: "-//Pika!//Stage schedule//EN", Name: info.Event.Name + " · " + info.Stage.Name}
	for _, sl := range info.Schedule {
		uid := sl.ID
		if uid == "" {
			uid = st.ID + "-" + strconv.FormatInt(sl.StartsAt.Unix(), 10)
		}
		cal.Events = append(cal.Events, ical.Event{
			UID:   "slot-" + uid + "@" + host,
			Start: sl.StartsAt, End: sl.EndsAt,
			Summary:  sl.DJName + " · " + info.Stage.Name,
			Location: info.Stage.Name + ", " + info.Event.Name,
			URL:      info.Stage.URL,
		})
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Disposition", `inline; filename="`+slug+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", cal.Encode(time.Now()))
}
