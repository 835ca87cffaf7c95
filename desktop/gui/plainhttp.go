package gui

import (
	"errors"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/pikadj/pika/desktop/core"
)

// confirmPlainHTTP handles a *core.PlainHTTPError: the relay URL is plain
// http:// to a host on the internet, so the token was not sent. It asks
// the DJ; "Send anyway" makes the core accept that URL for this run and
// runs retry. It reports whether err was that error.
func (g *gui) confirmPlainHTTP(err error, retry func()) bool {
	var plain *core.PlainHTTPError
	if !errors.As(err, &plain) {
		return false
	}
	msg := T("plain.text", "Host", plain.Host)
	d := dialog.NewConfirm(T("plain.title"), msg, func(ok bool) {
		g.plainDialog = nil
		if ok {
			g.core.AllowPlainHTTP(plain.URL)
			retry()
		}
	}, g.win)
	d.SetConfirmText(T("plain.send"))
	d.SetDismissText(T("plain.cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	g.plainDialog = d
	d.Show()
	return true
}
