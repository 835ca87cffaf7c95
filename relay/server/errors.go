package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/pikadj/pika/shared/protocol"
)

// The errors of both surfaces, each with its code or status and message,
// in one place. Messages tell the client what to do; handlers return these
// rather than writing their own. Session errors (no such session, wrong
// PIN, session ended…) come from package live as *protocol.Error and
// reach REST through statusOf.

// REST errors, answered as {"error": message} by errorHandler. Validation
// messages that name the field at fault go through badRequest.
var (
	apiBodyTooLarge   = echo.NewHTTPError(http.StatusRequestEntityTooLarge, "request body is too large")
	apiBodyNotObject  = echo.NewHTTPError(http.StatusBadRequest, "request body must be a JSON object with the documented fields")
	apiBodyNotOne     = echo.NewHTTPError(http.StatusBadRequest, "request body must hold one JSON object")
	apiWrongLogin     = echo.NewHTTPError(http.StatusUnauthorized, "wrong email or password")
	apiTokenRequired  = echo.NewHTTPError(http.StatusUnauthorized, "a DJ token is required (Authorization: Bearer pk_dj_…)")
	apiUnknownToken   = echo.NewHTTPError(http.StatusUnauthorized, "unknown or revoked token")
	apiNoSuchToken    = echo.NewHTTPError(http.StatusNotFound, "no such token")
	apiNoSuchSession  = echo.NewHTTPError(http.StatusNotFound, "no such session")
	apiBadClientID    = echo.NewHTTPError(http.StatusBadRequest, "clientId must be the id the relay issued (SESSION_STATE's clientId); leave it out to read without one")
	apiWrongPIN       = echo.NewHTTPError(http.StatusForbidden, "wrong PIN")
	apiNoSuchEndpoint = echo.NewHTTPError(http.StatusNotFound, "no such API endpoint")
	apiTooManyTries   = echo.NewHTTPError(http.StatusTooManyRequests, "too many attempts; wait a little and try again")
	apiMetricsToken   = echo.NewHTTPError(http.StatusUnauthorized, "metrics need the metrics token")
	apiRestarting     = echo.NewHTTPError(http.StatusServiceUnavailable, "the relay is restarting")
	apiInternal       = echo.NewHTTPError(http.StatusInternalServerError, "internal error")

	// Connection and request limits (limits.go); sent with Retry-After.
	apiTooManyConnsAddr = echo.NewHTTPError(http.StatusTooManyRequests, "too many connections from your address; close some pages and try again")
	apiTooManyConns     = echo.NewHTTPError(http.StatusServiceUnavailable, "the relay is at its connection limit; try again in a minute")
	apiTooManyReads     = echo.NewHTTPError(http.StatusTooManyRequests, "too many requests from your address; wait a few seconds and try again")
	apiBadPlaysLimit    = echo.NewHTTPError(http.StatusBadRequest, "limit must be a whole number from 1 to 200")
	apiCardsBusy        = echo.NewHTTPError(http.StatusServiceUnavailable, "the relay is drawing many cards at once; try again in a few seconds")
)

// badRequest is a 400 whose message names what is wrong with the input.
func badRequest(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }

// statusOf is the HTTP status of each protocol error code; any other code
// is a 500.
var statusOf = map[protocol.ErrorCode]int{
	protocol.CodeBadRequest:   http.StatusBadRequest,
	protocol.CodeUnauthorized: http.StatusUnauthorized,
	protocol.CodeForbidden:    http.StatusForbidden,
	protocol.CodeNotFound:     http.StatusNotFound,
	protocol.CodeRateLimited:  http.StatusTooManyRequests,
	protocol.CodeTooLarge:     http.StatusRequestEntityTooLarge,
	protocol.CodeSessionEnded: http.StatusGone,
	protocol.CodeLimitReached: http.StatusTooManyRequests,
	protocol.CodePINRequired:  http.StatusForbidden,
	protocol.CodePINLocked:    http.StatusTooManyRequests,
}

func statusFor(code protocol.ErrorCode) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// protoErr answers a REST request with a protocol error, its code and
// retry time in the body too.
func protoErr(e *protocol.Error) error {
	return echo.NewHTTPError(statusFor(e.Code), protocol.APIError{Error: e.Message, Code: e.Code, RetryAfterS: e.RetryAfterS})
}

// WebSocket errors, sent as ERROR frames with the id of the frame they
// answer (see conn.fail).
var (
	wsNotText         = &protocol.Error{Code: protocol.CodeBadRequest, Message: "frames are JSON text"}
	wsTooMany         = &protocol.Error{Code: protocol.CodeRateLimited, Message: "too many messages; slow down"}
	wsUnsupported     = &protocol.Error{Code: protocol.CodeBadRequest, Message: "unsupported message"}
	wsOnlyDJ          = &protocol.Error{Code: protocol.CodeForbidden, Message: "only the session's DJ can do that"}
	wsRegisterFirst   = &protocol.Error{Code: protocol.CodeUnauthorized, Message: "send REGISTER_SESSION with a DJ token first"}
	wsDJCannotReact   = &protocol.Error{Code: protocol.CodeForbidden, Message: "the DJ's connection cannot like or vote"}
	wsSubscribeFirst  = &protocol.Error{Code: protocol.CodeBadRequest, Message: "send SUBSCRIBE first"}
	wsIsDancers       = &protocol.Error{Code: protocol.CodeForbidden, Message: "this connection is a dancer's"}
	wsIsDJs           = &protocol.Error{Code: protocol.CodeForbidden, Message: "this connection is the DJ's"}
	wsUnknownToken    = &protocol.Error{Code: protocol.CodeUnauthorized, Message: "unknown or revoked token"}
	wsTokenCheck      = &protocol.Error{Code: protocol.CodeInternalError, Message: "could not check the token; try again"}
	wsTokenRevoked    = &protocol.Error{Code: protocol.CodeUnauthorized, Message: protocol.MsgTokenRevoked} // sent without an id, then close 4003
	wsTooManyRegs     = &protocol.Error{Code: protocol.CodeRateLimited, Message: "too many REGISTER_SESSION for this DJ account; wait a minute and try again"}
	wsTooManySessions = &protocol.Error{Code: protocol.CodeForbidden, Message: "this connection has joined too many sessions; open a new one"}
)

// errUnknownToken is authenticate's answer for a token that is not (or no
// longer) valid; each surface turns it into its own error.
var errUnknownToken = errors.New("unknown or revoked token")

// Event errors (REST).
var (
	apiNoSuchEvent    = echo.NewHTTPError(http.StatusNotFound, "no such event, or you are not one of its organizers or DJs")
	apiOrganizersOnly = echo.NewHTTPError(http.StatusForbidden, "only the event's organizers can do that")
	apiNoSuchStage    = echo.NewHTTPError(http.StatusNotFound, "no such stage")
	apiBadSlug        = echo.NewHTTPError(http.StatusBadRequest, "slug must be 3 to 40 lowercase letters, digits or inner hyphens (it becomes /s/SLUG)")
	apiSlugTaken      = echo.NewHTTPError(http.StatusConflict, "that stage link is already taken; choose another slug")
	apiTooManyStages  = echo.NewHTTPError(http.StatusConflict, fmt.Sprintf("an event has at most %d stages", protocol.MaxStagesPerEvent))
	apiStageUsed      = echo.NewHTTPError(http.StatusConflict, "sets were played on this stage, so it stays; rename it instead")
	apiNoSuchMember   = echo.NewHTTPError(http.StatusNotFound, "no such organizer or DJ in this event")
	apiLastOrganizer  = echo.NewHTTPError(http.StatusConflict, "an event keeps at least one organizer; invite another organizer first")
	apiNoSuchInvite   = echo.NewHTTPError(http.StatusNotFound, "this invitation link is not valid (it may have been revoked); ask the organizer for a new one")
	apiInviteUsed     = echo.NewHTTPError(http.StatusConflict, "this invitation was already accepted by another account; ask the organizer for your own link")
	apiInviteExpired  = echo.NewHTTPError(http.StatusGone, "this invitation has expired; ask the organizer for a new one")
	apiLogoTooLarge   = echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the logo is too large (at most 256 KB)")
	apiLogoType       = echo.NewHTTPError(http.StatusUnsupportedMediaType, "the logo must be a PNG, JPEG, WebP or GIF image")
	apiNoLogo         = echo.NewHTTPError(http.StatusNotFound, "this event has no logo")
)
