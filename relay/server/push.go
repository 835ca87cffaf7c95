package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/relay/internal/clientaddr"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

var (
	apiPushOff        = echo.NewHTTPError(http.StatusNotFound, "this relay does not send push notifications")
	apiPushTooMany    = echo.NewHTTPError(http.StatusTooManyRequests, "too many push subscriptions from your address; wait a minute and try again")
	apiPushTarget     = echo.NewHTTPError(http.StatusBadRequest, "give exactly one of sessionId and stageSlug")
	apiPushEnded      = echo.NewHTTPError(http.StatusConflict, "the session has ended: nothing more to notify")
	apiPushFull       = echo.NewHTTPError(http.StatusConflict, "this session or stage has as many push subscriptions as the relay keeps; in-page notifications still work")
	apiPushNoEndpoint = echo.NewHTTPError(http.StatusBadRequest, "give the endpoint of the subscription to remove")
)

// pushSubscription is the body of POST /api/push/subscriptions: the
// browser's PushSubscription.toJSON() with the session or stage it is for.
type pushSubscription struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"` // sent by browsers, unused
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	SessionID string `json:"sessionId"`
	StageSlug string `json:"stageSlug"`
}

// pushKey answers the VAPID public key (base64url), the page's
// applicationServerKey.
func (s *Server) pushKey(c echo.Context) error {
	if s.cfg.Push == nil {
		return apiPushOff
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, map[string]string{"publicKey": s.cfg.Push.PublicKey()})
}

func (s *Server) limitPush(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.pushLim.Allow(clientaddr.FromString(c.RealIP())) {
			return refuse(c, apiPushTooMany, time.Duration(float64(time.Second)/float64(s.cfg.PushRate)))
		}
		return next(c)
	}
}

func (s *Server) subscribePush(c echo.Context) error {
	if s.cfg.Push == nil {
		return apiPushOff
	}
	var b pushSubscription
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if (b.SessionID == "") == (b.StageSlug == "") {
		return apiPushTarget
	}
	if err := s.cfg.Push.Check(b.Endpoint, b.Keys.P256dh, b.Keys.Auth); err != nil {
		return badRequest("push subscription refused: " + err.Error())
	}
	ctx := c.Request().Context()
	sub := store.PushSubscription{Endpoint: b.Endpoint, P256dh: b.Keys.P256dh, Auth: b.Keys.Auth}
	if b.SessionID != "" {
		if !protocol.ValidID(b.SessionID) {
			return apiNoSuchSession
		}
		sess, err := s.store.Session(ctx, b.SessionID)
		if errors.Is(err, store.ErrNotFound) {
			return apiNoSuchSession
		}
		if err != nil {
			return err
		}
		if !sess.Live() {
			return apiPushEnded
		}
		sub.SessionID = sess.ID
	} else {
		st, err := s.store.StageBySlug(ctx, b.StageSlug)
		if errors.Is(err, store.ErrNotFound) {
			return apiNoSuchStage
		}
		if err != nil {
			return err
		}
		sub.StageID = st.ID
	}
	err := s.store.SavePushSubscription(ctx, sub, s.cfg.Push.MaxPerTarget())
	if errors.Is(err, store.ErrTooManyPushSubscriptions) {
		return apiPushFull
	}
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusCreated)
}

func (s *Server) unsubscribePush(c echo.Context) error {
	if s.cfg.Push == nil {
		return apiPushOff
	}
	var b struct {
		Endpoint string `json:"endpoint"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Endpoint == "" || len(b.Endpoint) > 1024 {
		return apiPushNoEndpoint
	}
	if _, err := s.store.DeletePushSubscription(c.Request().Context(), b.Endpoint); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
