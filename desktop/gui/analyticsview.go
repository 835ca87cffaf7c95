package gui

import (
	"context"
	"fmt"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/shared/protocol"
)

// The set's private numbers, after the set: what the public recap leaves
// out (the relay's SetAnalytics).

// analyticsLines are the dialog's summary lines and one line per track.
func analyticsLines(a protocol.SetAnalytics) (summary []string, tracks []string) {
	pct := func(x float64) int { return int(math.Round(100 * x)) }
	if s := a.Shares; s.Votes > 0 {
		summary = append(summary, T("analytics.tempo", "Faster", pct(s.Faster), "Perfect", pct(s.Perfect), "Slower", pct(s.Slower), "Votes", TN("analytics.votes", s.Votes)))
	} else {
		summary = append(summary, T("analytics.noTempo"))
	}
	left := 0
	for _, p := range a.Plays {
		left += p.DropOff
	}
	summary = append(summary,
		T("analytics.summary", "NoLikes", TN("analytics.tracks", len(a.NoLikes)), "Left", TN("analytics.dancers", left), "Peak", TN("analytics.dancers", a.PeakListeners)))
	for _, p := range a.Plays {
		var b strings.Builder
		fmt.Fprintf(&b, "%s  %s · ♥ %d", p.StartedAt.Local().Format("15:04"), trackName(p.Track), p.Likes)
		if s := p.Shares; s.Votes > 0 {
			fmt.Fprintf(&b, " · ↑ %d %% ✓ %d %% ↓ %d %%", pct(s.Faster), pct(s.Perfect), pct(s.Slower))
		}
		if p.DropOff > 0 {
			fmt.Fprintf(&b, " · %d left", p.DropOff)
		}
		tracks = append(tracks, b.String())
	}
	return summary, tracks
}

func trackName(t protocol.Track) string {
	if t.Artist == "" {
		return orDash(t.Title)
	}
	return orDash(t.Title) + " — " + t.Artist
}

// showAnalytics fetches a set's numbers and shows them in a dialog.
func (p *livePane) showAnalytics() {
	id := p.endedID
	if id == "" {
		return
	}
	var a protocol.SetAnalytics
	p.g.do(p.analyticsBtn, func(ctx context.Context) error {
		var err error
		a, err = p.g.core.SetAnalytics(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("analytics.fetchFailed", "Error", errorDetail(err)))
			return
		}
		summary, tracks := analyticsLines(a)
		box := container.NewVBox(widget.NewLabel(T("analytics.private")))
		for _, s := range summary {
			l := widget.NewLabel(s)
			l.TextStyle = fyne.TextStyle{Bold: true}
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
		for _, s := range tracks {
			l := widget.NewLabel(s)
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
		scroll := container.NewVScroll(box)
		scroll.SetMinSize(fyne.NewSize(620, 420))
		d := dialog.NewCustom(T("analytics.title", "Name", a.Session.Name), T("about.close"), scroll, p.g.win)
		p.analytics = d
		d.Show()
	})
}
