// Package card renders the picture a shared recap link shows on a
// messenger (Open Graph) and the Share button sends: a 1200×630 PNG with
// the set's or event's name, the DJ, the date, the top tracks and a small
// line of the BPM over the night. It draws with the Go fonts, so it needs
// no system fonts; glyphs the Go fonts lack (CJK, emoji) show as boxes.
package card

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Width and Height are the Open Graph size messengers crop best.
const (
	Width  = 1200
	Height = 630
)

// Bounds on what a card shows, whatever the recap holds.
const (
	MaxTracks  = 5
	MaxBPMs    = 400 // points of the BPM line; longer nights are sampled
	maxTextLen = 200 // runes of any one line before it is measured
)

// Track is one of the top tracks.
type Track struct {
	Artist, Title string
	Likes         int
}

// Card is what a card shows. Accent is "#rrggbb" or empty.
type Card struct {
	Kind   string // "Set recap", "Event recap"
	Title  string
	DJ     string
	Date   string
	Tracks []Track
	BPMs   []float64
	Accent string
}

// Key identifies a card's content: two cards with the same key are the
// same picture.
func (c Card) Key() string {
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

type faces struct {
	title, big, body, small font.Face
}

var (
	facesOnce sync.Once
	facesVal  faces
	facesErr  error
)

func loadFaces() (faces, error) {
	facesOnce.Do(func() {
		reg, err := opentype.Parse(goregular.TTF)
		if err != nil {
			facesErr = fmt.Errorf("parse Go Regular: %w", err)
			return
		}
		bold, err := opentype.Parse(gobold.TTF)
		if err != nil {
			facesErr = fmt.Errorf("parse Go Bold: %w", err)
			return
		}
		face := func(f *opentype.Font, size float64) font.Face {
			if facesErr != nil {
				return nil
			}
			var fc font.Face
			fc, facesErr = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
			return fc
		}
		facesVal = faces{title: face(bold, 64), big: face(bold, 36), body: face(reg, 30), small: face(reg, 24)}
	})
	return facesVal, facesErr
}

var (
	bg      = color.RGBA{0x0c, 0x0c, 0x11, 0xff}
	fg      = color.RGBA{0xf2, 0xf2, 0xf5, 0xff}
	muted   = color.RGBA{0x9a, 0x9a, 0xa8, 0xff}
	defAcc  = color.RGBA{0xff, 0xc8, 0x2e, 0xff} // Pika! yellow
	padding = 64
)

// Render draws the card as a PNG. The faces are shared and not safe for
// concurrent use, so renders take turns.
func Render(c Card) ([]byte, error) {
	f, err := loadFaces()
	if err != nil {
		return nil, err
	}
	renderMu.Lock()
	defer renderMu.Unlock()
	acc := parseAccent(c.Accent)
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, Width, 12), image.NewUniform(acc), image.Point{}, draw.Src)

	textW := Width - 2*padding
	y := padding + 40
	text(img, f.small, acc, padding, y, fit(f.small, strings.ToUpper(c.Kind+" · Pika!"), textW))
	y += 76
	text(img, f.title, fg, padding, y, fit(f.title, c.Title, textW))
	y += 56
	sub := c.DJ
	if c.Date != "" {
		if sub != "" {
			sub += " · "
		}
		sub += c.Date
	}
	text(img, f.big, muted, padding, y, fit(f.big, sub, textW))
	y += 64
	for i, t := range c.Tracks {
		if i == MaxTracks {
			break
		}
		line := t.Title
		if t.Artist != "" {
			line = t.Artist + " — " + t.Title
		}
		likes := ""
		if t.Likes > 0 {
			likes = fmt.Sprintf("♥ %d", t.Likes)
		}
		lw := font.MeasureString(f.body, likes).Ceil()
		text(img, f.body, fg, padding, y, fit(f.body, fmt.Sprintf("%d. %s", i+1, line), textW-lw-24))
		text(img, f.body, acc, Width-padding-lw, y, likes)
		y += 44
	}
	bpmLine(img, f.small, acc, c.BPMs, image.Rect(padding, Height-110, Width-padding, Height-40))

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode card: %w", err)
	}
	return buf.Bytes(), nil
}

var renderMu sync.Mutex

func text(img draw.Image, f font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: f, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// fit shortens s with an ellipsis until it is at most w pixels wide.
func fit(f font.Face, s string, w int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	r := []rune(s)
	if len(r) > maxTextLen {
		r = r[:maxTextLen]
	}
	if font.MeasureString(f, string(r)).Ceil() <= w {
		return string(r)
	}
	lo, hi := 0, len(r)
	for lo < hi { // the longest prefix that fits with "…"
		mid := (lo + hi + 1) / 2
		if font.MeasureString(f, string(r[:mid])+"…").Ceil() <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}

// bpmLine draws the BPM of each play, in order, as a line in box with its
// range at the left; nothing when fewer than two plays have a BPM.
func bpmLine(img *image.RGBA, f font.Face, c color.RGBA, bpms []float64, box image.Rectangle) {
	var pts []float64
	for _, b := range bpms {
		if b > 0 && b < 1000 {
			pts = append(pts, b)
		}
	}
	if len(pts) > MaxBPMs {
		sampled := make([]float64, MaxBPMs)
		for i := range sampled {
			sampled[i] = pts[i*len(pts)/MaxBPMs]
		}
		pts = sampled
	}
	if len(pts) < 2 {
		return
	}
	lo, hi := pts[0], pts[0]
	for _, p := range pts {
		lo, hi = min(lo, p), max(hi, p)
	}
	label := fmt.Sprintf("BPM %.0f–%.0f", lo, hi)
	lw := font.MeasureString(f, label).Ceil()
	text(img, f, muted, box.Min.X, box.Min.Y+box.Dy()/2+8, label)
	if hi-lo < 1 {
		hi, lo = hi+1, lo-1
	}
	x0 := float32(box.Min.X + lw + 24)
	w := float32(box.Max.X) - x0
	h := float32(box.Dy())
	at := func(i int) (float32, float32) {
		x := x0 + w*float32(i)/float32(len(pts)-1)
		y := float32(box.Max.Y) - h*float32((pts[i]-lo)/(hi-lo))
		return x, y
	}
	r := vector.NewRasterizer(Width, Height)
	const half = 2.5 // half the stroke width
	for i := 1; i < len(pts); i++ {
		ax, ay := at(i - 1)
		bx, by := at(i)
		// Each segment as a quad, thickened vertically: a cheap stroke
		// that looks even on a gentle line.
		r.MoveTo(ax, ay-half)
		r.LineTo(bx, by-half)
		r.LineTo(bx, by+half)
		r.LineTo(ax, ay+half)
		r.ClosePath()
	}
	r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
}

func parseAccent(s string) color.RGBA {
	var r, g, b uint8
	if len(s) == 7 && s[0] == '#' {
		if _, err := fmt.Sscanf(s[1:], "%02x%02x%02x", &r, &g, &b); err == nil {
			return color.RGBA{r, g, b, 0xff}
		}
	}
	return defAcc
}
