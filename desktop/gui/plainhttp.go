package gui

import (
	"errors"
	"fmt"

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
	msg := fmt.Sprintf("The relay %s is reached over plain http://.\n"+
		"Your DJ token would cross the internet unencrypted:\n"+
		"anyone on the way could read it and act as you.\n\n"+
		"Change the relay URL to https:// if the relay has it.", plain.Host)
	d := dialog.NewConfirm("Send the token without encryption?", msg, func(ok bool) {
		g.plainDialog = nil
		if ok {
			g.core.AllowPlainHTTP(plain.URL)
			retry()
		}
	}, g.win)
	d.SetConfirmText("Send anyway")
	d.SetDismissText("Cancel")
	d.SetConfirmImportance(widget.DangerImportance)
	g.plainDialog = d
	d.Show()
	return true
}
