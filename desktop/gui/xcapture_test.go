package gui

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// captureXWindow reads the pixels of the top-level X window titled title
// from the X server ($DISPLAY). It is what a person would see on the
// screen, and it works where OpenGL's front buffer cannot be read back
// (Mesa's software renderer on Xvfb gives Canvas.Capture a blank image).
func captureXWindow(title string) (image.Image, error) {
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, fmt.Errorf("connect to X: %w", err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	netName, err := xproto.InternAtom(conn, true, uint16(len("_NET_WM_NAME")), "_NET_WM_NAME").Reply()
	if err != nil {
		return nil, fmt.Errorf("X atom: %w", err)
	}
	win, err := findXWindow(conn, root, title, []xproto.Atom{netName.Atom, xproto.AtomWmName}, 3)
	if err != nil {
		return nil, err
	}
	geom, err := xproto.GetGeometry(conn, xproto.Drawable(win)).Reply()
	if err != nil {
		return nil, fmt.Errorf("window geometry: %w", err)
	}
	reply, err := xproto.GetImage(conn, xproto.ImageFormatZPixmap, xproto.Drawable(win),
		0, 0, geom.Width, geom.Height, 0xffffffff).Reply()
	if err != nil {
		return nil, fmt.Errorf("read window pixels: %w", err)
	}
	w, h := int(geom.Width), int(geom.Height)
	if reply.Depth != 24 && reply.Depth != 32 || len(reply.Data) < w*h*4 {
		return nil, fmt.Errorf("unexpected X image: depth %d, %d bytes for %d×%d", reply.Depth, len(reply.Data), w, h)
	}
	// ZPixmap at depth 24 is 32 bits per pixel, blue first (little-endian
	// server, as Xvfb on x86 and arm64).
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := (y*w + x) * 4
			img.SetNRGBA(x, y, color.NRGBA{R: reply.Data[i+2], G: reply.Data[i+1], B: reply.Data[i], A: 0xFF})
		}
	}
	return img, nil
}

// findXWindow looks for a mapped window named title (by _NET_WM_NAME, in
// UTF-8, or WM_NAME), depth levels down.
func findXWindow(conn *xgb.Conn, parent xproto.Window, title string, names []xproto.Atom, depth int) (xproto.Window, error) {
	tree, err := xproto.QueryTree(conn, parent).Reply()
	if err != nil {
		return 0, fmt.Errorf("list X windows: %w", err)
	}
	for _, child := range tree.Children {
		for _, name := range names {
			prop, err := xproto.GetProperty(conn, false, child, name, xproto.AtomAny, 0, 256).Reply()
			if err != nil || string(prop.Value) != title {
				continue
			}
			attrs, err := xproto.GetWindowAttributes(conn, child).Reply()
			if err == nil && attrs.MapState == xproto.MapStateViewable {
				return child, nil
			}
		}
		if depth > 0 {
			if w, err := findXWindow(conn, child, title, names, depth-1); err == nil {
				return w, nil
			}
		}
	}
	return 0, errors.New("no visible X window titled " + title)
}
