package gui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
	"github.com/pikadj/pika/shared/protocol"
)

// announcePane pushes a banner to every dancer's phone, shows the current
// one with a clear button, and lists the session's announcements as the
// core keeps them, so the list outlives this window.
type announcePane struct {
	g        *gui
	editor   *announceEditor
	hint     *note
	current  *widget.Label
	expires  *widget.Label
	clearBtn *widget.Button
	errLabel *note
	history  []protocol.Announcement // the session's, newest first
	histList *widget.List
	// sentAt is when this window saw each announcement go out; the core
	// keeps no time, so older ones show without it.
	sentAt  map[string]time.Time
	content fyne.CanvasObject
}

func newAnnouncePane(g *gui) *announcePane {
	p := &announcePane{g: g, sentAt: map[string]time.Time{}}
	p.editor = newAnnounceEditor(p.push)
	p.hint = newNote(widget.MediumImportance)
	p.hint.TextStyle = fyne.TextStyle{Italic: true}
	p.hint.SetText(T("announce.goLive"))
	p.current = widget.NewLabel(T("announce.none"))
	p.current.Wrapping = fyne.TextWrapWord
	p.current.SizeName = theme.SizeNameSubHeadingText
	p.expires = widget.NewLabel("")
	p.clearBtn = widget.NewButtonWithIcon(T("announce.clear"), theme.ContentClearIcon(), p.clear)
	p.clearBtn.Disable()
	p.errLabel = newErrorNote()
	p.histList = widget.NewList(
		func() int { return len(p.history) },
		func() fyne.CanvasObject {
			at := widget.NewLabel("00:00")
			at.TextStyle = fyne.TextStyle{Monospace: true}
			text := widget.NewLabel("")
			text.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, at, nil, text)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(p.history) {
				return
			}
			a := p.history[id]
			at := "--:--"
			if t, ok := p.sentAt[a.AnnouncementID]; ok {
				at = t.Local().Format("15:04")
			}
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(a.Text)
			box.Objects[1].(*widget.Label).SetText(at)
		},
	)
	left := container.NewVBox(heading(T("pane.announcements")), p.hint, p.editor.content)
	current := container.NewVBox(sectionTitle(T("announce.showing")), p.current, p.expires, p.clearBtn, p.errLabel)
	right := container.NewBorder(container.NewVBox(current, widget.NewSeparator(), sectionTitle(T("announce.sent"))), nil, nil, nil, p.histList)
	split := container.NewHSplit(left, right)
	split.Offset = 0.5
	p.content = split
	p.editor.SetEnabled(false)
	return p
}

func (p *announcePane) push(a protocol.Announce) error {
	var d time.Duration
	if a.DurationS != nil {
		d = time.Duration(*a.DurationS) * time.Second
	}
	text := p.editor.text.Text
	p.g.do(p.editor.pushBtn, func(ctx context.Context) error {
		return p.g.core.Announce(ctx, a.Text, d)
	}, func(err error) {
		if err != nil {
			// Put the words back: a failed push must not lose them.
			p.editor.text.SetText(text)
			p.editor.errLabel.SetText(T("common.notSent", "Error", errorDetail(err)))
			return
		}
		p.g.syncLive()
	})
	return nil
}

func (p *announcePane) clear() {
	p.errLabel.SetText("")
	p.g.do(p.clearBtn, func(ctx context.Context) error {
		return p.g.core.ClearAnnouncement(ctx)
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("announce.clearFailed", "Error", errorDetail(err)))
		}
		p.g.syncLive()
	})
}

// record notes when the relay confirmed an announcement; the list itself
// comes from the core in show.
func (p *announcePane) record(a protocol.Announcement, at time.Time) {
	if _, ok := p.sentAt[a.AnnouncementID]; !ok {
		p.sentAt[a.AnnouncementID] = at
	}
}

// show draws the banner now showing and the session's history.
func (p *announcePane) show(st core.LiveState) {
	p.history = p.history[:0]
	for i := len(st.Announcements) - 1; i >= 0; i-- { // newest first
		p.history = append(p.history, st.Announcements[i])
	}
	p.histList.Refresh()
	p.editor.SetEnabled(st.Live)
	if st.Live {
		p.hint.SetText("")
	} else {
		p.hint.SetText(T("announce.goLive"))
	}
	a := st.Announcement
	if a == nil || !st.Live {
		p.current.SetText(T("announce.none"))
		p.expires.SetText("")
		p.clearBtn.Disable()
		return
	}
	p.current.SetText(a.Text)
	if a.ExpiresAt != nil {
		p.expires.SetText(T("announce.until", "Time", a.ExpiresAt.Local().Format("15:04")))
	} else {
		p.expires.SetText(T("announce.untilCleared"))
	}
	p.clearBtn.Enable()
}
