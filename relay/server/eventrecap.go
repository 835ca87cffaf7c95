package server

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// eventPlays answers GET /api/events/:id/plays for the event's DJs and
// organizers: what was played, by whom, where and when, so the app can
// warn before a repeat.
func (s *Server) eventPlays(c echo.Context) error {
	ev, _ := currentEvent(c)
	plays, pe := s.live.EventPlays(c.Request().Context(), ev.ID)
	if pe != nil {
		return protoErr(pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, plays)
}

func (s *Server) eventDashboard(c echo.Context) error {
	ev, _ := currentEvent(c)
	d, pe := s.live.Dashboard(c.Request().Context(), ev)
	if pe != nil {
		return protoErr(pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, d)
}

// eventRecap answers GET /api/events/:id/recap for anyone; with an
// organizer's token it is the full view.
func (s *Server) eventRecap(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchEvent
	}
	ev, err := s.store.Event(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiNoSuchEvent
	}
	if err != nil {
		return err
	}
	djID, err := s.optionalDJ(c)
	if err != nil {
		return err
	}
	full := false
	if djID != "" {
		role, err := s.store.Role(ctx, ev.ID, djID)
		if err != nil {
			return err
		}
		full = role == protocol.RoleOrganizer
	}
	rc, pe := s.live.EventRecap(ctx, ev, full)
	if pe != nil {
		return protoErr(pe)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, rc)
}

// exportCSVHeader names the columns of the event export.
var exportCSVHeader = []string{"started_at", "ended_at", "stage", "dj", "set_id", "artist", "title", "bpm", "key", "camelot", "energy", "likes", "tempo_faster", "tempo_perfect", "tempo_slower"}

// eventExport answers GET /api/events/:id/export.csv and export.json for
// the organizers: every play with its times (UTC, RFC 3339), DJ, stage,
// likes and tempo votes.
func (s *Server) eventExport(format string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ev, _ := currentEvent(c)
		plays, pe := s.live.EventPlays(c.Request().Context(), ev.ID)
		if pe != nil {
			return protoErr(pe)
		}
		name := exportName(ev) + "." + format
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		c.Response().Header().Set("Cache-Control", "no-store")
		if format == "json" {
			return c.JSON(http.StatusOK, plays)
		}
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := csv.NewWriter(c.Response())
		_ = w.Write(exportCSVHeader)
		num := func(v *float64, prec int) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', prec, 64)
		}
		for _, p := range plays {
			ended := ""
			if p.EndedAt != nil {
				ended = p.EndedAt.UTC().Format(time.RFC3339)
			}
			var t protocol.TempoTally
			if p.Tempo != nil {
				t = *p.Tempo
			}
			_ = w.Write([]string{p.StartedAt.UTC().Format(time.RFC3339), ended, csvSafe(p.StageName), csvSafe(p.DJName), p.SessionID,
				csvSafe(p.Track.Artist), csvSafe(p.Track.Title), num(p.Track.BPM, 1), p.Track.Key, p.Track.Camelot, num(p.Track.Energy, 0),
				strconv.Itoa(p.Likes), strconv.Itoa(t.Faster), strconv.Itoa(t.Perfect), strconv.Itoa(t.Slower)})
		}
		w.Flush()
		return w.Error()
	}
}

// csvSafe keeps a spreadsheet from running a cell as a formula: text
// from DJ software tags is outside input.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportName is a file name from the event's name and first day.
func exportName(ev store.Event) string {
	return "pika-" + asciiWords(ev.Name, 0) + "-" + ev.StartsOn
}
