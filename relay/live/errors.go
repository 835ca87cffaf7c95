package live

import (
	"errors"
	"fmt"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// The errors live answers with, code and message in one place. They reach
// dancers and DJs as WebSocket ERROR frames and the REST API through the
// server's status table. Callers must not modify them: the server copies
// one before setting the frame id.
var (
	errNoSession   = perr(protocol.CodeNotFound, "no such session")
	errBadClientID = perr(protocol.CodeBadRequest, "clientId is not an id this relay issued for this session; subscribe to get one")
	errEnded       = perr(protocol.CodeSessionEnded, "this session has ended")
	errNoResume    = perr(protocol.CodeNotFound, "no such session to resume")
	errNotYours    = perr(protocol.CodeForbidden, "this session belongs to another DJ")
	errDJAway      = perr(protocol.CodeSessionEnded, "the session ended: its DJ was away for more than 5 minutes")
	errResumeEnded = perr(protocol.CodeSessionEnded, "the session has ended")
	errNoSuchPlay  = perr(protocol.CodeNotFound, "no such play in this session")
	errNoSuchPoll  = perr(protocol.CodeNotFound, "no such poll in this session")
	errPINNeeded   = perr(protocol.CodePINRequired, "this session needs a PIN")
	errWrongPIN    = perr(protocol.CodeForbidden, "wrong PIN")
	errRecapPIN    = perr(protocol.CodePINRequired, "this recap is private: enter the session's PIN, or sign in as its DJ")
	errRecapDJ     = perr(protocol.CodeForbidden, "this recap is private: only its DJ, signed in, can open it")
	errVoted       = perr(protocol.CodeForbidden, "you already voted in this poll")
	errPollClosed  = perr(protocol.CodeForbidden, "the poll is closed")
	errBadOption   = perr(protocol.CodeBadRequest, "the poll has no such option")
	errRestarting  = perr(protocol.CodeInternalError, "the relay is restarting; reconnect in a moment")
	errInternal    = perr(protocol.CodeInternalError, "the relay could not do that; try again")
	errMoving      = perr(protocol.CodeInternalError, "the session is moving to another relay; try again in a moment")
)

// errTooManyLive refuses a new session to a DJ account with max live ones.
func errTooManyLive(max int) *protocol.Error {
	return perr(protocol.CodeLimitReached, fmt.Sprintf("this DJ account already has %d live sessions (the most at once): end one, or resume it, before starting another", max))
}

func perr(code protocol.ErrorCode, msg string) *protocol.Error {
	return &protocol.Error{Code: code, Message: msg}
}

// why adds the reason a page says in its own words.
func why(e *protocol.Error, r protocol.ErrorReason) *protocol.Error {
	e.Reason = r
	return e
}

// storeErr maps a store error to a protocol error; op names what failed
// for a not-found and in the log.
func (m *Manager) storeErr(op string, err error) *protocol.Error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return perr(protocol.CodeNotFound, op+": not found")
	case errors.Is(err, store.ErrAlreadyVoted):
		return errVoted
	case errors.Is(err, store.ErrPollClosed):
		return errPollClosed
	case errors.Is(err, store.ErrBadOption):
		return errBadOption
	}
	m.log.Error("store operation failed", "op", op, "err", err)
	return errInternal
}
