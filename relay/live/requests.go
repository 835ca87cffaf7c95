package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/pikadj/pika/relay/hub"
	"github.com/pikadj/pika/relay/internal/ratelimit"
	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// RequestLimits bound dancers' requests (relay/README.md, limits).
type RequestLimits struct {
	// Cooldown is how long a dancer waits after a request before the
	// next (default protocol.DefaultRequestCooldown).
	Cooldown time.Duration
	// PerAddress requests one address may send at once [60], one more
	// every Refill [5s]: a venue's dancers share its address.
	PerAddress int
	Refill     time.Duration
	// SearchRate is how many searches per second one address may send
	// after a burst of ten times as many [30].
	SearchRate int
	// MaxCatalogue bounds a session's catalogue (default and most:
	// protocol.MaxCatalogueTracks).
	MaxCatalogue int
}

func (l *RequestLimits) defaults() {
	if l.Cooldown <= 0 {
		l.Cooldown = protocol.DefaultRequestCooldown
	}
	if l.PerAddress <= 0 {
		l.PerAddress = 60
	}
	if l.Refill <= 0 {
		l.Refill = 5 * time.Second
	}
	if l.SearchRate <= 0 {
		l.SearchRate = 30
	}
	if l.MaxCatalogue <= 0 || l.MaxCatalogue > protocol.MaxCatalogueTracks {
		l.MaxCatalogue = protocol.MaxCatalogueTracks
	}
}

// requestLimiters are the per-address limits of requests and searches.
type requestLimiters struct {
	cfg      RequestLimits
	requests *ratelimit.Keyed
	searches *ratelimit.Keyed
}

func newRequestLimiters(cfg RequestLimits) requestLimiters {
	cfg.defaults()
	return requestLimiters{
		cfg:      cfg,
		requests: ratelimit.New(rate.Every(cfg.Refill), cfg.PerAddress),
		searches: ratelimit.New(rate.Limit(cfg.SearchRate), cfg.SearchRate*10),
	}
}

// playedFresh is how long search results trust the list of tracks played
// tonight; a request itself always reads it afresh.
const playedFresh = 5 * time.Second

// tonight is how far back the plays of the session's event count as
// played tonight.
const tonight = 12 * time.Hour

var (
	errRequestsOff    = why(perr(protocol.CodeForbidden, "this DJ is not taking requests"), protocol.ReasonRequestsOff)
	errRequestsClosed = why(perr(protocol.CodeForbidden, "requests are closed for now"), protocol.ReasonRequestsClosed)
	errNoFreeText     = why(perr(protocol.CodeForbidden, "the DJ takes requests from the list only: search for a track"), protocol.ReasonNoFreeText)
	errNoSuchTrack    = why(perr(protocol.CodeNotFound, "no such track in the DJ's request list"), protocol.ReasonNoSuchTrack)
	errRequestOpen    = why(perr(protocol.CodeLimitReached, "your request is still open: you can ask again once the DJ has played or declined it"), protocol.ReasonRequestOpen)
	errTooManyOpen    = why(perr(protocol.CodeLimitReached, fmt.Sprintf("the DJ already has %d requests waiting: try again later", protocol.MaxOpenRequests)), protocol.ReasonTooManyRequests)
	errNoSuchRequest  = perr(protocol.CodeNotFound, "no such request in this session")
	errRequestDone    = perr(protocol.CodeForbidden, "this request was already played or declined")
)

// requestBook is a room's requests: what the DJ allows, the catalogue,
// and caches of the open requests and of the tracks played tonight.
type requestBook struct {
	mu       sync.Mutex
	loaded   bool
	settings protocol.RequestSettings
	cat      *catalogue
	open     []protocol.Request
	byTrack  map[string]protocol.Request // open requests by catalogue track id
	played   map[string]time.Time        // identity → last played
	playedAt time.Time                   // when played was read
	tz       string

	// notify serialises reading and sending a change, so that pages and
	// the DJ see changes in the order they were stored.
	notify sync.Mutex
}

// dancerTopic is the broker topic of one dancer's pages in a session.
func dancerTopic(sessionID, clientID string) string { return sessionID + "/dancer/" + clientID }

// book returns the room's requests, read from the store the first time.
func (r *Room) book(ctx context.Context) (*requestBook, *protocol.Error) {
	b := &r.req
	b.mu.Lock()
	loaded := b.loaded
	b.mu.Unlock()
	if loaded {
		return b, nil
	}
	rs, err := r.m.st.RequestSettings(ctx, r.id)
	if err != nil {
		return nil, r.m.storeErr("read request settings", err)
	}
	open, err := r.m.st.OpenRequests(ctx, r.id)
	if err != nil {
		return nil, r.m.storeErr("read requests", err)
	}
	tz, err := r.m.st.SessionTimeZone(ctx, r.id)
	if err != nil {
		return nil, r.m.storeErr("read requests", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.loaded {
		b.loaded, b.settings, b.tz = true, rs, tz
		b.setOpen(open)
		if b.cat == nil {
			b.cat = newCatalogue()
		}
	}
	return b, nil
}

// setOpen replaces the cache of open requests; b.mu must be held.
func (b *requestBook) setOpen(open []protocol.Request) {
	b.open = open
	b.byTrack = make(map[string]protocol.Request, len(open))
	for _, q := range open {
		if q.TrackID != "" {
			b.byTrack[q.TrackID] = q
		}
	}
}

// dropRequests forgets the catalogue of an ended session.
func (r *Room) dropRequests() {
	r.req.mu.Lock()
	r.req.cat = newCatalogue()
	r.req.open, r.req.byTrack, r.req.played = nil, nil, nil
	r.req.mu.Unlock()
}

func (b *requestBook) status() *protocol.RequestsStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.statusLocked()
}

func (b *requestBook) statusLocked() *protocol.RequestsStatus {
	n := 0
	if b.cat != nil {
		n = len(b.cat.byID)
	}
	return &protocol.RequestsStatus{Enabled: b.settings.Enabled, Open: b.settings.Enabled && !b.settings.Paused, FreeText: b.settings.Enabled && b.settings.FreeText, Tracks: n}
}

func (b *requestBook) queue() protocol.RequestQueue {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := protocol.RequestQueue{Settings: b.settings, Requests: append([]protocol.Request{}, b.open...)}
	if b.cat != nil {
		q.Catalogue = len(b.cat.byID)
	}
	return q
}

// requestsStatus is what SESSION_STATE says of requests (nil on error:
// the page then shows none until the next REQUESTS_STATUS).
func (r *Room) requestsStatus(ctx context.Context) *protocol.RequestsStatus {
	b, pe := r.book(ctx)
	if pe != nil {
		return nil
	}
	return b.status()
}

// sendQueue sends the DJ the request queue.
func (r *Room) sendQueue(b *requestBook) {
	r.mu.Lock()
	dj := r.dj
	r.mu.Unlock()
	if dj != nil {
		dj.Deliver(hub.NewMessage(protocol.TypeRequestQueue, b.queue()))
	}
}

// requestChanged re-reads the open requests, sends the DJ the queue and
// the request's dancers their request (requestID "": none changed).
func (r *Room) requestChanged(ctx context.Context, b *requestBook, requestID string) *protocol.Error {
	b.notify.Lock()
	defer b.notify.Unlock()
	open, err := r.m.st.OpenRequests(ctx, r.id)
	if err != nil {
		return r.m.storeErr("read requests", err)
	}
	b.mu.Lock()
	b.setOpen(open)
	b.mu.Unlock()
	r.sendQueue(b)
	if requestID == "" {
		return nil
	}
	q, err := r.m.st.Request(ctx, r.id, requestID)
	if err != nil {
		return r.m.storeErr("read request", err)
	}
	askers, err := r.m.st.RequestAskers(ctx, requestID)
	if err != nil {
		return r.m.storeErr("read request", err)
	}
	for _, a := range askers {
		until := a.AskedAt.Add(r.m.reqs.cfg.Cooldown)
		r.m.broker.Publish(dancerTopic(r.id, a.ClientID), hub.NewMessage(protocol.TypeMyRequest, protocol.MyRequest{Request: &q, CooldownUntil: &until}))
	}
	return nil
}

// SendRequestQueue sends the DJ the queue, for a DJ that just registered.
func (d *DJ) SendRequestQueue(ctx context.Context) {
	if b, pe := d.r.book(ctx); pe == nil {
		d.r.sendQueue(b)
	}
}

// withBook runs one of the DJ's request commands, in order with the DJ's
// other commands, on the room's request book.
func (d *DJ) withBook(ctx context.Context, f func(r *Room, b *requestBook) *protocol.Error) *protocol.Error {
	if pe := d.begin(); pe != nil {
		return pe
	}
	defer d.r.djOps.Unlock()
	b, pe := d.r.book(ctx)
	if pe != nil {
		return pe
	}
	return f(d.r, b)
}

// RequestSettings turns requests on or off, pauses them or allows free
// text; the dancers learn it at once.
func (d *DJ) RequestSettings(ctx context.Context, rs *protocol.RequestSettings) *protocol.Error {
	return d.withBook(ctx, func(r *Room, b *requestBook) *protocol.Error {
		if err := r.m.st.SetRequestSettings(ctx, r.id, *rs); err != nil {
			return r.m.storeErr("store request settings", err)
		}
		b.mu.Lock()
		b.settings = *rs
		st := b.statusLocked()
		b.mu.Unlock()
		r.publish(protocol.TypeRequestsStatus, st)
		r.sendQueue(b)
		r.m.log.Info("request settings", "session", r.id, "enabled", rs.Enabled, "paused", rs.Paused, "freeText", rs.FreeText)
		return nil
	})
}

// Catalogue applies one chunk of the catalogue. Dancers hear of it only
// when the catalogue becomes empty or stops being so.
func (d *DJ) Catalogue(ctx context.Context, c *protocol.Catalogue) *protocol.Error {
	return d.withBook(ctx, func(r *Room, b *requestBook) *protocol.Error {
		max := r.m.reqs.cfg.MaxCatalogue
		b.mu.Lock()
		before := len(b.cat.byID)
		if c.Reset {
			b.cat = newCatalogue()
		}
		for _, id := range c.Remove {
			b.cat.remove(id)
		}
		full := false
		for _, t := range c.Tracks {
			if _, ok := b.cat.byID[t.ID]; !ok && len(b.cat.byID) >= max {
				full = true
				break
			}
			b.cat.put(t)
		}
		after := len(b.cat.byID)
		st := b.statusLocked()
		b.mu.Unlock()
		if (before == 0) != (after == 0) {
			r.publish(protocol.TypeRequestsStatus, st)
		}
		if full {
			return perr(protocol.CodeTooLarge, fmt.Sprintf("the request list holds at most %d tracks; the tracks past that were left out", max))
		}
		return nil
	})
}

// AnswerRequest accepts, declines or marks played a request.
func (d *DJ) AnswerRequest(ctx context.Context, a *protocol.AnswerRequest) *protocol.Error {
	return d.withBook(ctx, func(r *Room, b *requestBook) *protocol.Error {
		if err := r.m.st.AnswerRequest(ctx, r.id, a.RequestID, a.State, a.Reason, time.Now()); err != nil {
			switch {
			case errors.Is(err, store.ErrNotFound):
				return errNoSuchRequest
			case errors.Is(err, store.ErrRequestClosed):
				return errRequestDone
			}
			return r.m.storeErr("answer request", err)
		}
		r.m.log.Info("request answered", "session", r.id, "request", a.RequestID, "state", a.State)
		return r.requestChanged(ctx, b, a.RequestID)
	})
}

// forgetPlayed drops the cache of tracks played tonight: one was just
// played here.
func (r *Room) forgetPlayed() {
	r.req.mu.Lock()
	r.req.played = nil
	r.req.mu.Unlock()
}

// played reads which tracks were played tonight, at most playedFresh old
// unless fresh is set.
func (r *Room) played(ctx context.Context, b *requestBook, fresh bool) (map[string]time.Time, *protocol.Error) {
	b.mu.Lock()
	p, at := b.played, b.playedAt
	b.mu.Unlock()
	if p != nil && !fresh && time.Since(at) < playedFresh {
		return p, nil
	}
	now := time.Now()
	p, err := r.m.st.PlayedTonight(ctx, r.id, now.Add(-tonight))
	if err != nil {
		return nil, r.m.storeErr("read plays", err)
	}
	b.mu.Lock()
	b.played, b.playedAt = p, now
	b.mu.Unlock()
	return p, nil
}

// Search finds catalogue tracks for a dancer; an empty query lists the
// most requested open tracks. The owner relay has the catalogue.
func (d *Dancer) Search(ctx context.Context, addr string, q *protocol.SearchCatalogue) (protocol.CatalogueResults, *protocol.Error) {
	var res protocol.CatalogueResults
	pe := d.atOwner(ctx, opSearch, addr, q, &res, func() *protocol.Error {
		var pe *protocol.Error
		res, pe = d.search(ctx, addr, q)
		return pe
	})
	return res, pe
}

func (d *Dancer) search(ctx context.Context, addr string, q *protocol.SearchCatalogue) (protocol.CatalogueResults, *protocol.Error) {
	r := d.r
	if r.isEnded() {
		return protocol.CatalogueResults{}, errEnded
	}
	if !r.m.reqs.searches.Allow(addr) {
		return protocol.CatalogueResults{}, &protocol.Error{Code: protocol.CodeRateLimited, Message: "too many searches from your network; try again in a moment", RetryAfterS: 1, Reason: protocol.ReasonTooManySearches}
	}
	b, pe := r.book(ctx)
	if pe != nil {
		return protocol.CatalogueResults{}, pe
	}
	if !b.status().Enabled {
		return protocol.CatalogueResults{}, errRequestsOff
	}
	played, pe := r.played(ctx, b, false)
	if pe != nil {
		return protocol.CatalogueResults{}, pe
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := protocol.CatalogueResults{Query: q.Query, Tracks: []protocol.CatalogueHit{}, TimeZone: b.tz}
	hit := func(t protocol.CatalogueTrack, identity string) protocol.CatalogueHit {
		h := protocol.CatalogueHit{CatalogueTrack: t}
		if o, ok := b.byTrack[t.ID]; ok {
			h.RequestID, h.Requests = o.RequestID, o.Count
		}
		if at, ok := played[identity]; ok {
			h.PlayedAt = &at
		}
		return h
	}
	if q.Query == "" {
		for _, o := range b.open {
			if o.TrackID == "" || len(out.Tracks) == protocol.MaxSearchResults {
				continue
			}
			t := protocol.CatalogueTrack{ID: o.TrackID, Artist: o.Artist, Title: o.Title, BPM: o.BPM, Key: o.Key, Camelot: o.Camelot, DurationS: o.DurationS}
			out.Tracks = append(out.Tracks, hit(t, protocol.TrackIdentity(o.Artist, o.Title)))
		}
		return out, nil
	}
	found := b.cat.search(q.Query, protocol.MaxSearchResults, func(e *catEntry) int { return b.byTrack[e.t.ID].Count })
	for _, e := range found {
		out.Tracks = append(out.Tracks, hit(e.t, e.identity))
	}
	return out, nil
}

// Request records a dancer's request (a +1 when the track is already
// requested), then tells the DJ and the request's dancers.
func (d *Dancer) Request(ctx context.Context, addr string, p *protocol.RequestTrack) *protocol.Error {
	return d.atOwner(ctx, opRequest, addr, p, nil, func() *protocol.Error { return d.request(ctx, addr, p) })
}

func (d *Dancer) request(ctx context.Context, addr string, p *protocol.RequestTrack) *protocol.Error {
	r := d.r
	if r.isEnded() {
		return errEnded
	}
	b, pe := r.book(ctx)
	if pe != nil {
		return pe
	}
	b.mu.Lock()
	rs := b.settings
	var track *protocol.CatalogueTrack
	identity := ""
	if p.TrackID != "" {
		if e, ok := b.cat.byID[p.TrackID]; ok {
			t := e.t
			track, identity = &t, e.identity
		}
	}
	tz := b.tz
	b.mu.Unlock()
	switch {
	case !rs.Enabled:
		return errRequestsOff
	case rs.Paused:
		return errRequestsClosed
	case p.Text != "" && !rs.FreeText:
		return errNoFreeText
	case p.TrackID != "" && track == nil:
		return errNoSuchTrack
	}
	if !r.m.reqs.requests.Allow(addr) {
		return &protocol.Error{Code: protocol.CodeRateLimited, Message: "too many requests from your network; try again in a moment",
			RetryAfterS: int((r.m.reqs.cfg.Refill + time.Second - 1) / time.Second), Reason: protocol.ReasonRequestCooldown}
	}
	if track != nil {
		played, pe := r.played(ctx, b, true)
		if pe != nil {
			return pe
		}
		if at, ok := played[identity]; ok {
			return errPlayedTonight(track.Title, at, tz)
		}
	}
	id, err := r.m.st.AddRequest(ctx, store.NewRequest{
		SessionID: r.id, ClientID: d.clientID, Track: track, Text: p.Text, At: time.Now(),
		Cooldown: r.m.reqs.cfg.Cooldown, MaxOpen: protocol.MaxOpenRequests,
	})
	var cool *store.CooldownError
	switch {
	case errors.As(err, &cool):
		wait := time.Until(cool.Until)
		return &protocol.Error{Code: protocol.CodeRateLimited, RetryAfterS: int((wait + time.Second - 1) / time.Second), Reason: protocol.ReasonRequestCooldown,
			Message: fmt.Sprintf("one request every %s: you can ask again in %s", roundDuration(r.m.reqs.cfg.Cooldown), roundDuration(wait))}
	case errors.Is(err, store.ErrRequestOpen):
		return errRequestOpen
	case errors.Is(err, store.ErrTooManyRequests):
		return errTooManyOpen
	case err != nil:
		return r.m.storeErr("store request", err)
	}
	r.m.log.Info("request", "session", r.id, "request", id, "freeText", p.Text != "")
	return r.requestChanged(ctx, b, id)
}

// MyRequest is the dancer's latest request, for a page that just
// subscribed (nil when requests are off or the dancer never asked).
func (d *Dancer) MyRequest(ctx context.Context) *protocol.MyRequest {
	var mine *protocol.MyRequest
	if pe := d.atOwner(ctx, opMyRequest, "", nil, &mine, func() *protocol.Error {
		mine = d.myRequest(ctx)
		return nil
	}); pe != nil {
		return nil
	}
	return mine
}

func (d *Dancer) myRequest(ctx context.Context) *protocol.MyRequest {
	r := d.r
	b, pe := r.book(ctx)
	if pe != nil || !b.status().Enabled {
		return nil
	}
	q, asked, err := r.m.st.LatestRequest(ctx, r.id, d.clientID)
	if err != nil {
		r.m.log.Error("reading a dancer's request failed", "session", r.id, "err", err)
		return nil
	}
	if q == nil {
		return nil
	}
	until := asked.Add(r.m.reqs.cfg.Cooldown)
	return &protocol.MyRequest{Request: q, CooldownUntil: &until}
}

func errPlayedTonight(title string, at time.Time, tz string) *protocol.Error {
	when := ""
	if loc, err := time.LoadLocation(tz); tz != "" && err == nil {
		when = " (at " + at.In(loc).Format("15:04") + ")"
	}
	return why(perr(protocol.CodeForbidden, fmt.Sprintf("%q was already played tonight%s", title, when)), protocol.ReasonPlayedTonight)
}

// roundDuration says a wait the way a person would: "10 min", "40 s".
func roundDuration(d time.Duration) string {
	if d >= time.Minute {
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d s", max(1, int((d+time.Second-1)/time.Second)))
}
