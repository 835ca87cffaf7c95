package server

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/internal/card"
	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
	"github.com/pikadj/pika/webclient"
)

// cardCacheSize bounds the rendered cards kept in memory (some 30 to 80
// KB each). Renders take turns (card.Render), so a burst of crawlers
// costs one core at most, and at most card.MaxPending wait (then 503).
const cardCacheSize = 256

// shareRoutes serves the recap cards and the recap pages with their Open
// Graph tags filled in: crawlers do not run the pages' scripts, so the
// title and picture have to be in the HTML the relay serves.
func (s *Server) shareRoutes(e *echo.Echo, api *echo.Group) {
	api.GET("/sessions/:id/card.png", s.sessionCard, s.limitReads)
	api.GET("/events/:id/card.png", s.eventCard, s.limitReads)
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		e.Add(m, "/recap/:id", s.recapPage, s.limitReads)
		e.Add(m, "/events/:id/recap", s.eventRecapPage, s.limitReads)
	}
}

// sessionCard answers GET /api/sessions/:id/card.png with the same access
// rules as the recap it shows.
func (s *Server) sessionCard(c echo.Context) error {
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
	// Open to anyone as live.recapOpen decides; otherwise only the PIN or
	// the DJ saw it, and no shared cache may keep it.
	open := rc.Session.PublicRecap
	if rc.Session.Live {
		open = !rc.Session.Protected
	}
	cacheCtl := "private, no-store"
	switch {
	case open && rc.Session.Live:
		cacheCtl = "no-cache"
	case open:
		cacheCtl = "public, max-age=86400" // an ended set's card never changes
	}
	return s.sendCard(c, sessionCardOf(rc), cacheCtl)
}

// eventCard answers GET /api/events/:id/card.png: the public event recap's
// picture.
func (s *Server) eventCard(c echo.Context) error {
	rc, err := s.publicEventRecap(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.sendCard(c, eventCardOf(rc), "public, max-age=600")
}

func (s *Server) publicEventRecap(c echo.Context, id string) (protocol.EventRecap, error) {
	ctx := c.Request().Context()
	if !protocol.ValidID(id) {
		return protocol.EventRecap{}, apiNoSuchEvent
	}
	ev, err := s.store.Event(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return protocol.EventRecap{}, apiNoSuchEvent
	}
	if err != nil {
		return protocol.EventRecap{}, err
	}
	rc, pe := s.live.EventRecap(ctx, ev, false)
	if pe != nil {
		return protocol.EventRecap{}, protoErr(pe)
	}
	return rc, nil
}

func (s *Server) sendCard(c echo.Context, cd card.Card, cacheCtl string) error {
	png, err := s.cards.PNG(cd)
	if errors.Is(err, card.ErrBusy) {
		c.Response().Header().Set("Retry-After", "5")
		return apiCardsBusy
	}
	if err != nil {
		return fmt.Errorf("render card: %w", err)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cacheCtl)
	h.Set("ETag", `"`+cd.Key()+`"`)
	h.Set(echo.HeaderContentType, "image/png")
	http.ServeContent(c.Response(), c.Request(), "card.png", time.Time{}, bytes.NewReader(png))
	return nil
}

func cardDate(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

func sessionCardOf(rc protocol.Recap) card.Card {
	cd := card.Card{Kind: "Set recap", Title: rc.Session.Name, DJ: rc.Session.DJName, Date: cardDate(rc.Session.StartedAt)}
	top := slices.Clone(rc.Plays)
	slices.SortStableFunc(top, func(a, b protocol.RecapPlay) int { return cmp.Compare(b.Likes, a.Likes) })
	for _, p := range top[:min(len(top), card.MaxTracks)] {
		cd.Tracks = append(cd.Tracks, card.Track{Artist: p.Track.Artist, Title: p.Track.Title, Likes: p.Likes})
	}
	for _, p := range rc.Plays {
		if p.Track.BPM != nil {
			cd.BPMs = append(cd.BPMs, *p.Track.BPM)
		}
	}
	return cd
}

func eventCardOf(rc protocol.EventRecap) card.Card {
	cd := card.Card{Kind: "Event recap", Title: rc.Event.Name, Accent: rc.Event.Accent, Date: rc.Event.StartsOn}
	if rc.Event.EndsOn != "" && rc.Event.EndsOn != rc.Event.StartsOn {
		cd.Date += " – " + rc.Event.EndsOn
	}
	var djs []string
	var busiest []protocol.EventPlay
	for _, st := range rc.Stages {
		for _, set := range st.Sets {
			if set.DJName != "" && !slices.Contains(djs, set.DJName) {
				djs = append(djs, set.DJName)
			}
		}
		if len(st.Plays) > len(busiest) {
			busiest = st.Plays
		}
	}
	cd.DJ = strings.Join(djs, ", ")
	for _, p := range rc.TopTracks[:min(len(rc.TopTracks), card.MaxTracks)] {
		cd.Tracks = append(cd.Tracks, card.Track{Artist: p.Track.Artist, Title: p.Track.Title, Likes: p.Likes})
	}
	// The BPM line of the stage with the most public plays: stages
	// interleaved would draw a saw.
	for _, p := range busiest {
		if p.Track.BPM != nil {
			cd.BPMs = append(cd.BPMs, *p.Track.BPM)
		}
	}
	return cd
}

// ogTags are the Open Graph values a recap page is served with.
type ogTags struct{ title, image string }

// recapPage serves /recap/:id with the set's name and card for crawlers
// when its recap is public; a private recap keeps the generic tags, so a
// link reveals nothing without the PIN.
func (s *Server) recapPage(c echo.Context) error {
	tags := ogTags{title: "Session recap on Pika!", image: s.cfg.PublicURL + "/assets/img/og.png"}
	if id := c.Param("id"); protocol.ValidID(id) {
		rc, pe := s.live.Recap(c.Request().Context(), id, live.Access{IP: c.RealIP()})
		if pe == nil {
			tags = ogTags{title: rc.Session.Name + " — " + rc.Session.DJName + " · Pika!", image: s.cfg.PublicURL + "/api/sessions/" + id + "/card.png"}
		}
	}
	return s.servePage(c, "recap.html", "Session recap on Pika!", tags)
}

// eventRecapPage serves /events/:id/recap with the event's name and card.
func (s *Server) eventRecapPage(c echo.Context) error {
	tags := ogTags{title: "Event recap on Pika!", image: s.cfg.PublicURL + "/assets/img/og.png"}
	if id := c.Param("id"); protocol.ValidID(id) {
		if ev, err := s.store.Event(c.Request().Context(), id); err == nil {
			tags = ogTags{title: ev.Name + " · Pika!", image: s.cfg.PublicURL + "/api/events/" + id + "/card.png"}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return s.servePage(c, "event-recap.html", "Event recap on Pika!", tags)
}

const defaultOGImage = `<meta property="og:image" content="/assets/img/og.png">`

// servePage serves an embedded page with its og:title and og:image
// replaced. The page's own tags are matched exactly, so a page that
// changes them fails the share tests rather than losing the card.
func (s *Server) servePage(c echo.Context, name, defTitle string, tags ogTags) error {
	page, err := fs.ReadFile(webclient.FS(), name)
	if err != nil {
		return fmt.Errorf("read page %s: %w", name, err)
	}
	out := strings.Replace(string(page), `<meta property="og:title" content="`+defTitle+`">`,
		`<meta property="og:title" content="`+html.EscapeString(tags.title)+`">`, 1)
	out = strings.Replace(out, defaultOGImage,
		`<meta property="og:image" content="`+html.EscapeString(tags.image)+`">`+"\n"+
			`<meta property="og:image:width" content="1200">`+"\n"+
			`<meta property="og:image:height" content="630">`+"\n"+
			`<meta name="twitter:card" content="summary_large_image">`, 1)
	sum := sha256.Sum256([]byte(out))
	h := c.Response().Header()
	h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	h.Set("Cache-Control", "no-cache")
	h.Set(echo.HeaderContentType, "text/html; charset=utf-8")
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, strings.NewReader(out))
	return nil
}
