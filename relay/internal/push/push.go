// Package push sends Web Push notifications (RFC 8030, payloads encrypted
// as RFC 8291, VAPID as RFC 8292, through webpush-go) to dancers who
// subscribed to a session or a stage: a poll started, an announcement.
// The relay's VAPID key pair is made once and kept in the database, so
// every relay on it signs alike and subscriptions survive restarts.
package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/pikadj/pika/relay/live"
	"github.com/pikadj/pika/relay/store"
)

// Config tunes the sender. Zero values get the defaults in brackets.
type Config struct {
	// Subscriber is the contact in the VAPID claim, a mailto: or https
	// URL push services may use to reach the relay's operator [the
	// relay's public URL].
	Subscriber string
	// MaxPerTarget is how many subscriptions one session or one stage
	// holds [5000].
	MaxPerTarget int
	// QueueSize is how many notices wait for a worker; past it new ones
	// are dropped (logged) rather than slow the room [256].
	QueueSize int
	// Workers send notices at once [2].
	Workers int
	// Timeout bounds one delivery to a push service [10s].
	Timeout time.Duration
	// TTL is how long push services keep an undelivered message [1h].
	TTL time.Duration
	// AllowLoopbackHTTP accepts http://127.0.0.1 endpoints: tests only.
	AllowLoopbackHTTP bool
	// HTTPClient sends the pushes [one with Timeout].
	HTTPClient *http.Client
	Logger     *slog.Logger
}

func (c *Config) defaults() {
	if c.MaxPerTarget <= 0 {
		c.MaxPerTarget = 5000
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.TTL <= 0 {
		c.TTL = time.Hour
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Sender keeps the VAPID keys and delivers notices from a bounded queue.
type Sender struct {
	cfg       Config
	st        *store.Store
	priv, pub string
	queue     chan live.Notice
	stop      context.CancelFunc
	ctx       context.Context
	wg        sync.WaitGroup
	dropped   atomic.Int64
}

// New loads (or makes and stores) the VAPID keys and starts the workers.
func New(ctx context.Context, st *store.Store, cfg Config) (*Sender, error) {
	cfg.defaults()
	priv, pub, err := st.VAPIDKeys(ctx, webpush.GenerateVAPIDKeys)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	s := &Sender{cfg: cfg, st: st, priv: priv, pub: pub, queue: make(chan live.Notice, cfg.QueueSize)}
	s.ctx, s.stop = context.WithCancel(context.Background())
	for range cfg.Workers {
		s.wg.Add(1)
		go s.work()
	}
	return s, nil
}

// PublicKey is the VAPID public key, base64url (the browser's
// applicationServerKey).
func (s *Sender) PublicKey() string { return s.pub }

// MaxPerTarget is the bound of subscriptions per session or stage.
func (s *Sender) MaxPerTarget() int { return s.cfg.MaxPerTarget }

// Close stops the workers; notices still queued are dropped.
func (s *Sender) Close() {
	s.stop()
	s.wg.Wait()
}

// Notify queues n without blocking; a full queue drops it.
func (s *Sender) Notify(n live.Notice) {
	select {
	case s.queue <- n:
	default:
		s.cfg.Logger.Warn("push queue full: notice dropped", "session", n.SessionID, "dropped", s.dropped.Add(1))
	}
}

func (s *Sender) work() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case n := <-s.queue:
			s.deliver(n)
		}
	}
}

// payload is what the service worker receives.
type payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	URL   string `json:"url"`
}

// maxBody keeps payloads well under the 4 kB push services accept.
const maxBody = 300

func (s *Sender) deliver(n live.Notice) {
	subs, err := s.st.PushSubscriptions(s.ctx, n.SessionID, n.StageID)
	if err != nil {
		s.cfg.Logger.Error("push: list subscriptions", "session", n.SessionID, "err", err)
		return
	}
	body := n.Body
	if utf8.RuneCountInString(body) > maxBody {
		body = string([]rune(body)[:maxBody-1]) + "…"
	}
	var sent, gone, failed int
	for _, sub := range subs {
		if s.ctx.Err() != nil {
			return
		}
		p := payload{Title: n.Title, Body: body, URL: n.URL}
		if sub.StageID != "" && n.StageURL != "" {
			p.URL = n.StageURL
		}
		msg, _ := json.Marshal(p)
		switch err := s.send(sub, msg); {
		case err == nil:
			sent++
		case errors.Is(err, errGone):
			gone++
			if _, err := s.st.DeletePushSubscription(s.ctx, sub.Endpoint); err != nil {
				s.cfg.Logger.Error("push: remove expired subscription", "err", err)
			}
		default:
			failed++
			// The endpoint's path is the subscription's secret: log the host only.
			s.cfg.Logger.Warn("push: delivery failed", "host", hostOf(sub.Endpoint), "err", err)
		}
	}
	s.cfg.Logger.Info("push sent", "session", n.SessionID, "sent", sent, "expired", gone, "failed", failed)
}

var errGone = errors.New("subscription expired")

func (s *Sender) send(sub store.PushSubscription, msg []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.Timeout)
	defer cancel()
	resp, err := webpush.SendNotificationWithContext(ctx, msg, &webpush.Subscription{
		Endpoint: sub.Endpoint, Keys: webpush.Keys{Auth: sub.Auth, P256dh: sub.P256dh},
	}, &webpush.Options{
		HTTPClient: s.cfg.HTTPClient, Subscriber: s.cfg.Subscriber, TTL: int(s.cfg.TTL / time.Second),
		VAPIDPublicKey: s.pub, VAPIDPrivateKey: s.priv, Urgency: webpush.UrgencyHigh,
	})
	if err != nil {
		// webpush-go's errors may quote the URL; keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return errGone
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	default:
		return fmt.Errorf("push service answered %s", resp.Status)
	}
}

func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "?"
	}
	return u.Host
}
