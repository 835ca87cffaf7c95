package e2e

import (
	"fmt"
	"math"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/pikadj/pika/relay/relaytest"
	"github.com/pikadj/pika/shared/protocol"
)

// rect is an element's box relative to the viewport; PageTop is its top
// in the page, wherever the page is scrolled.
type rect struct{ Top, Bottom, Height, PageTop float64 }

func (p *page) rect(sel string) rect {
	p.t.Helper()
	return eval[rect](p, fmt.Sprintf(`(() => {
		const r = document.querySelector(%q).getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Height: r.height, PageTop: r.top + scrollY};
	})()`, sel))
}

// touch presses (down) or lifts a finger at x, y, as a phone's screen does.
func (p *page) touch(down bool, x, y float64) {
	p.t.Helper()
	params := input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: []*input.TouchPoint{{X: x, Y: y}}}
	if !down {
		params = input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}}
	}
	if _, err := chromedp.Call(p.ctx, input.DispatchTouchEvent, params); err != nil {
		p.fatalf("touch: %v", err)
	}
}

// pollInView: the whole poll is on screen, and not under the sticky top bar.
const pollInView = `() => {
	const r = document.querySelector('#poll').getBoundingClientRect();
	return r.top >= document.querySelector('.topbar').getBoundingClientRect().bottom && r.bottom <= innerHeight + 1;
}`

// TestDancerPageLayout: the notification prompt does not push now playing
// down on the first visit, and a new poll below the fold is scrolled into
// view, but not while the dancer's finger is on the screen.
func TestDancerPageLayout(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	out := outputDir(t)
	token := r.RegisterDJ(t, "lia@example.com", "DJ Lia")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Sunday Tea Dance"})
	d.play(trackSlowBurn)
	p := b.newPage(t, "dancer on a small phone", 375, 667)
	url := r.URL + "/live/" + d.sessionID

	step(t, "first visit: the notification prompt sits below now playing")
	p.open(url)
	p.waitText("#now-title", "Slow Burn")
	p.waitVisible("#notify-ask")
	asked := p.rect("#now")
	if ask := p.rect("#notify-ask"); ask.Top < asked.Bottom {
		t.Errorf("the prompt (top %.0f) is above the end of now playing (bottom %.0f)", ask.Top, asked.Bottom)
	}
	p.screenshot(out, "dancer-first-visit-375x667.png", false)
	p.click("#notify-no")
	p.waitHidden("#notify-ask")
	if after := p.rect("#now"); after.PageTop != asked.PageTop {
		t.Errorf("now playing moved from %.0f to %.0f when the prompt went", asked.PageTop, after.PageTop)
	}
	p.open(url) // a later visit: not asked again
	p.waitText("#now-title", "Slow Burn")
	if later := p.rect("#now"); later.PageTop != asked.PageTop || later.Top != asked.Top {
		t.Errorf("now playing at %.0f on a later visit, %.0f on the first", later.Top, asked.Top)
	}

	step(t, "a poll that starts below the fold is brought into view")
	innerHeight := eval[float64](p, `innerHeight`)
	d.startPoll("Blues or swing next?", "Blues", "Swing", "Something else")
	p.waitText("#poll-question", "Blues or swing next?")
	p.waitAttr("body", "data-poll-view", "scrolled")
	p.waitJS("the poll in view", pollInView)
	if scrolled := eval[float64](p, `scrollY`); scrolled <= 0 {
		t.Errorf("the page did not scroll (scrollY %.0f): the poll was not below the fold, so this test checks nothing", scrolled)
	}
	p.screenshot(out, "dancer-new-poll-375x667.png", false)

	step(t, "while a finger is on the screen the page does not move; then it does")
	pollID := d.startPoll("One more blues?", "Yes", "No")
	_ = pollID
	p.waitText("#poll-question", "One more blues?")
	eval[bool](p, `(() => { scrollTo({top: 0, behavior: 'instant'}); return true; })()`)
	p.waitJS("the page at the top", `() => scrollY === 0`)
	line := p.rect(".session-line")
	p.touch(true, 40, line.Top+line.Height/2)
	d.request(protocol.TypeClosePoll, protocol.ClosePoll{PollID: pollID})
	d.startPoll("Last one: faster or slower?", "Faster", "Slower")
	p.waitText("#poll-question", "Last one: faster or slower?")
	p.waitAttr("body", "data-poll-view", "waiting")
	if y := eval[float64](p, `scrollY`); y != 0 {
		t.Errorf("the page scrolled to %.0f under the dancer's finger", y)
	}
	p.touch(false, 0, 0)
	p.waitAttr("body", "data-poll-view", "scrolled")
	p.waitJS("the poll in view", pollInView)
	if box := p.rect("#poll"); box.Bottom > innerHeight+1 || math.IsNaN(box.Top) {
		t.Errorf("poll at %.0f–%.0f in a %.0f px viewport", box.Top, box.Bottom, innerHeight)
	}
}

// TestPagesSayDancersAndCountRight: one word for the people on the floor,
// and singulars where the count is one.
func TestPagesSayDancersAndCountRight(t *testing.T) {
	b := newBrowser(t)
	r := relaytest.Start(t)
	token := r.RegisterDJ(t, "eli@example.com", "DJ Eli")
	d := goLive(t, r, protocol.RegisterSession{Token: token, Name: "Wednesday Practice"})
	play := d.play(trackSlowBurn)
	other := goLive(t, r, protocol.RegisterSession{Token: r.RegisterDJ(t, "oz@example.com", "DJ Oz"), Name: "Late Lounge"})
	_ = other

	p := b.newPage(t, "dancer", 390, 844)
	step(t, "/live lists both sessions, each with how many dancers")
	p.open(r.URL + "/live")
	link := fmt.Sprintf(`#sessions a[data-session-id=%q] .count`, d.sessionID)
	p.waitText(link, "0 dancers")

	step(t, "one dancer, one vote, one poll")
	p.open(r.URL + "/live/" + d.sessionID)
	p.waitText("#listeners", "1 dancer")
	if got := p.text("#listeners"); got != "1 dancer" {
		t.Errorf("listeners %q, want 1 dancer", got)
	}
	pollID := d.startPoll("Blues next?", "Yes", "No")
	p.click(`#poll-options button[data-index="0"]`)
	p.waitText("#poll-status", "You voted · 1 vote")
	d.request(protocol.TypeClosePoll, protocol.ClosePoll{PollID: pollID})
	p.waitText("#poll-status", "Poll closed · 1 vote")
	p.click("#like")
	waitOutboxEmpty(p, d.sessionID)
	d.request(protocol.TypeEndSession, protocol.Empty{})

	step(t, "the recap counts in singulars")
	p.open(r.URL + "/recap/" + d.sessionID)
	p.waitAttr("body", "data-loaded", "true")
	for what, want := range map[string]string{"track": "1", "like": "1", "peak dancer": "1", "dancer in all": "1", "poll": "1"} {
		if got := statValue(p, what); got != want {
			t.Errorf("recap stat %q = %q, want %q", what, got, want)
		}
	}
	p.waitText("#polls", "1 vote")
	p.waitText(fmt.Sprintf(`#tracks li[data-play-id=%q]`, play), "96 BPM · 8A · A minor")
}
