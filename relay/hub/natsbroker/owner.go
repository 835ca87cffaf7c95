package natsbroker

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/pikadj/pika/relay/hub"
)

// maxRequest bounds a request or reply between relays; the biggest is a
// session's state (fifty plays) or a relay's dancer list.
const maxRequest = 1 << 20

// Serve implements hub.Owners. Requests are answered concurrently, each
// on its own goroutine, as WebSocket frames are: the owner's room orders
// the writes that need it.
func (b *Broker) Serve(sessionID string, handle func(ctx context.Context, req []byte) []byte) (func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := b.nc.Subscribe(subjectIn(b.opts.OwnerPrefix, sessionID), func(msg *nats.Msg) {
		if msg.Reply == "" || len(msg.Data) > maxRequest {
			return
		}
		go func() {
			rctx, done := context.WithTimeout(ctx, b.opts.AskTimeout)
			defer done()
			if err := msg.Respond(handle(rctx, msg.Data)); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
				b.log.Warn("answering another relay failed", "session", sessionID, "err", err)
			}
		}()
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("serve session %s on NATS: %w", sessionID, err)
	}
	if b.nc.IsConnected() {
		// The relay that asks next must find this one.
		if err := b.nc.FlushTimeout(b.opts.SubscribeFlush); err != nil {
			b.log.Warn("NATS did not confirm an owner subscription in time", "session", sessionID, "err", err)
		}
	}
	return func() {
		cancel()
		if err := sub.Unsubscribe(); err != nil && b.nc.IsConnected() {
			b.log.Warn("NATS unsubscribe failed", "session", sessionID, "err", err)
		}
	}, nil
}

// Ask implements hub.Owners. With NoEcho a relay never reaches itself:
// the owner applies its own dancers' writes without asking.
func (b *Broker) Ask(ctx context.Context, sessionID string, req []byte) ([]byte, error) {
	if len(req) > maxRequest {
		return nil, fmt.Errorf("request to the owner of %s: %d bytes, over %d", sessionID, len(req), maxRequest)
	}
	actx, cancel := context.WithTimeout(ctx, b.opts.AskTimeout)
	defer cancel()
	msg, err := b.nc.RequestWithContext(actx, subjectIn(b.opts.OwnerPrefix, sessionID), req)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return nil, hub.ErrNoOwner
	case err != nil && ctx.Err() == nil && actx.Err() != nil:
		return nil, hub.ErrOwnerSilent
	}
	if err != nil {
		return nil, fmt.Errorf("request to the owner of %s: %w", sessionID, err)
	}
	return msg.Data, nil
}
