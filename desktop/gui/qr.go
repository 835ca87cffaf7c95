package gui

import (
	"fmt"
	"image"
	"image/color"

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
const projectorTitle = "Pika! — scan to join"

// qrView is the join QR code with its URL, a copy button and a button that
// opens the projector view.
type qrView struct {
	app     fyne.App
	url     string
	img     *canvas.Image
	link    *widget.Label
	copyBtn *widget.Button
	fullBtn *widget.Button
	copied  *widget.Label
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
	q.link = widget.NewLabel("Go live to get the join link.")
	q.link.Wrapping = fyne.TextWrapBreak
	q.link.Alignment = fyne.TextAlignCenter
	q.link.TextStyle = fyne.TextStyle{Monospace: true}
	q.copied = widget.NewLabel("")
	q.copyBtn = widget.NewButtonWithIcon("Copy link", theme.ContentCopyIcon(), q.copyURL)
	q.fullBtn = widget.NewButtonWithIcon("Full screen", theme.ViewFullScreenIcon(), q.showFullScreen)
	q.copyBtn.Disable()
	q.fullBtn.Disable()
	// A white card behind the code: phones read dark modules on light.
	q.card = container.NewStack(canvas.NewRectangle(color.White), container.NewPadded(q.img))
	q.card.Hide()
	q.content = container.NewBorder(nil,
		container.NewVBox(q.link, container.NewHBox(layout.NewSpacer(), q.copyBtn, q.fullBtn, layout.NewSpacer()), q.copied),
		nil, nil, q.card)
	return q
}

// SetURL shows url as the join code, or clears the view when url is empty.
// title is shown above the code in the projector view.
func (q *qrView) SetURL(url, title string) error {
	q.title = title
	if url == "" {
		q.url = ""
		q.img.Image = nil
		q.img.Refresh()
		q.card.Hide()
		q.link.SetText("Go live to get the join link.")
		q.copyBtn.Disable()
		q.fullBtn.Disable()
		q.closeFullScreen()
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
	q.link.SetText(url)
	q.copied.SetText("")
	q.copyBtn.Enable()
	q.fullBtn.Enable()
	return nil
}

func (q *qrView) copyURL() {
	if q.url == "" {
		return
	}
	q.app.Clipboard().SetContent(q.url)
	q.copied.SetText("Link copied.")
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
	w := q.app.NewWindow(projectorTitle)
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
	hint := canvas.NewText("Press Esc to close", color.Gray{Y: 0x80})
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
