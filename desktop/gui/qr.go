package gui

import (
	"fmt"
	"image"
	"image/color"
	neturl "net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// qrPixels is the side of the rendered QR bitmap; canvas scales it down
// without smoothing so the modules stay sharp on a projector.
const qrPixels = 768

// qrImage encodes url as a QR code. Medium error correction keeps the code
// readable from a phone across a dim room while staying coarse enough.
func qrImage(url string) (image.Image, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("encode QR code for %q: %w", url, err)
	}
	return q.Image(qrPixels), nil
}

// projectorTitle names the full-screen window of the join code.
func projectorTitle() string { return T("qr.projectorTitle") }

// qrView is the one place that says where dancers join: the QR code, the
// link (clickable, with a copy button) and a button that opens the
// projector view; after the session, the recap link.
type qrView struct {
	app     fyne.App
	url     string // the QR code's address ("" without a code)
	img     *canvas.Image
	link    *widget.Hyperlink
	copyBtn *widget.Button
	fullBtn *widget.Button
	copied  *widget.Label
	// note says what the link is when that is not plain: a local
	// address, a recap, or that there is nothing yet.
	note    *note
	content fyne.CanvasObject
	title   string
	full    fyne.Window
	// card is the white square behind the code, hidden while there is no
	// code so the pane stays dark.
	card *fyne.Container
}

func newQRView(a fyne.App) *qrView {
	q := &qrView{app: a}
	q.img = canvas.NewImageFromImage(nil)
	q.img.FillMode = canvas.ImageFillContain
	q.img.ScaleMode = canvas.ImageScalePixels
	q.img.SetMinSize(fyne.NewSize(300, 300))
	q.link = widget.NewHyperlink("", nil)
	q.link.Wrapping = fyne.TextWrapBreak
	q.link.Alignment = fyne.TextAlignCenter
	q.link.TextStyle = fyne.TextStyle{Monospace: true}
	q.link.Hide()
	q.note = newNote(widget.MediumImportance)
	q.note.Alignment = fyne.TextAlignCenter
	q.copied = widget.NewLabel("")
	q.copyBtn = widget.NewButtonWithIcon(T("qr.copy"), theme.ContentCopyIcon(), q.copyURL)
	q.fullBtn = widget.NewButtonWithIcon(T("qr.fullScreen"), theme.ViewFullScreenIcon(), q.showFullScreen)
	q.copyBtn.Disable()
	q.fullBtn.Disable()
	// A white card behind the code: phones read dark modules on light.
	q.card = container.NewStack(canvas.NewRectangle(color.White), container.NewPadded(q.img))
	q.card.Hide()
	q.content = container.NewBorder(nil,
		container.NewVBox(q.note, q.link, container.NewHBox(layout.NewSpacer(), q.copyBtn, q.fullBtn, layout.NewSpacer()), q.copied),
		nil, nil, q.card)
	q.note.SetText(T("qr.noJoinYet"))
	return q
}

// SetURL shows url as the join code, or clears the view when url is empty.
// title is shown above the code in the projector view.
func (q *qrView) SetURL(url, title string) error { return q.setCode(url, title, "") }

// SetLocalURL shows a join code for an address only some phones reach,
// with where explaining which ("works only on this network").
func (q *qrView) SetLocalURL(url, title, where string) error { return q.setCode(url, title, where) }

func (q *qrView) setCode(url, title, note string) error {
	q.title = title
	if url == "" {
		q.clear(T("qr.noJoinYet"))
		return nil
	}
	img, err := qrImage(url)
	if err != nil {
		return err
	}
	q.url = url
	q.img.Image = img
	q.img.Refresh()
	q.card.Show()
	q.setLink(url)
	q.note.Importance = widget.WarningImportance
	q.note.SetText(note)
	q.fullBtn.Enable()
	return nil
}

// SetRecap shows the recap link of the session that ended (no code: the
// room has left).
func (q *qrView) SetRecap(url string) {
	q.clear(T("qr.over"))
	if url != "" {
		q.setLink(url)
	}
}

func (q *qrView) clear(msg string) {
	q.url = ""
	q.img.Image = nil
	q.img.Refresh()
	q.card.Hide()
	q.link.SetText("")
	q.link.SetURL(nil)
	q.link.Hide()
	q.note.Importance = widget.MediumImportance
	q.note.SetText(msg)
	q.copied.SetText("")
	q.copyBtn.Disable()
	q.fullBtn.Disable()
	q.closeFullScreen()
}

func (q *qrView) setLink(raw string) {
	u, err := neturl.Parse(raw)
	if err == nil {
		q.link.SetURL(u)
	}
	q.link.SetText(raw)
	q.link.Show()
	q.copied.SetText("")
	q.copyBtn.Enable()
}

func (q *qrView) copyURL() {
	if q.link.Text == "" {
		return
	}
	q.app.Clipboard().SetContent(q.link.Text)
	q.copied.SetText(T("qr.copied"))
}

// showFullScreen opens a separate window for a projector or a second screen:
// a huge code, the link, and nothing else. Escape closes it.
func (q *qrView) showFullScreen() {
	if q.url == "" {
		return
	}
	if q.full != nil {
		q.full.RequestFocus()
		return
	}
	w := q.app.NewWindow(projectorTitle())
	img := canvas.NewImageFromImage(q.img.Image)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	heading := canvas.NewText(q.title, color.Black)
	heading.TextSize = 42
	heading.TextStyle = fyne.TextStyle{Bold: true}
	heading.Alignment = fyne.TextAlignCenter
	link := canvas.NewText(q.url, color.Black)
	link.TextSize = 30
	link.Alignment = fyne.TextAlignCenter
	hint := canvas.NewText(T("qr.escToClose"), color.Gray{Y: 0x80})
	hint.TextSize = 14
	hint.Alignment = fyne.TextAlignCenter
	w.SetContent(container.NewStack(
		canvas.NewRectangle(color.White),
		container.NewBorder(container.NewPadded(heading), container.NewVBox(link, hint), nil, nil, img),
	))
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			w.Close()
		}
	})
	w.SetOnClosed(func() { q.full = nil })
	q.full = w
	w.Resize(fyne.NewSize(900, 900))
	w.SetFullScreen(true)
	w.Show()
}

func (q *qrView) closeFullScreen() {
	if q.full != nil {
		q.full.Close()
	}
}
