package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const (
	chromiumPath = "/usr/bin/chromium"
	// waitTimeout bounds every wait for a page condition. Conditions are
	// polled; nothing sleeps for a fixed time.
	waitTimeout = 20 * time.Second
)

// requireChromium skips the test when Debian's chromium is missing on a
// developer's machine, and fails it on CI, where it must be installed.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" {
			t.Fatalf("CI needs %s for the browser tests (Debian package chromium): %v", chromiumPath, err)
		}
		t.Skipf("%s not found; install Debian's chromium package to run the browser tests", chromiumPath)
	}
}

// outputDir is where screenshots go: $PIKA_TEST_OUTPUT, else a temp dir.
func outputDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PIKA_TEST_OUTPUT")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create PIKA_TEST_OUTPUT %s: %v", dir, err)
	}
	return dir
}

type browser struct {
	ctx context.Context
}

// newBrowser starts one headless Chromium with a fresh profile; it is
// closed when the test ends.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	requireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Several dancers' tabs run at once: none of them may be throttled
		// as a background tab.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return &browser{ctx: ctx}
}

// page is one tab in its own browser context: its own localStorage, so
// its own dancer (client id).
type page struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu       sync.Mutex
	problems []string
}

func (b *browser) newPage(t *testing.T, name string, width, height int64) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	p := &page{t: t, name: name, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		cancel()
		t.Fatalf("%s: open tab: %v", name, err)
	}
	// Uncaught exceptions and CSP violations are bugs in the pages.
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Refused to") {
				p.mu.Lock()
				p.problems = append(p.problems, m.String())
				p.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, msg := range p.problems {
			t.Errorf("%s: browser console: %s", name, msg)
		}
	})
	return p
}

func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	body, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.pathname + "\n" + (document.body ? document.body.innerText : "")`))
	if len(body) > 2000 {
		body = body[:2000] + "…"
	}
	p.t.Fatalf("%s: %s\n--- page text ---\n%s", p.name, fmt.Sprintf(format, args...), body)
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

func (p *page) open(url string) {
	p.t.Helper()
	p.do("open "+url, chromedp.Navigate(url))
}

// waitJS waits until the JavaScript function fn, called with args, returns
// a truthy value. It survives navigations that happen while it waits.
func (p *page) waitJS(what, fn string, args ...any) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var last error
	for {
		left := time.Until(deadline)
		if left <= 0 {
			p.fatalf("timed out after %s waiting for %s (last error: %v)", waitTimeout, what, last)
		}
		ctx, cancel := context.WithTimeout(p.ctx, left)
		_, err := chromedp.Run(ctx, chromedp.PollFunction[chromedp.Void](fn,
			chromedp.WithPollingInterval(50*time.Millisecond),
			chromedp.WithPollingTimeout(left),
			chromedp.WithPollingArgs(args...)))
		cancel()
		if err == nil {
			return
		}
		last = err
		if errors.Is(err, context.DeadlineExceeded) || p.ctx.Err() != nil {
			p.fatalf("timed out after %s waiting for %s: %v", waitTimeout, what, err)
		}
		// The page navigated while the poll ran: poll again on the new page.
		time.Sleep(50 * time.Millisecond)
	}
}

const visibleJS = `(n) => !!n && !n.closest('[hidden]') && n.getClientRects().length > 0`

// waitText waits until the first element matching sel is shown and its
// text contains want.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%s to show %q", sel, want), `(sel, want) => {
		const n = document.querySelector(sel);
		return (`+visibleJS+`)(n) && n.textContent.includes(want);
	}`, sel, want)
}

func (p *page) waitVisible(sel string) {
	p.t.Helper()
	p.waitJS(sel+" to be visible", `(sel) => (`+visibleJS+`)(document.querySelector(sel))`, sel)
}

func (p *page) waitHidden(sel string) {
	p.t.Helper()
	p.waitJS(sel+" to be hidden", `(sel) => !(`+visibleJS+`)(document.querySelector(sel))`, sel)
}

func (p *page) waitAttr(sel, attr, want string) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf("%s[%s=%q]", sel, attr, want), `(sel, attr, want) => {
		const n = document.querySelector(sel);
		return !!n && n.getAttribute(attr) === want;
	}`, sel, attr, want)
}

func (p *page) waitPath(path string) {
	p.t.Helper()
	p.waitJS("location "+path, `(path) => location.pathname === path && document.readyState === 'complete'`, path)
}

// A click goes where the element was when it was measured: wait until it
// stands still (the dancer page scrolls a new poll into view smoothly).
const standsStill = `(sel) => {
	const n = document.querySelector(sel);
	if (!n) return false;
	const r = n.getBoundingClientRect(), at = [r.left, r.top, r.width, r.height].join();
	const was = (window.__pikaRects ||= {})[sel];
	window.__pikaRects[sel] = at;
	return was === at;
}`

func (p *page) click(sel string) {
	p.t.Helper()
	p.waitJS(sel+" to stand still", standsStill, sel)
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// fill empties an input and types value into it with key events.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	p.waitVisible(sel)
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	clear := fmt.Sprintf(`(() => { const n = document.querySelector(%q); n.focus(); n.value = ''; })()`, sel)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](clear), chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		p.fatalf("type into %s: %v", sel, err)
	}
}

// step logs the start of a step of a scenario, so a failure reads in context.
func step(t *testing.T, what string) {
	t.Helper()
	t.Logf("— %s", what)
}

func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel))
}

// setOffline cuts or restores this tab's network, as a phone losing its
// signal: requests and new connections fail and navigator.onLine is false.
func (p *page) setOffline(offline bool) {
	p.t.Helper()
	conds := []*network.Conditions{}
	if offline {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(p.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
		p.fatalf("emulate network conditions: %v", err)
	}
	if _, err := chromedp.Call(p.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		p.fatalf("override network state: %v", err)
	}
}

// screenshot saves the viewport (full: the whole page) as a PNG in dir.
func (p *page) screenshot(dir, name string, full bool) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100) // quality 100 means PNG
	}
	png, err := chromedp.Run(ctx, action)
	if err != nil {
		p.fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatalf("save screenshot: %v", err)
	}
	p.t.Logf("screenshot: %s", path)
	return path
}
