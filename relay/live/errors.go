package live

import (
	"errors"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

var errEnded = perr(protocol.CodeSessionEnded, "this session has ended")

func perr(code protocol.ErrorCode, msg string) *protocol.Error {
	return &protocol.Error{Code: code, Message: msg}
}

var errInternal = perr(protocol.CodeInternalError, "the relay could not do that; try again")

// storeErr maps a store error to a protocol error.
func (m *Manager) storeErr(op string, err error) *protocol.Error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return perr(protocol.CodeNotFound, op+": not found")
	case errors.Is(err, store.ErrAlreadyVoted):
		return perr(protocol.CodeForbidden, "you already voted in this poll")
	case errors.Is(err, store.ErrPollClosed):
		return perr(protocol.CodeForbidden, "the poll is closed")
	case errors.Is(err, store.ErrBadOption):
		return perr(protocol.CodeBadRequest, "the poll has no such option")
	}
	m.log.Error("store operation failed", "op", op, "err", err)
	return errInternal
}

var errRestarting = perr(protocol.CodeInternalError, "the relay is restarting; reconnect in a moment")
