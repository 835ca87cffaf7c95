package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	qrcode "github.com/skip2/go-qrcode"
)

func TestQRViewShowsCopiesAndProjects(t *testing.T) {
	a := test.NewTempApp(t)
	q := newQRView(a)
	w := test.NewTempWindow(t, q.content)
	w.Resize(fyne.NewSize(500, 600))
	if !q.copyBtn.Disabled() || !q.fullBtn.Disabled() || q.img.Image != nil {
		t.Fatal("QR view is active before there is a URL")
	}
	const url = "https://pika.example/s/abc123"
	if err := q.SetURL(url, "Friday salsa"); err != nil {
		t.Fatal(err)
	}
	if q.img.Image == nil || q.link.Text != url {
		t.Fatalf("image %v, link %q", q.img.Image != nil, q.link.Text)
	}
	// The picture is the code of exactly this URL, module for module.
	want, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	wantImg := want.Image(qrPixels)
	if q.img.Image.Bounds() != wantImg.Bounds() {
		t.Fatalf("bounds %v, want %v", q.img.Image.Bounds(), wantImg.Bounds())
	}
	for y := 0; y < qrPixels; y += 7 {
		for x := 0; x < qrPixels; x += 7 {
			r1, _, _, _ := q.img.Image.At(x, y).RGBA()
			r2, _, _, _ := wantImg.At(x, y).RGBA()
			if r1 != r2 {
				t.Fatalf("pixel %d,%d differs from the code of %q", x, y, url)
			}
		}
	}

	test.Tap(q.copyBtn)
	if got := a.Clipboard().Content(); got != url {
		t.Fatalf("clipboard %q, want %q", got, url)
	}

	before := len(a.Driver().AllWindows())
	test.Tap(q.fullBtn)
	if q.full == nil || len(a.Driver().AllWindows()) != before+1 {
		t.Fatal("full-screen view did not open")
	}
	if !q.full.FullScreen() {
		t.Fatal("projector window is not full screen")
	}
	// Escape closes it.
	q.full.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if q.full != nil {
		t.Fatal("Escape did not close the projector view")
	}

	if err := q.SetURL("", ""); err != nil {
		t.Fatal(err)
	}
	if !q.copyBtn.Disabled() || q.img.Image != nil {
		t.Fatal("cleared QR view still active")
	}
}
