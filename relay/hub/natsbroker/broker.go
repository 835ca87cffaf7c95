// Package natsbroker is the hub.Broker of several relays: broadcasts go
// to this relay's own subscribers at once, through a hub.Local (so each is
// framed once per relay), and to the other relays over NATS, one subject
// per topic. A relay subscribes to a topic's subject when its first local
// subscriber arrives and unsubscribes with the last.
//
// Delivery is at most once: a broadcast published while NATS is
// unreachable reaches only this relay's subscribers (the reconnecting
// client buffers a bounded amount, then drops). NATS must be private to
// the relays: whoever can publish on it can broadcast to every dancer.
//
// Broker is also the relays' hub.Owners: a request to a session's owner
// is a NATS request on the session's owner subject, which only the owner
// relay subscribes to (owner.go).
package natsbroker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/pikadj/pika/relay/hub"
)

// Options configure a Broker; zero fields get the defaults.
type Options struct {
	// URL of the NATS server(s), comma separated; credentials may be in
	// it (nats://user:pass@host:4222) and are never logged.
	URL string
	// Name identifies this relay's connection in NATS monitoring.
	Name string
	// Prefix starts every broadcast subject ["pika.session."].
	Prefix string
	// OwnerPrefix starts the subjects of requests to a session's owner
	// relay ["pika.owner."].
	OwnerPrefix string
	// AskTimeout bounds one request to an owner relay [5 s].
	AskTimeout time.Duration
	// QueueSize is how many broadcasts may wait to be handed to NATS
	// [8192]; past it they reach this relay's subscribers only.
	QueueSize int
	// PendingMsgs and PendingBytes bound what one topic's subscription
	// holds before this relay hands it to its subscribers [4096, 8 MB];
	// past them NATS drops messages and the drop is logged.
	PendingMsgs, PendingBytes int
	// ReconnectBuffer bounds what is kept for NATS while reconnecting
	// [8 MB].
	ReconnectBuffer int
	// ReconnectWait is the pause between reconnect attempts [1 s]; the
	// client retries forever.
	ReconnectWait time.Duration
	// PingInterval and MaxPingsOut detect a dead NATS connection [5 s, 2].
	PingInterval time.Duration
	MaxPingsOut  int
	// SubscribeFlush bounds how long a new subscription waits for NATS to
	// confirm it, so a broadcast sent right after reaches it [2 s].
	SubscribeFlush time.Duration
	Logger         *slog.Logger
}

func (o *Options) defaults() {
	if o.Prefix == "" {
		o.Prefix = "pika.session."
	}
	if o.OwnerPrefix == "" {
		o.OwnerPrefix = "pika.owner."
	}
	if o.AskTimeout <= 0 {
		o.AskTimeout = 5 * time.Second
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 8192
	}
	if o.PendingMsgs <= 0 {
		o.PendingMsgs = 4096
	}
	if o.PendingBytes <= 0 {
		o.PendingBytes = 8 << 20
	}
	if o.ReconnectBuffer <= 0 {
		o.ReconnectBuffer = 8 << 20
	}
	if o.ReconnectWait <= 0 {
		o.ReconnectWait = time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 5 * time.Second
	}
	if o.MaxPingsOut <= 0 {
		o.MaxPingsOut = 2
	}
	if o.SubscribeFlush <= 0 {
		o.SubscribeFlush = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Broker implements hub.Broker over NATS.
type Broker struct {
	opts  Options
	log   *slog.Logger
	nc    *nats.Conn
	local *hub.Local

	mu     sync.RWMutex
	topics map[string]*remote

	// qmu guards closing the queue against Publish sending on it.
	qmu    sync.RWMutex
	closed bool
	queue  chan outgoing
	sent   chan struct{} // closed when the sender has stopped
	full   sync.Once     // the first overflow is logged at once
}

// Connect connects to NATS. A server that cannot be reached at start is
// an error (a wrong URL should not look like a working relay); once
// connected, the client reconnects forever.
func Connect(opts Options) (*Broker, error) {
	opts.defaults()
	if opts.URL == "" {
		return nil, errors.New("natsbroker: no NATS URL")
	}
	b := &Broker{
		opts: opts, log: opts.Logger, local: hub.NewLocal(), topics: map[string]*remote{},
		queue: make(chan outgoing, opts.QueueSize), sent: make(chan struct{}),
	}
	nc, err := nats.Connect(opts.URL,
		nats.Name(opts.Name),
		// This relay's subscribers got its broadcasts from Publish
		// directly; NATS must not hand them back.
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(opts.ReconnectWait),
		nats.ReconnectBufSize(opts.ReconnectBuffer),
		nats.PingInterval(opts.PingInterval),
		nats.MaxPingsOutstanding(opts.MaxPingsOut),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.log.Warn("NATS disconnected: broadcasts reach only this relay's clients until it reconnects", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("NATS reconnected", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ClosedHandler(func(*nats.Conn) { b.log.Info("NATS connection closed") }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				b.log.Warn("NATS subscription error: broadcasts from other relays were dropped", "subject", sub.Subject, "err", err)
				return
			}
			b.log.Warn("NATS error", "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS: %w", err)
	}
	b.nc = nc
	go b.send()
	b.log.Info("NATS connected", "server", nc.ConnectedUrlRedacted(), "prefix", opts.Prefix)
	return b, nil
}

// Subscribers counts a topic's subscribers on this relay.
func (b *Broker) Subscribers(topic string) int { return b.local.Subscribers(topic) }

// Close hands NATS the broadcasts still queued, waiting at most until ctx
// ends, and closes the connection. Publish afterwards reaches this relay's
// subscribers only.
func (b *Broker) Close(ctx context.Context) error {
	b.qmu.Lock()
	if b.closed {
		b.qmu.Unlock()
		return nil
	}
	b.closed = true
	close(b.queue)
	b.qmu.Unlock()
	var err error
	select {
	case <-b.sent:
		// While reconnecting there is nothing to flush to: what is
		// buffered is lost with the connection.
		if b.nc.IsConnected() {
			if ferr := b.nc.FlushWithContext(ctx); ferr != nil {
				err = fmt.Errorf("flush NATS: %w", ferr)
			}
		}
	case <-ctx.Done():
		err = fmt.Errorf("broadcasts still queued for NATS: %w", ctx.Err())
	}
	b.nc.Close()
	return err
}
