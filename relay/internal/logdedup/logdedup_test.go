package logdedup

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines is a concurrency-safe buffer of JSON log lines.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) records(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, ln := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if ln == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ln), &m); err != nil {
			t.Fatalf("bad log line %q: %v", ln, err)
		}
		out = append(out, m)
	}
	return out
}

func newLogger(o Options) (*slog.Logger, *Handler, *lines) {
	out := &lines{}
	h := New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}), o)
	return slog.New(h), h, out
}

func TestRepeatsFoldIntoOneSummary(t *testing.T) {
	tests := []struct {
		name      string
		log       func(*slog.Logger)
		wantLines []string // messages, in order, before Flush
		wantAfter []string // messages added by Flush
	}{
		{
			name: "identical errors",
			log: func(l *slog.Logger) {
				for range 1234 {
					l.Error("health check failed", "err", errors.New("disk full"))
				}
			},
			wantLines: []string{"health check failed"},
			wantAfter: []string{"health check failed (repeated 1233 times in the last 1 s)"},
		},
		{
			name: "different attributes are different records",
			log: func(l *slog.Logger) {
				l.Error("store operation failed", "op", "like")
				l.Error("store operation failed", "op", "play")
				l.Error("store operation failed", "op", "like")
			},
			wantLines: []string{"store operation failed", "store operation failed"},
			wantAfter: []string{"store operation failed (repeated 1 times in the last 1 s)"},
		},
		{
			name: "levels differ",
			log: func(l *slog.Logger) {
				l.Warn("x")
				l.Error("x")
			},
			wantLines: []string{"x", "x"},
		},
		{
			name: "info passes through",
			log: func(l *slog.Logger) {
				for range 3 {
					l.Info("request", "path", "/")
				}
			},
			wantLines: []string{"request", "request", "request"},
		},
		{
			name: "handler attributes are part of the record",
			log: func(l *slog.Logger) {
				l.With("session", "a").Error("failed")
				l.With("session", "b").Error("failed")
				l.With("session", "a").Error("failed")
			},
			wantLines: []string{"failed", "failed"},
			wantAfter: []string{"failed (repeated 1 times in the last 1 s)"},
		},
		{
			name: "groups are part of the record",
			log: func(l *slog.Logger) {
				l.WithGroup("g").Error("failed", "k", 1)
				l.Error("failed", "k", 1)
			},
			wantLines: []string{"failed", "failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, h, out := newLogger(Options{Window: time.Hour})
			tt.log(l)
			if got := messages(out.records(t)); !equal(got, tt.wantLines) {
				t.Fatalf("before flush: %q, want %q", got, tt.wantLines)
			}
			h.Flush()
			got := messages(out.records(t))[len(tt.wantLines):]
			if !equal(got, tt.wantAfter) {
				t.Fatalf("flush wrote %q, want %q", got, tt.wantAfter)
			}
		})
	}
}

func TestSummaryKeepsAttributesAndCount(t *testing.T) {
	l, h, out := newLogger(Options{Window: time.Hour})
	for range 5 {
		l.With("component", "store").Error("write failed", "err", "database or disk is full")
	}
	h.Flush()
	recs := out.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d lines, want 2: %v", len(recs), recs)
	}
	s := recs[1]
	if s["err"] != "database or disk is full" || s["component"] != "store" || s["repeated"] != float64(4) || s["level"] != "ERROR" {
		t.Fatalf("summary %v lacks the first record's attributes or count", s)
	}
}

// The summary comes by itself once the window ends, and the next repeat
// after it is logged again.
func TestWindowEnds(t *testing.T) {
	l, _, out := newLogger(Options{Window: 50 * time.Millisecond})
	for range 10 {
		l.Error("boom")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(out.records(t)) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no summary after the window: %v", out.records(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.Error("boom")
	got := messages(out.records(t))
	want := []string{"boom", "boom (repeated 9 times in the last 1 s)", "boom"}
	if !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestMaxKeysPassesThrough(t *testing.T) {
	l, _, out := newLogger(Options{Window: time.Hour, MaxKeys: 2})
	for range 3 {
		l.Error("a")
		l.Error("b")
		l.Error("c") // untracked: every one is written
	}
	got := messages(out.records(t))
	want := []string{"a", "b", "c", "c", "c"}
	if !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	l, h, out := newLogger(Options{Window: time.Hour})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				l.Error("same")
			}
		})
	}
	wg.Wait()
	h.Flush()
	got := messages(out.records(t))
	want := []string{"same", "same (repeated 3999 times in the last 1 s)"}
	if !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func messages(recs []map[string]any) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r["msg"].(string))
	}
	return out
}

func equal(a, b []string) bool {
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
