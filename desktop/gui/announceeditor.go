package gui

import (
	"fmt"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/shared/protocol"
)

// announceDurations are the choices of how long a banner stays; zero keeps
// it until the DJ clears it.
var announceDurations = []struct {
	Label string
	Secs  int
}{
	{"Until I clear it", 0},
	{"1 minute", 60},
	{"5 minutes", 300},
	{"15 minutes", 900},
	{"1 hour", 3600},
}

// announceEditor is the message box with its 280-character counter.
type announceEditor struct {
	text      *widget.Entry
	counter   *widget.Label
	duration  *widget.Select
	pushBtn   *widget.Button
	errLabel  *note
	content   fyne.CanvasObject
	durationS int
	onPush    func(protocol.Announce) error
}

func newAnnounceEditor(onPush func(protocol.Announce) error) *announceEditor {
	e := &announceEditor{onPush: onPush}
	e.text = widget.NewMultiLineEntry()
	e.text.Wrapping = fyne.TextWrapWord
	e.text.SetPlaceHolder(T("announce.text.placeholder"))
	e.text.SetMinRowsVisible(3)
	e.counter = widget.NewLabel(counterText(0))
	e.counter.Alignment = fyne.TextAlignTrailing
	e.text.OnChanged = func(s string) { e.updateCounter(s) }
	labels := make([]string, len(announceDurations))
	for i, d := range announceDurations {
		labels[i] = durationLabel(d.Label)
	}
	e.duration = widget.NewSelect(labels, func(l string) {
		for _, d := range announceDurations {
			if durationLabel(d.Label) == l {
				e.durationS = d.Secs
			}
		}
	})
	e.duration.SetSelectedIndex(0)
	e.pushBtn = widget.NewButtonWithIcon(T("announce.push"), theme.MailSendIcon(), e.submit)
	e.pushBtn.Importance = widget.HighImportance
	e.errLabel = newErrorNote()
	e.content = container.NewVBox(
		e.text,
		e.counter,
		widget.NewForm(widget.NewFormItem(T("announce.showFor"), e.duration)),
		e.pushBtn,
		e.errLabel,
	)
	return e
}

func counterText(n int) string {
	return fmt.Sprintf("%d / %d", n, protocol.MaxAnnouncementLen)
}

func (e *announceEditor) updateCounter(s string) {
	n := utf8.RuneCountInString(s)
	e.counter.SetText(counterText(n))
	if n > protocol.MaxAnnouncementLen {
		e.counter.Importance = widget.DangerImportance
	} else {
		e.counter.Importance = widget.MediumImportance
	}
	e.counter.Refresh()
}

func (e *announceEditor) submit() {
	a := protocol.Announce{Text: e.text.Text}
	if e.durationS > 0 {
		d := e.durationS
		a.DurationS = &d
	}
	if err := a.Validate(); err != nil {
		e.errLabel.SetText(T("announce.cannotSend", "Error", errorDetail(err)))
		return
	}
	if e.onPush == nil {
		return
	}
	if err := e.onPush(a); err != nil {
		e.errLabel.SetText(errorText(err))
		return
	}
	e.errLabel.SetText("")
	e.text.SetText("")
}

// SetEnabled allows pushing only while live.
func (e *announceEditor) SetEnabled(on bool) {
	if on {
		e.pushBtn.Enable()
	} else {
		e.pushBtn.Disable()
	}
}
