package server_test

import (
	"image"
	"image/color"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/pikadj/pika/relay/relaytest"
)

// TestStageQRDecodes reads the stage's QR code back with a real decoder:
// it must hold the stage's permanent link and nothing else.
func TestStageQRDecodes(t *testing.T) {
	r := relaytest.Start(t)
	_, _, st := eventWithStage(t, r)
	resp, err := http.Get(r.URL + "/api/stages/" + st.Slug + "/qr.svg")
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("qr: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := decodeQR(t, string(svg)); got != st.URL {
		t.Errorf("QR holds %q, want %q", got, st.URL)
	}
	if resp, err := http.Get(r.URL + "/api/stages/no-such-stage/qr.svg"); err != nil || resp.StatusCode != 404 {
		t.Errorf("unknown stage QR: %v %v", resp.StatusCode, err)
	}
}

var (
	viewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	module  = regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`)
)

// decodeQR rasterises the SVG's unit squares at 8 px each (the decoder
// misjudges the module size of smaller ones) and decodes it.
func decodeQR(t *testing.T, svg string) string {
	t.Helper()
	m := viewBox.FindStringSubmatch(svg)
	if m == nil {
		t.Fatalf("no viewBox in %.80s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	const px = 8
	img := image.NewGray(image.Rect(0, 0, n*px, n*px))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, sq := range module.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(sq[1])
		y, _ := strconv.Atoi(sq[2])
		for dy := range px {
			for dx := range px {
				img.SetGray(x*px+dx, y*px+dy, color.Gray{})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return strings.TrimSpace(res.GetText())
}
