package server

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"github.com/pikadj/pika/relay/store"
	"github.com/pikadj/pika/shared/protocol"
)

// stageQR answers GET /api/stages/:slug/qr.svg: the QR code of the
// stage's permanent link as SVG, drawn here so the printable card needs
// no script and prints sharp at any size. Only stage links are encoded:
// the relay is not a QR service for arbitrary text.
func (s *Server) stageQR(c echo.Context) error {
	slug := c.Param("slug")
	if !protocol.ValidSlug(slug) {
		return apiNoSuchStage
	}
	st, err := s.store.StageBySlug(c.Request().Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		return apiNoSuchStage
	}
	if err != nil {
		return err
	}
	link := s.stageURL(st.Slug)
	if !strings.Contains(link, "://") {
		// Without a public URL the code would hold a relative path no
		// phone can open: use the address this request came to.
		link = c.Scheme() + "://" + c.Request().Host + link
	}
	svg, err := qrSVG(link)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'")
	return c.Blob(http.StatusOK, "image/svg+xml", svg)
}

// qrSVG draws text as a QR code (medium error correction, which survives
// a crease or a smudge on a printed card) with one path of unit squares.
func qrSVG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	bits := q.Bitmap() // with the quiet zone
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><title>%s</title><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, html.EscapeString(text), n, n)
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}
