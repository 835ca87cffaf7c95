package server

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"github.com/pikadj/pika/relay/internal/auth"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// inviteLifetime is how long an invitation link can be accepted.
const inviteLifetime = 14 * 24 * time.Hour

// eventRoutes serves /api/events (organizers' and DJs' view of events),
// /api/invites and the public /api/stages/:slug.
func (s *Server) eventRoutes(api *echo.Group) {
	org := func(h echo.HandlerFunc) echo.HandlerFunc { return s.requireDJ(s.inEvent(protocol.RoleOrganizer, h)) }
	member := func(h echo.HandlerFunc) echo.HandlerFunc { return s.requireDJ(s.inEvent(protocol.RoleDJ, h)) }
	api.POST("/events", s.createEvent, s.requireDJ)
	api.GET("/events", s.myEvents, s.requireDJ)
	api.GET("/events/:id", member(s.getEvent))
	api.PUT("/events/:id", org(s.updateEvent))
	api.GET("/events/:id/logo", s.getLogo)
	api.PUT("/events/:id/logo", org(s.putLogo))
	api.DELETE("/events/:id/logo", org(s.deleteLogo))
	api.GET("/events/:id/members", member(s.eventMembers))
	api.DELETE("/events/:id/members/:djId", org(s.removeMember))
	api.POST("/events/:id/stages", org(s.createStage))
	api.PUT("/events/:id/stages/:stageId", org(s.updateStage))
	api.DELETE("/events/:id/stages/:stageId", org(s.deleteStage))
	api.GET("/events/:id/stages/:stageId/schedule", member(s.getSchedule))
	api.PUT("/events/:id/stages/:stageId/schedule", org(s.putSchedule))
	api.GET("/events/:id/invites", org(s.listInvites))
	api.POST("/events/:id/invites", org(s.createInvite))
	api.DELETE("/events/:id/invites/:inviteId", org(s.revokeInvite))
	api.GET("/events/:id/announcements", org(s.eventAnnouncements))
	api.POST("/events/:id/announcements", org(s.announceEvent))
	api.DELETE("/events/:id/announcements/:annId", org(s.clearEventAnnouncement))
	api.GET("/events/:id/plays", member(s.eventPlays))
	api.GET("/events/:id/dashboard", org(s.eventDashboard))
	api.GET("/events/:id/recap", s.eventRecap)
	api.GET("/events/:id/export.csv", org(s.eventExport("csv")))
	api.GET("/events/:id/export.json", org(s.eventExport("json")))
	api.POST("/invites/accept", s.acceptInvite, s.requireDJ)
	api.GET("/stages/:slug", s.stageInfo)
	api.GET("/stages/:slug/qr.svg", s.stageQR)
	api.GET("/stages/:slug/schedule.ics", s.stageCalendar, s.limitReads)
}

// inEvent loads the event named in the path and lets through members with
// at least the given role (an organizer is also a DJ of the event). To
// anyone else the event does not exist, so ids cannot be probed.
func (s *Server) inEvent(min protocol.EventRole, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Param("id")
		if !protocol.ValidID(id) {
			return apiNoSuchEvent
		}
		dj, _ := currentDJ(c)
		role, err := s.store.Role(c.Request().Context(), id, dj.ID)
		if err != nil {
			return err
		}
		switch {
		case role == "":
			return apiNoSuchEvent
		case min == protocol.RoleOrganizer && role != protocol.RoleOrganizer:
			return apiOrganizersOnly
		}
		ev, err := s.store.Event(c.Request().Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return apiNoSuchEvent
		}
		if err != nil {
			return err
		}
		c.Set("event", ev)
		c.Set("role", role)
		return next(c)
	}
}

func currentEvent(c echo.Context) (store.Event, protocol.EventRole) {
	return c.Get("event").(store.Event), c.Get("role").(protocol.EventRole)
}

// eventView is the API view of an event with its stages.
func (s *Server) eventView(c echo.Context, ev store.Event, role protocol.EventRole) (protocol.Event, error) {
	return s.live.EventView(c.Request().Context(), ev, role)
}

// stageURL is a stage's permanent dancer link.
func (s *Server) stageURL(slug string) string { return s.live.StageURL(slug) }

// cleanEvent validates an event request and cleans its name.
func cleanEvent(c echo.Context) (protocol.EventRequest, error) {
	var req protocol.EventRequest
	if err := decodeJSON(c, &req); err != nil {
		return req, err
	}
	name, err := auth.CleanName("name", req.Name, protocol.MaxEventNameLen)
	if err != nil {
		return req, badRequest(err.Error())
	}
	req.Name = name
	if err := req.Validate(); err != nil {
		return req, badRequest(err.Error())
	}
	return req, nil
}

func (s *Server) createEvent(c echo.Context) error {
	dj, _ := currentDJ(c)
	req, err := cleanEvent(c)
	if err != nil {
		return err
	}
	ev, err := s.store.CreateEvent(c.Request().Context(), dj.ID, req)
	if err != nil {
		return err
	}
	s.log.Info("event created", "event", ev.ID, "dj", dj.ID)
	view, err := s.eventView(c, ev, protocol.RoleOrganizer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, view)
}

func (s *Server) myEvents(c echo.Context) error {
	dj, _ := currentDJ(c)
	list, err := s.store.EventsOf(c.Request().Context(), dj.ID)
	if err != nil {
		return err
	}
	out := make([]protocol.Event, 0, len(list))
	for _, e := range list {
		v, err := s.eventView(c, e.Event, e.Role)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getEvent(c echo.Context) error {
	ev, role := currentEvent(c)
	v, err := s.eventView(c, ev, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) updateEvent(c echo.Context) error {
	ev, role := currentEvent(c)
	req, err := cleanEvent(c)
	if err != nil {
		return err
	}
	if err := s.store.UpdateEvent(c.Request().Context(), ev.ID, req); err != nil {
		return err
	}
	ev.Name, ev.StartsOn, ev.EndsOn, ev.TimeZone, ev.Accent = req.Name, req.StartsOn, req.EndsOn, req.TimeZone, req.Accent
	v, err := s.eventView(c, ev, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// logoTypes are the image formats a logo may have: what every phone
// browser shows and what the sniffer recognises.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true, "image/gif": true}

func (s *Server) putLogo(c echo.Context) error {
	ev, _ := currentEvent(c)
	body := http.MaxBytesReader(c.Response(), c.Request().Body, protocol.MaxLogoBytes)
	data, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apiLogoTooLarge
	}
	if err != nil {
		return badRequest("could not read the image: " + err.Error())
	}
	typ := http.DetectContentType(data)
	if len(data) == 0 || !logoTypes[typ] {
		return apiLogoType
	}
	if err := s.store.SetLogo(c.Request().Context(), ev.ID, typ, data); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) deleteLogo(c echo.Context) error {
	ev, _ := currentEvent(c)
	if err := s.store.SetLogo(c.Request().Context(), ev.ID, "", nil); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// getLogo serves an event's logo to anyone: it is printed on QR cards and
// shown on stage pages.
func (s *Server) getLogo(c echo.Context) error {
	id := c.Param("id")
	if !protocol.ValidID(id) {
		return apiNoSuchEvent
	}
	typ, data, err := s.store.Logo(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return apiNoLogo
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'")
	return c.Blob(http.StatusOK, typ, data)
}

func (s *Server) eventMembers(c echo.Context) error {
	ev, _ := currentEvent(c)
	list, err := s.store.Members(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) removeMember(c echo.Context) error {
	ev, _ := currentEvent(c)
	djID := c.Param("djId")
	if !protocol.ValidID(djID) {
		return apiNoSuchMember
	}
	err := s.store.RemoveMember(c.Request().Context(), ev.ID, djID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apiNoSuchMember
	case errors.Is(err, store.ErrLastOrganizer):
		return apiLastOrganizer
	case err != nil:
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// cleanStage validates a stage request; an empty slug on creation is made
// from the name.
func cleanStage(c echo.Context, creating bool) (protocol.StageRequest, error) {
	var req protocol.StageRequest
	if err := decodeJSON(c, &req); err != nil {
		return req, err
	}
	name, err := auth.CleanName("name", req.Name, protocol.MaxStageNameLen)
	if err != nil {
		return req, badRequest(err.Error())
	}
	req.Name = name
	if req.Slug == "" && creating {
		req.Slug = slugFrom(name)
	}
	if !protocol.ValidSlug(req.Slug) {
		return req, apiBadSlug
	}
	return req, nil
}

// slugFrom makes a link from a stage name ("Sala główna" →
// "sala-glowna-…") with a random tail so that "Main room" at two events
// does not collide.
func slugFrom(name string) string {
	w := asciiWords(name, 28)
	if w != "" {
		w += "-"
	}
	return w + store.NewID()[:6]
}

// asciiWords writes s for a link or a file name: lowercase letters
// without accents and digits, every other run as one hyphen, cut after
// max bytes (0: no cut).
func asciiWords(s string, max int) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		t, ok := slugLetters[r]
		if !ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			t, ok = string(r), true
		}
		if !ok {
			hyphen = true
			continue
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteString(t)
		if max > 0 && b.Len() >= max {
			break
		}
	}
	return b.String()
}

// slugLetters are the Latin letters that do not decompose into a base
// letter and an accent.
var slugLetters = map[rune]string{'ł': "l", 'ø': "o", 'ß': "ss", 'đ': "d", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d", 'ı': "i"}

func (s *Server) stageError(err error) error {
	switch {
	case errors.Is(err, store.ErrSlugTaken):
		return apiSlugTaken
	case errors.Is(err, store.ErrTooManyStages):
		return apiTooManyStages
	case errors.Is(err, store.ErrStageUsed):
		return apiStageUsed
	case errors.Is(err, store.ErrNotFound):
		return apiNoSuchStage
	}
	return err
}

func (s *Server) createStage(c echo.Context) error {
	ev, _ := currentEvent(c)
	req, err := cleanStage(c, true)
	if err != nil {
		return err
	}
	st, err := s.store.CreateStage(c.Request().Context(), ev.ID, req.Name, req.Slug)
	if err != nil {
		return s.stageError(err)
	}
	st.URL = s.stageURL(st.Slug)
	return c.JSON(http.StatusCreated, st)
}

// eventStage is the stage named in the path, which must belong to the
// event of the path.
func (s *Server) eventStage(c echo.Context) (protocol.Stage, error) {
	ev, _ := currentEvent(c)
	id := c.Param("stageId")
	if !protocol.ValidID(id) {
		return protocol.Stage{}, apiNoSuchStage
	}
	st, err := s.store.Stage(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && st.EventID != ev.ID) {
		return protocol.Stage{}, apiNoSuchStage
	}
	return st, err
}

func (s *Server) updateStage(c echo.Context) error {
	st, err := s.eventStage(c)
	if err != nil {
		return err
	}
	req, err := cleanStage(c, false)
	if err != nil {
		return err
	}
	if err := s.store.UpdateStage(c.Request().Context(), st.EventID, st.ID, req.Name, req.Slug); err != nil {
		return s.stageError(err)
	}
	st.Name, st.Slug, st.URL = req.Name, req.Slug, s.stageURL(req.Slug)
	return c.JSON(http.StatusOK, st)
}

func (s *Server) deleteStage(c echo.Context) error {
	st, err := s.eventStage(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteStage(c.Request().Context(), st.EventID, st.ID); err != nil {
		return s.stageError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) getSchedule(c echo.Context) error {
	st, err := s.eventStage(c)
	if err != nil {
		return err
	}
	slots, err := s.store.Schedule(c.Request().Context(), st.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, protocol.ScheduleRequest{Slots: slots})
}

func (s *Server) putSchedule(c echo.Context) error {
	st, err := s.eventStage(c)
	if err != nil {
		return err
	}
	var req protocol.ScheduleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return badRequest(err.Error())
	}
	members, err := s.store.Members(c.Request().Context(), st.EventID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, m := range members {
		names[m.DJID] = m.DisplayName
	}
	for i := range req.Slots {
		sl := &req.Slots[i]
		if sl.DJID != "" {
			name, ok := names[sl.DJID]
			if !ok {
				return badRequest("slots: djId " + sl.DJID + " is not a DJ of this event; invite them first or give only djName")
			}
			if strings.TrimSpace(sl.DJName) == "" {
				sl.DJName = name
			}
		}
		if sl.DJName, err = auth.CleanName("djName", sl.DJName, auth.MaxNameLen); err != nil {
			return badRequest("slots: " + err.Error())
		}
		sl.StartsAt, sl.EndsAt = sl.StartsAt.UTC().Truncate(time.Second), sl.EndsAt.UTC().Truncate(time.Second)
	}
	if err := s.store.SetSchedule(c.Request().Context(), st.ID, req.Slots); err != nil {
		return err
	}
	return s.getSchedule(c)
}

func (s *Server) listInvites(c echo.Context) error {
	ev, _ := currentEvent(c)
	list, err := s.store.Invites(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) createInvite(c echo.Context) error {
	ev, _ := currentEvent(c)
	dj, _ := currentDJ(c)
	var req protocol.InviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	label, err := auth.CleanName("label", req.Label, protocol.MaxInviteLabelLen)
	if err != nil {
		return badRequest(err.Error())
	}
	switch req.Role {
	case "":
		req.Role = protocol.RoleDJ
	case protocol.RoleDJ, protocol.RoleOrganizer:
	default:
		return badRequest("role must be dj or organizer")
	}
	raw := protocol.InvitePrefix + strings.TrimPrefix(auth.NewToken(), protocol.TokenPrefix)
	inv, err := s.store.CreateInvite(c.Request().Context(), ev.ID, dj.ID, label, req.Role, auth.HashToken(raw), time.Now().Add(inviteLifetime))
	if err != nil {
		return err
	}
	inv.Token = raw
	inv.URL = s.cfg.PublicURL + "/invite#" + raw
	s.log.Info("invite created", "event", ev.ID, "invite", inv.ID)
	return c.JSON(http.StatusCreated, inv)
}

func (s *Server) revokeInvite(c echo.Context) error {
	ev, _ := currentEvent(c)
	id := c.Param("inviteId")
	if !protocol.ValidID(id) {
		return apiNoSuchInvite
	}
	err := s.store.RevokeInvite(c.Request().Context(), ev.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return apiNoSuchInvite
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// acceptRequest is the body of POST /api/invites/accept.
type acceptRequest struct {
	Token string `json:"token"`
}

func (s *Server) acceptInvite(c echo.Context) error {
	dj, _ := currentDJ(c)
	var req acceptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	raw := strings.TrimSpace(req.Token)
	if !strings.HasPrefix(raw, protocol.InvitePrefix) || len(raw) > 100 {
		return apiNoSuchInvite
	}
	eventID, err := s.store.AcceptInvite(c.Request().Context(), auth.HashToken(raw), dj.ID, time.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apiNoSuchInvite
	case errors.Is(err, store.ErrInviteUsed):
		return apiInviteUsed
	case errors.Is(err, store.ErrInviteExpired):
		return apiInviteExpired
	case err != nil:
		return err
	}
	ev, err := s.store.Event(c.Request().Context(), eventID)
	if err != nil {
		return err
	}
	role, err := s.store.Role(c.Request().Context(), eventID, dj.ID)
	if err != nil {
		return err
	}
	s.log.Info("invite accepted", "event", eventID, "dj", dj.ID)
	v, err := s.eventView(c, ev, role)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// stageInfo answers GET /api/stages/:slug for anyone: what a stage page
// shows between and during sets.
func (s *Server) stageInfo(c echo.Context) error {
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
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, info)
}

func (s *Server) announceEvent(c echo.Context) error {
	ev, _ := currentEvent(c)
	dj, _ := currentDJ(c)
	var req protocol.EventAnnouncementRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return badRequest(err.Error())
	}
	a, pe := s.live.AnnounceEvent(c.Request().Context(), ev, dj.ID, &req)
	if pe != nil {
		return protoErr(pe)
	}
	return c.JSON(http.StatusCreated, a)
}

func (s *Server) eventAnnouncements(c echo.Context) error {
	ev, _ := currentEvent(c)
	list, err := s.store.EventAnnouncements(c.Request().Context(), ev.ID, "", time.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) clearEventAnnouncement(c echo.Context) error {
	ev, _ := currentEvent(c)
	id := c.Param("annId")
	if !protocol.ValidID(id) {
		return protoErr(&protocol.Error{Code: protocol.CodeNotFound, Message: "no such running announcement"})
	}
	if pe := s.live.ClearEventAnnouncement(c.Request().Context(), ev, id); pe != nil {
		return protoErr(pe)
	}
	return c.NoContent(http.StatusNoContent)
}
