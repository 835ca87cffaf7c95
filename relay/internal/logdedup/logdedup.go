// Package logdedup keeps a flood of one error from drowning the log: a
// slog.Handler wrapper that writes the first of identical records (same
// level, message and attributes) at once, counts the repeats for a window,
// then writes one record "… (repeated N times in the last 60 s)". A disk
// that fills up or a database that goes read-only would otherwise log one
// line per request.
package logdedup

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"
)

// Options configures New.
type Options struct {
	// Window is how long repeats are counted before their summary (default
	// one minute).
	Window time.Duration
	// MinLevel is the lowest level folded (default slog.LevelWarn); request
	// lines and other info records pass through untouched.
	MinLevel slog.Level
	// MaxKeys bounds how many distinct records are tracked at once
	// (default 1000); beyond it records pass through.
	MaxKeys int
}

// Handler is the wrapper; see the package comment.
type Handler struct {
	inner  slog.Handler
	prefix string // attributes and groups added with WithAttrs/WithGroup
	st     *state
}

type state struct {
	opts Options
	mu   sync.Mutex
	seen map[string]*entry
}

type entry struct {
	h     slog.Handler // the handler the first record went to
	rec   slog.Record  // the first record, for the summary's attributes
	first time.Time
	count int // repeats suppressed since first
	timer *time.Timer
}

// New wraps inner.
func New(inner slog.Handler, o Options) *Handler {
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 1000
	}
	if o.MinLevel == 0 {
		o.MinLevel = slog.LevelWarn
	}
	return &Handler{inner: inner, st: &state{opts: o, seen: map[string]*entry{}}}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	b.WriteString(h.prefix)
	for _, a := range as {
		writeAttr(&b, a)
	}
	return &Handler{inner: h.inner.WithAttrs(as), prefix: b.String(), st: h.st}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), prefix: h.prefix + "[" + name + "]", st: h.st}
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.st.opts.MinLevel {
		return h.inner.Handle(ctx, r)
	}
	key := h.key(r)
	st := h.st
	st.mu.Lock()
	if e, ok := st.seen[key]; ok {
		e.count++
		st.mu.Unlock()
		return nil
	}
	if len(st.seen) < st.opts.MaxKeys {
		e := &entry{h: h.inner, rec: r.Clone(), first: time.Now()}
		st.seen[key] = e
		e.timer = time.AfterFunc(st.opts.Window, func() { st.flushKey(key, e) })
	}
	st.mu.Unlock()
	return h.inner.Handle(ctx, r)
}

// Flush writes the summary of every record repeated so far and forgets
// them; the relay calls it when it stops.
func (h *Handler) Flush() {
	st := h.st
	st.mu.Lock()
	var due []*entry
	for k, e := range st.seen {
		e.timer.Stop()
		delete(st.seen, k)
		due = append(due, e)
	}
	st.mu.Unlock()
	for _, e := range due {
		e.summarise()
	}
}

func (st *state) flushKey(key string, e *entry) {
	st.mu.Lock()
	if st.seen[key] != e {
		st.mu.Unlock()
		return
	}
	delete(st.seen, key)
	st.mu.Unlock()
	e.summarise()
}

// summarise writes "msg (repeated N times in the last S s)" with the first
// record's attributes, when there were repeats.
func (e *entry) summarise() {
	if e.count == 0 {
		return
	}
	secs := max(1, int(math.Ceil(time.Since(e.first).Seconds())))
	r := slog.NewRecord(time.Now(), e.rec.Level, fmt.Sprintf("%s (repeated %d times in the last %d s)", e.rec.Message, e.count, secs), 0)
	e.rec.Attrs(func(a slog.Attr) bool { r.AddAttrs(a); return true })
	r.AddAttrs(slog.Int("repeated", e.count))
	_ = e.h.Handle(context.Background(), r)
}

// key identifies identical records: level, message and every attribute,
// the handler's own included, but not the time.
func (h *Handler) key(r slog.Record) string {
	var b strings.Builder
	b.WriteString(h.prefix)
	b.WriteString("|")
	b.WriteString(r.Level.String())
	b.WriteString("|")
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, a)
		return true
	})
	return b.String()
}

func writeAttr(b *strings.Builder, a slog.Attr) {
	b.WriteString("\x1f")
	b.WriteString(a.Key)
	b.WriteString("=")
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		b.WriteString("{")
		for _, g := range v.Group() {
			writeAttr(b, g)
		}
		b.WriteString("}")
		return
	}
	b.WriteString(v.String())
}
