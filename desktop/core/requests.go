package core

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pikadj/pika/desktop/assistant"
	"github.com/pikadj/pika/desktop/library"
	"github.com/pikadj/pika/desktop/livelink"
	"github.com/pikadj/pika/shared/protocol"
)

// RequestsOptions is what the DJ allows dancers to request.
type RequestsOptions struct {
	Enabled  bool
	Paused   bool // "requests are closed for now"
	FreeText bool
	// Folders limits the request list to tracks under these folders;
	// empty: the whole library.
	Folders []string
}

// RequestsChanged: the request queue or the request settings changed.
type RequestsChanged struct{}

func (RequestsChanged) isEvent() {}

// QueuedRequest is an open request with how it fits the track playing
// now.
type QueuedRequest struct {
	protocol.Request
	// BPMDelta is the request's tempo minus the current track's (nil
	// when either is unknown); KeyFit says how its key follows the
	// current one: "same key", "+1", "−1", "relative", "clash" or "".
	BPMDelta *float64
	KeyFit   string
}

// Fit is the request's fit in a few words: "+4 BPM · 8A → 9A (+1)".
func (q QueuedRequest) Fit(now *protocol.Track) string {
	var parts []string
	if q.BPMDelta != nil {
		d := math.Round(*q.BPMDelta)
		switch {
		case d == 0:
			parts = append(parts, "same tempo")
		default:
			parts = append(parts, fmt.Sprintf("%+.0f BPM", d))
		}
	}
	if q.KeyFit != "" && now != nil {
		parts = append(parts, fmt.Sprintf("%s → %s (%s)", now.Camelot, q.Camelot, q.KeyFit))
	}
	return strings.Join(parts, " · ")
}

// RequestsView is what the requests pane draws.
type RequestsView struct {
	Options RequestsOptions
	// Catalogue is how many tracks the request list holds here; Relay
	// how many the relay said it holds.
	Catalogue, Relay int
	Queue            []QueuedRequest
	NowPlaying       *protocol.Track
}

// requestsState is a live run's requests: the options, what the relay was
// sent of the catalogue, and the relay's last queue.
type requestsState struct {
	mu        sync.Mutex
	opts      RequestsOptions
	published map[string]protocol.CatalogueTrack
	queue     protocol.RequestQueue
	// reconcile: the next REQUEST_QUEUE is the first after a
	// registration; a relay that lost the catalogue (a restart) or the
	// settings (a new session) is sent them again.
	reconcile bool
	// played are the requests already marked played from here.
	played   map[string]bool
	watching bool
}

// SetRequests turns requests on or off, pauses them, allows free text and
// chooses the folders the request list comes from. Turning them on or
// changing the folders publishes the list to the relay.
func (c *Core) SetRequests(ctx context.Context, o RequestsOptions) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	o.Folders = cleanFolders(o.Folders)
	rs := &lr.reqs
	rs.mu.Lock()
	prev := rs.opts
	rs.mu.Unlock()
	if err := lr.client.SetRequestSettings(ctx, protocol.RequestSettings{Enabled: o.Enabled, Paused: o.Paused, FreeText: o.FreeText}); err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	rs.mu.Lock()
	rs.opts = o
	rs.mu.Unlock()
	if o.Enabled && (!prev.Enabled || !sameFolders(prev.Folders, o.Folders) || rs.published == nil) {
		cat, err := c.catalogue(ctx, o.Folders)
		if err != nil {
			return err
		}
		if err := lr.client.PublishCatalogue(ctx, cat); err != nil {
			return fmt.Errorf("requests: publish the request list: %w", err)
		}
		rs.mu.Lock()
		rs.published = byID(cat)
		rs.mu.Unlock()
		lr.watchLibrary()
	}
	c.hub.publish(RequestsChanged{})
	return nil
}

// Requests returns the request settings and the open requests, most asked
// for first, then oldest first, each with its fit to the track playing
// now.
func (c *Core) Requests() RequestsView {
	lr, err := c.liveRun()
	if err != nil {
		return RequestsView{}
	}
	lr.mu.Lock()
	var now *protocol.Track
	if np := lr.state.NowPlaying; np != nil {
		t := np.Track
		now = &t
	}
	lr.mu.Unlock()
	rs := &lr.reqs
	rs.mu.Lock()
	defer rs.mu.Unlock()
	v := RequestsView{Options: rs.opts, Catalogue: len(rs.published), Relay: rs.queue.Catalogue, NowPlaying: now}
	v.Options.Folders = append([]string(nil), rs.opts.Folders...)
	for _, q := range rs.queue.Requests {
		v.Queue = append(v.Queue, fitRequest(q, now))
	}
	sort.SliceStable(v.Queue, func(i, j int) bool {
		a, b := v.Queue[i], v.Queue[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
	return v
}

// AnswerRequest accepts, declines (with an optional reason the dancers
// see) or marks played a request.
func (c *Core) AnswerRequest(ctx context.Context, requestID, state, reason string) error {
	lr, err := c.liveRun()
	if err != nil {
		return err
	}
	a := protocol.AnswerRequest{RequestID: requestID, State: state, Reason: reason}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("the answer cannot be sent: %w", err)
	}
	if state == protocol.RequestPlayed {
		lr.reqs.mu.Lock()
		if lr.reqs.played == nil {
			lr.reqs.played = map[string]bool{}
		}
		lr.reqs.played[requestID] = true
		lr.reqs.mu.Unlock()
	}
	return lr.client.AnswerRequest(ctx, a)
}

// requestEvent keeps the requests in step with the relay: the queue it
// sends, and what it must be sent again after a registration.
func (lr *liveRun) requestEvent(ctx context.Context, ev livelink.Event) {
	rs := &lr.reqs
	switch e := ev.(type) {
	case livelink.Registered:
		rs.mu.Lock()
		rs.reconcile = true
		rs.mu.Unlock()
	case livelink.RequestQueue:
		rs.mu.Lock()
		rs.queue = e.RequestQueue
		again := rs.reconcile && rs.opts.Enabled
		rs.reconcile = false
		o := rs.opts
		var cat []protocol.CatalogueTrack
		if again && e.Catalogue != len(rs.published) {
			cat = catalogueList(rs.published)
		}
		settingsDiffer := again && e.Settings != (protocol.RequestSettings{Enabled: o.Enabled, Paused: o.Paused, FreeText: o.FreeText})
		rs.mu.Unlock()
		if settingsDiffer {
			if err := lr.client.SetRequestSettings(ctx, protocol.RequestSettings{Enabled: o.Enabled, Paused: o.Paused, FreeText: o.FreeText}); err != nil {
				slog.Warn("requests: cannot send the settings again", "err", err)
			}
		}
		if cat != nil {
			if err := lr.client.PublishCatalogue(ctx, cat); err != nil {
				slog.Warn("requests: cannot publish the request list again", "err", err)
			}
		}
		lr.core.hub.publish(RequestsChanged{})
	}
}

// requestPlayed marks played the open request of a track the watcher saw
// played: the same library track, or the same artist and title.
func (lr *liveRun) requestPlayed(ctx context.Context, np NowPlaying) {
	rs := &lr.reqs
	id := ""
	if np.LibraryID != 0 {
		id = strconv.FormatInt(np.LibraryID, 10)
	}
	identity := protocol.TrackIdentity(np.Track.Artist, np.Track.Title)
	rs.mu.Lock()
	var hits []string
	for _, q := range rs.queue.Requests {
		if q.Text != "" || rs.played[q.RequestID] {
			continue
		}
		if (id != "" && q.TrackID == id) || protocol.TrackIdentity(q.Artist, q.Title) == identity {
			hits = append(hits, q.RequestID)
		}
	}
	if len(hits) > 0 && rs.played == nil {
		rs.played = map[string]bool{}
	}
	for _, h := range hits {
		rs.played[h] = true
	}
	rs.mu.Unlock()
	for _, h := range hits {
		if err := lr.client.AnswerRequest(ctx, protocol.AnswerRequest{RequestID: h, State: protocol.RequestPlayed}); err != nil {
			slog.Warn("requests: cannot mark a request played", "err", err)
		}
	}
}

// watchLibrary keeps the published list up to date as the library
// changes, until the run ends: changes are gathered for a few seconds and
// sent as one update.
func (lr *liveRun) watchLibrary() {
	rs := &lr.reqs
	rs.mu.Lock()
	if rs.watching {
		rs.mu.Unlock()
		return
	}
	rs.watching = true
	rs.mu.Unlock()
	c := lr.core
	events, stop := c.hub.subscribe()
	go func() {
		defer stop()
		var due <-chan time.Time
		for {
			select {
			case <-lr.done:
				return
			case <-c.ctx.Done():
				return
			case e := <-events:
				if _, ok := e.(LibraryChanged); ok && due == nil {
					due = time.After(catalogueSettle)
				}
			case <-due:
				due = nil
				if err := lr.refreshCatalogue(c.ctx); err != nil && c.ctx.Err() == nil {
					slog.Warn("requests: cannot update the request list", "err", err)
				}
			}
		}
	}()
}

// catalogueSettle gathers library changes (an import, an analysis run)
// before the request list is updated.
const catalogueSettle = 3 * time.Second

// refreshCatalogue sends the relay what changed in the request list.
func (lr *liveRun) refreshCatalogue(ctx context.Context) error {
	rs := &lr.reqs
	rs.mu.Lock()
	o, old := rs.opts, rs.published
	rs.mu.Unlock()
	if !o.Enabled {
		return nil
	}
	cat, err := lr.core.catalogue(ctx, o.Folders)
	if err != nil {
		return err
	}
	now := byID(cat)
	var (
		put    []protocol.CatalogueTrack
		remove []string
	)
	for _, t := range cat {
		if was, ok := old[t.ID]; !ok || !sameCatalogueTrack(was, t) {
			put = append(put, t)
		}
	}
	for id := range old {
		if _, ok := now[id]; !ok {
			remove = append(remove, id)
		}
	}
	sort.Strings(remove)
	if err := lr.client.UpdateCatalogue(ctx, put, remove); err != nil {
		return err
	}
	rs.mu.Lock()
	rs.published = now
	rs.mu.Unlock()
	if len(put) > 0 || len(remove) > 0 {
		lr.core.hub.publish(RequestsChanged{})
	}
	return nil
}

// catalogue lists the library's tracks under folders (all of them when
// none) as the relay's request list: ids, names and numbers, never paths.
func (c *Core) catalogue(ctx context.Context, folders []string) ([]protocol.CatalogueTrack, error) {
	const page = 2000
	var out []protocol.CatalogueTrack
	for off := 0; len(out) < protocol.MaxCatalogueTracks; off += page {
		tracks, err := c.lib.List(ctx, library.Filter{Limit: page, Offset: off})
		if err != nil {
			return nil, fmt.Errorf("requests: read the library: %w", err)
		}
		for _, t := range tracks {
			if !underAny(t.Path, folders) {
				continue
			}
			if ct, ok := catalogueTrack(t); ok && len(out) < protocol.MaxCatalogueTracks {
				out = append(out, ct)
			}
		}
		if len(tracks) < page {
			break
		}
	}
	return out, nil
}

func catalogueTrack(t library.Track) (protocol.CatalogueTrack, bool) {
	p := t.Protocol()
	ct := protocol.CatalogueTrack{
		ID: strconv.FormatInt(t.ID, 10), Artist: protocol.CleanText(p.Artist, protocol.SingleLine), Title: protocol.CleanText(p.Title, protocol.SingleLine),
		BPM: p.BPM, Key: p.Key, Camelot: p.Camelot, DurationS: p.DurationS,
	}
	if ct.Validate() != nil {
		// Numbers the relay would refuse must not cost the track its place.
		ct.BPM, ct.Key, ct.Camelot, ct.DurationS = nil, "", "", nil
		if ct.Validate() != nil {
			return ct, false
		}
	}
	return ct, true
}

func underAny(path string, folders []string) bool {
	if len(folders) == 0 {
		return true
	}
	for _, f := range folders {
		if rel, err := filepath.Rel(f, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}

func cleanFolders(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, filepath.Clean(f))
		}
	}
	sort.Strings(out)
	return out
}

func sameFolders(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func byID(cat []protocol.CatalogueTrack) map[string]protocol.CatalogueTrack {
	m := make(map[string]protocol.CatalogueTrack, len(cat))
	for _, t := range cat {
		m[t.ID] = t
	}
	return m
}

func catalogueList(m map[string]protocol.CatalogueTrack) []protocol.CatalogueTrack {
	out := make([]protocol.CatalogueTrack, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sameCatalogueTrack(a, b protocol.CatalogueTrack) bool {
	eq := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.ID == b.ID && a.Artist == b.Artist && a.Title == b.Title && a.Key == b.Key && a.Camelot == b.Camelot && eq(a.BPM, b.BPM) && eq(a.DurationS, b.DurationS)
}

// fitRequest rates a request against the track playing now.
func fitRequest(q protocol.Request, now *protocol.Track) QueuedRequest {
	out := QueuedRequest{Request: q}
	if now == nil {
		return out
	}
	if q.BPM != nil && now.BPM != nil {
		d := *q.BPM - *now.BPM
		out.BPMDelta = &d
	}
	out.KeyFit = camelotFit(now.Camelot, q.Camelot)
	return out
}

// camelotFit says how key b follows key a on the Camelot wheel.
func camelotFit(a, b string) string {
	na, la, okA := splitCamelot(a)
	nb, lb, okB := splitCamelot(b)
	if !okA || !okB {
		return ""
	}
	step := (nb - na + 12) % 12
	switch {
	case step == 0 && la == lb:
		return "same key"
	case step == 0:
		return "relative"
	case la == lb && step == 1:
		return "+1"
	case la == lb && step == 11:
		return "−1"
	}
	return "clash"
}

func splitCamelot(s string) (int, byte, bool) {
	if len(s) < 2 {
		return 0, 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	l := s[len(s)-1]
	if err != nil || n < 1 || n > 12 || (l != 'A' && l != 'B') {
		return 0, 0, false
	}
	return n, l, true
}

// OpenRequests are the requests waiting or accepted, for the assistant's
// suggestions (a track of the catalogue, with how many asked for it).
func (c *Core) OpenRequests() []assistant.Request {
	var out []assistant.Request
	for _, q := range c.Requests().Queue {
		if q.Text != "" && q.TrackID == "" {
			continue // free text names no track
		}
		id, _ := strconv.ParseInt(q.TrackID, 10, 64)
		out = append(out, assistant.Request{TrackID: id, Artist: q.Artist, Title: q.Title, Count: q.Count})
	}
	return out
}
