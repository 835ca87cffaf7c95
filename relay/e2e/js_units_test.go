package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/relaytest"
)

// evalModule runs an async JavaScript body in the page with the module at
// path imported as m, and returns its result.
func evalModule[T any](p *page, path, body string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	expr := fmt.Sprintf(`import(%q).then(async (m) => { %s })`, path, body)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fatalf("evaluate %s: %v", path, err)
	}
	return v
}

// TestReconnectBackoff checks the delays of the dancer page's reconnects:
// doubling from 0.5 s, ±25 % jitter, never under 0.5 s nor over 30 s.
func TestReconnectBackoff(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	p := b.newPage(t, "page", 390, 844)
	p.open(r.URL + "/dj/login")
	tests := []struct {
		attempt int
		random  float64
		want    int
	}{
		{0, 0, 500}, // 375 ms of jitter is raised to the 0.5 s floor
		{0, 0.5, 500},
		{0, 1, 625},
		{1, 0.5, 1000},
		{2, 0, 1500},
		{3, 0.5, 4000},
		{5, 0.5, 16000},
		{6, 0, 22500}, // 32 s capped at 30 s, then jittered
		{6, 1, 30000},
		{20, 0.5, 30000},
		{1000, 1, 30000},
	}
	for _, tc := range tests {
		got := evalModule[int](p, "/assets/js/ws.js", fmt.Sprintf(`return m.backoffDelay(%d, () => %v);`, tc.attempt, tc.random))
		if got != tc.want {
			t.Errorf("backoffDelay(%d, random %v) = %d ms, want %d", tc.attempt, tc.random, got, tc.want)
		}
	}
}

// TestOutbox checks the localStorage queue of likes and votes: stable ids,
// a newer tap on the same thing replacing the older, survival across a
// reload, and garbage in storage ignored.
func TestOutbox(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	p := b.newPage(t, "page", 390, 844)
	p.open(r.URL + "/dj/login")
	tests := []struct {
		name, body, want string
	}{
		{"empty", `localStorage.removeItem('k'); return String(new m.Outbox('k').pending.length);`, "0"},
		{"garbage in storage", `localStorage.setItem('k', '{not json'); return String(new m.Outbox('k').pending.length);`, "0"},
		{"not a list", `localStorage.setItem('k', '{"a":1}'); return String(new m.Outbox('k').pending.length);`, "0"},
		{"kept across instances", `localStorage.removeItem('k');
			const a = new m.Outbox('k'); const it = a.add('LIKE', {playId: 'p1'}, 'like:p1');
			const b = new m.Outbox('k'); return b.pending.map((x) => x.id === it.id && x.type + ' ' + x.payload.playId).join(',');`, "LIKE p1"},
		{"a newer tap replaces the older", `localStorage.removeItem('k');
			const a = new m.Outbox('k'); a.add('LIKE', {playId: 'p1'}, 'like:p1'); a.add('TEMPO_VOTE', {playId: 'p1', vote: 'faster'}, 'tempo:p1');
			a.add('UNLIKE', {playId: 'p1'}, 'like:p1');
			return a.pending.map((x) => x.type).join(',');`, "TEMPO_VOTE,UNLIKE"},
		{"ACK removes by id once", `localStorage.removeItem('k');
			const a = new m.Outbox('k'); const x = a.add('LIKE', {playId: 'p1'}, 'like:p1'); a.add('LIKE', {playId: 'p2'}, 'like:p2');
			const first = a.take(x.id) !== null, second = a.take(x.id) !== null;
			return [first, second, new m.Outbox('k').pending.length].join(',');`, "true,false,1"},
		{"ids are valid protocol ids and distinct", `localStorage.removeItem('k');
			const a = new m.Outbox('k'); const ids = new Set();
			for (let i = 0; i < 200; i++) ids.add(a.add('LIKE', {playId: 'p' + i}, 'like:p' + i).id);
			return [ids.size, [...ids].every((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id))].join(',');`, "200,true"},
		{"stale frames are dropped", `localStorage.setItem('k', JSON.stringify([{id: 'old', type: 'LIKE', payload: {playId: 'p'}, at: Date.now() - 3 * 86400000}]));
			return String(new m.Outbox('k').pending.length);`, "0"},
	}
	for _, tc := range tests {
		if got := evalModule[string](p, "/assets/js/ws.js", tc.body); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestWords checks the pages' shared wording helpers: singular for one,
// and the key written as the desktop app writes it.
func TestWords(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	p := b.newPage(t, "page", 390, 844)
	p.open(r.URL + "/dj/login")
	tests := []struct{ expr, want string }{
		{`m.plural(0, 'vote')`, "0 votes"},
		{`m.plural(1, 'vote')`, "1 vote"},
		{`m.plural(2, 'vote')`, "2 votes"},
		{`m.plural(1, 'peak dancer', 'peak dancers')`, "1 peak dancer"},
		{`m.plural(12, 'dancer')`, "12 dancers"},
		{`m.plural(undefined, 'poll')`, "0 polls"},
		{`m.keyText({key: 'A minor', camelot: '8A'})`, "8A · A minor"},
		{`m.keyText({key: 'A minor'})`, "A minor"},
		{`m.keyText({camelot: '8A'})`, "8A"},
		{`m.keyText(null)`, ""},
	}
	for _, tc := range tests {
		if got := evalModule[string](p, "/assets/js/dom.js", "return "+tc.expr+";"); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
