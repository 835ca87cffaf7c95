package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/library"
)

// confirmSend asks the assistant what sending t as now playing would warn
// of (a big tempo jump, a key clash, a repeat tonight) and, when anything,
// asks the DJ before send runs.
func (p *libraryPane) confirmSend(t library.Track, send func()) {
	var warnings []string
	p.g.do(p.sendBtn, func(ctx context.Context) (err error) {
		warnings, err = p.g.core.WarningsFor(ctx, t.ID)
		return err
	}, func(err error) {
		if err != nil {
			p.errLabel.SetText(T("send.failed", "Error", errorDetail(err)))
			return
		}
		if len(warnings) == 0 {
			send()
			return
		}
		p.confirm = dialog.NewConfirm(T("send.title", "Title", displayTitle(t)), strings.Join(warnings, "\n")+"\n\n"+T("send.anyway.question"),
			func(ok bool) {
				p.confirm = nil
				if ok {
					send()
				}
			}, p.g.win)
		p.confirm.SetConfirmText(T("plain.send"))
		p.confirm.SetDismissText(T("send.dont"))
		p.confirm.SetConfirmImportance(widget.WarningImportance)
		p.confirm.Show()
	})
}
