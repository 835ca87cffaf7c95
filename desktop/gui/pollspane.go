package gui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/shared/protocol"
)

// pollsPane writes polls, shows the open one's results as they come in,
// closes it, and lists the session's earlier polls.
type pollsPane struct {
	g        *gui
	editor   *pollEditor
	hint     *note
	question *widget.Label
	ends     *widget.Label
	results  *fyne.Container
	closeBtn *widget.Button
	errLabel *note
	past     *widget.List
	pastData []protocol.Poll
	open     *protocol.Poll
	content  fyne.CanvasObject
}

func newPollsPane(g *gui) *pollsPane {
	p := &pollsPane{g: g}
	p.editor = newPollEditor(g.app.Preferences(), p.startPoll)
	p.hint = newNote(widget.MediumImportance)
	p.hint.TextStyle = fyne.TextStyle{Italic: true}
	p.hint.SetText(T("polls.goLive"))
	p.question = widget.NewLabel(T("polls.none"))
	p.question.SizeName = theme.SizeNameSubHeadingText
	p.question.TextStyle = fyne.TextStyle{Bold: true}
	p.question.Wrapping = fyne.TextWrapWord
	p.ends = widget.NewLabel("")
	p.results = container.NewVBox()
	p.closeBtn = widget.NewButtonWithIcon(T("polls.close"), theme.CancelIcon(), p.closePoll)
	p.closeBtn.Disable()
	p.errLabel = newErrorNote()
	p.past = newTwoLineList(func() int { return len(p.pastData) }, func(i int) (string, string) {
		return p.pastData[i].Question, pollSummary(p.pastData[i])
	}, widget.MediumImportance)
	left := container.NewVScroll(container.NewVBox(heading(T("pane.polls")), p.hint, p.editor.content))
	current := container.NewVBox(sectionTitle(T("polls.open")), p.question, p.ends, p.results, p.closeBtn, p.errLabel)
	right := container.NewBorder(container.NewVBox(current, widget.NewSeparator(), sectionTitle(T("polls.earlier"))), nil, nil, nil, p.past)
	split := container.NewHSplit(left, right)
	split.Offset = 0.5
	p.content = split
	p.editor.SetEnabled(false)
	return p
}

// pollSummary is one line of results: every option with its votes, the
// winner first.
func pollSummary(poll protocol.Poll) string {
	total := 0
	for _, n := range poll.Tallies {
		total += n
	}
	if total == 0 {
		return "no votes"
	}
	parts := make([]string, 0, len(poll.Options))
	for i, o := range poll.Options {
		n := 0
		if i < len(poll.Tallies) {
			n = poll.Tallies[i]
		}
		parts = append(parts, fmt.Sprintf("%s %d", o, n))
	}
	return strings.Join(parts, " · ") + " · " + TN("analytics.votes", total)
}

func (p *pollsPane) startPoll(sp protocol.StartPoll) error {
	var d time.Duration
	if sp.DurationS != nil {
		d = time.Duration(*sp.DurationS) * time.Second
	}
	p.g.do(p.editor.startBtn, func(ctx context.Context) error {
		return p.g.core.StartPoll(ctx, sp.Question, sp.Options, d)
	}, func(err error) {
		if err != nil {
			p.editor.errLabel.SetText(T("polls.notStarted", "Error", errorDetail(err)))
			return
		}
		p.editor.errLabel.SetText("")
		p.g.syncLive()
	})
	return nil
}

func (p *pollsPane) closePoll() {
	if p.open == nil {
		return
	}
	id := p.open.PollID
	p.errLabel.SetText("")
	p.g.do(p.closeBtn, func(ctx context.Context) error {
		return p.g.core.ClosePoll(ctx, id)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("polls.closeFailed", "Error", errorDetail(err)))
		}
		p.g.syncLive()
	})
}

// show draws the open poll's results and the earlier polls.
func (p *pollsPane) show(st core.LiveState) {
	p.editor.SetEnabled(st.Live && st.Poll == nil)
	switch {
	case !st.Live:
		p.hint.SetText(T("polls.goLive"))
	case st.Poll != nil:
		p.hint.SetText(T("polls.oneAtATime"))
	default:
		p.hint.SetText("")
	}
	p.open = nil
	if st.Poll != nil && !st.Poll.Closed {
		poll := *st.Poll
		p.open = &poll
	}
	p.results.RemoveAll()
	if p.open == nil {
		p.question.SetText(T("polls.none"))
		p.ends.SetText("")
		p.closeBtn.Disable()
	} else {
		p.question.SetText(p.open.Question)
		if p.open.EndsAt != nil {
			p.ends.SetText(T("polls.closesAt", "Time", p.open.EndsAt.Local().Format("15:04:05")))
		} else {
			p.ends.SetText(T("polls.untilClosed"))
		}
		total := 0
		for _, n := range p.open.Tallies {
			total += n
		}
		for i, o := range p.open.Options {
			n := 0
			if i < len(p.open.Tallies) {
				n = p.open.Tallies[i]
			}
			p.results.Add(resultBar(o, n, total))
		}
		p.results.Add(widget.NewLabel(TN("polls.votesSoFar", total)))
		p.closeBtn.Enable()
	}
	p.pastData = p.pastData[:0]
	for i := len(st.Polls) - 1; i >= 0; i-- { // newest first
		if st.Polls[i].Closed {
			p.pastData = append(p.pastData, st.Polls[i])
		}
	}
	p.past.Refresh()
}

// resultBar is one option of the open poll: its votes as a bar.
func resultBar(option string, n, total int) fyne.CanvasObject {
	m := newMeter(1, 90)
	share, pct := 0.0, 0
	if total > 0 {
		share, pct = float64(n)/float64(total), n*100/total
	}
	m.Set(share, fmt.Sprintf("%d · %d%%", n, pct))
	l := widget.NewLabel(option)
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewGridWithColumns(2, l, m.content)
}
