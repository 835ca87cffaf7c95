package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/shared/protocol"
)

// requestsPane is the live pane's part for dancers' requests: whether
// they are on, paused or open to free text, which folders are
// requestable, and the queue, most asked for first, each request with
// its fit to the track playing and the DJ's answers.
type requestsPane struct {
	g        *gui
	enable   *widget.Check
	pause    *widget.Check
	freeText *widget.Check
	folders  *widget.CheckGroup
	status   *note
	errLabel *note
	reason   *widget.Entry
	list     *widget.List
	empty    *note

	queue []core.QueuedRequest
	now   *protocol.Track
	// syncing is set while show copies the core's view into the checks,
	// whose callbacks must not send it back.
	syncing bool
	content fyne.CanvasObject
}

func newRequestsPane(g *gui) *requestsPane {
	p := &requestsPane{g: g}
	p.enable = widget.NewCheck(T("requests.take"), func(bool) { p.apply() })
	p.pause = widget.NewCheck(T("requests.pause"), func(bool) { p.apply() })
	p.freeText = widget.NewCheck(T("requests.freeText"), func(bool) { p.apply() })
	p.folders = widget.NewCheckGroup(nil, func([]string) { p.apply() })
	p.folders.Horizontal = true
	p.status = newNote(widget.MediumImportance)
	p.errLabel = newErrorNote()
	p.reason = widget.NewEntry()
	p.reason.SetPlaceHolder(T("requests.reason.placeholder"))
	p.empty = newNote(widget.MediumImportance)
	p.list = widget.NewList(
		func() int { return len(p.queue) },
		func() fyne.CanvasObject {
			count := widget.NewLabel("×00")
			count.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
			what := widget.NewLabel("")
			what.Truncation = fyne.TextTruncateEllipsis
			what.TextStyle = fyne.TextStyle{Bold: true}
			fit := widget.NewLabel("")
			fit.Truncation = fyne.TextTruncateEllipsis
			accept := widget.NewButtonWithIcon(T("requests.accept"), theme.ConfirmIcon(), nil)
			decline := widget.NewButtonWithIcon(T("requests.decline"), theme.CancelIcon(), nil)
			played := widget.NewButtonWithIcon(T("requests.played"), theme.MediaPlayIcon(), nil)
			return container.NewBorder(nil, nil, count, container.NewHBox(accept, decline, played), container.NewVBox(what, fit))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.queue) {
				return
			}
			q := p.queue[id]
			row := o.(*fyne.Container)
			mid := row.Objects[0].(*fyne.Container)
			buttons := row.Objects[2].(*fyne.Container)
			row.Objects[1].(*widget.Label).SetText(fmt.Sprintf("×%d", q.Count))
			mid.Objects[0].(*widget.Label).SetText(requestWhat(q.Request))
			mid.Objects[1].(*widget.Label).SetText(requestDetail(q, p.now))
			accept := buttons.Objects[0].(*widget.Button)
			accept.OnTapped = func() { p.answer(q.RequestID, protocol.RequestAccepted) }
			if q.State == protocol.RequestAccepted {
				accept.Disable()
			} else {
				accept.Enable()
			}
			buttons.Objects[1].(*widget.Button).OnTapped = func() { p.answer(q.RequestID, protocol.RequestDeclined) }
			buttons.Objects[2].(*widget.Button).OnTapped = func() { p.answer(q.RequestID, protocol.RequestPlayed) }
		},
	)
	settings := container.NewVBox(
		container.NewHBox(p.enable, p.pause, p.freeText),
		container.NewBorder(nil, nil, widget.NewLabel(T("requests.from")), nil, p.folders),
		p.status, p.errLabel, p.reason, p.empty,
	)
	box := container.NewBorder(container.NewVBox(sectionTitle(T("requests.title")), settings), nil, nil, nil, p.list)
	// The queue needs room for a few rows inside the live pane's scroll.
	p.content = container.NewGridWrap(fyne.NewSize(640, 420), box)
	p.show(core.LiveState{})
	return p
}

// requestWhat names a request: its track, or the dancer's own words.
func requestWhat(q protocol.Request) string {
	if q.Text != "" {
		return T("requests.freeTextRequest", "Text", q.Text)
	}
	if q.Artist == "" {
		return q.Title
	}
	return q.Title + " — " + q.Artist
}

// requestDetail is the request's numbers with their fit to the track
// playing ("112 BPM (+16) · 8A (+1)"), its state and when it was asked.
func requestDetail(q core.QueuedRequest, now *protocol.Track) string {
	var parts []string
	if q.BPM != nil {
		b := fmt.Sprintf("%.0f BPM", *q.BPM)
		if q.BPMDelta != nil && now != nil {
			b += fmt.Sprintf(" (%+.0f)", *q.BPMDelta)
		}
		parts = append(parts, b)
	}
	if q.Camelot != "" {
		k := q.Camelot
		if q.KeyFit != "" && now != nil {
			k += " (" + q.KeyFit + ")"
		}
		parts = append(parts, k)
	}
	if q.State == protocol.RequestAccepted {
		parts = append(parts, "accepted")
	}
	parts = append(parts, q.CreatedAt.Local().Format("15:04"))
	return strings.Join(parts, " · ")
}

// options reads the checks as the core's options; no folder ticked means
// the whole library.
func (p *requestsPane) options() core.RequestsOptions {
	return core.RequestsOptions{Enabled: p.enable.Checked, Paused: p.pause.Checked, FreeText: p.freeText.Checked, Folders: slices.Clone(p.folders.Selected)}
}

func (p *requestsPane) apply() {
	if p.syncing {
		return
	}
	o := p.options()
	p.errLabel.SetText("")
	p.g.do(nil, func(ctx context.Context) error {
		return p.g.core.SetRequests(ctx, o)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("requests.notChanged", "Error", errorDetail(err)))
		}
		p.g.syncLive()
	})
}

func (p *requestsPane) answer(id, state string) {
	reason := ""
	if state == protocol.RequestDeclined {
		reason = strings.TrimSpace(p.reason.Text)
	}
	p.errLabel.SetText("")
	p.g.do(nil, func(ctx context.Context) error {
		return p.g.core.AnswerRequest(ctx, id, state, reason)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("common.notSent", "Error", errorDetail(err)))
			return
		}
		if state == protocol.RequestDeclined {
			p.reason.SetText("")
		}
	})
}

// show draws the core's view of requests.
func (p *requestsPane) show(st core.LiveState) {
	v := core.RequestsView{}
	if st.Live {
		v = p.g.core.Requests()
	}
	p.syncing = true
	defer func() { p.syncing = false }()
	folders := p.g.core.Settings().LibraryFolders
	if !slices.Equal(p.folders.Options, folders) {
		p.folders.Options = slices.Clone(folders)
		p.folders.Refresh()
	}
	p.enable.SetChecked(v.Options.Enabled)
	p.pause.SetChecked(v.Options.Paused)
	p.freeText.SetChecked(v.Options.FreeText)
	p.folders.SetSelected(slices.Clone(v.Options.Folders))
	for _, w := range []fyne.Disableable{p.enable, p.pause, p.freeText, p.folders, p.reason} {
		if st.Live {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	if st.Live && !v.Options.Enabled {
		p.pause.Disable()
		p.freeText.Disable()
	}
	switch {
	case !st.Live:
		p.status.SetText(T("requests.goLive"))
	case !v.Options.Enabled:
		p.status.SetText(T("requests.off"))
	default:
		from := T("requests.wholeLibrary")
		if len(v.Options.Folders) > 0 {
			from = strings.Join(v.Options.Folders, ", ")
		}
		if v.Options.Paused {
			p.status.SetText(TN("requests.status.paused", v.Catalogue, "From", from))
		} else {
			p.status.SetText(TN("requests.status.open", v.Catalogue, "From", from))
		}
	}
	p.queue, p.now = v.Queue, v.NowPlaying
	p.list.Refresh()
	if v.Options.Enabled && len(v.Queue) == 0 {
		p.empty.SetText(T("requests.none"))
	} else {
		p.empty.SetText("")
	}
}
