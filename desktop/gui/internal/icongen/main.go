// Command icongen draws Pika!'s app icon: a dark rounded square with an
// amber dot sending out three arcs, the picture of a DJ broadcasting to the
// dance floor. It is drawn from geometry (4×4 supersampling for smooth
// edges) so the PNG can be regenerated at any size without an editor.
//
// Usage: go run ./internal/icongen -size 1024 out.png [more.png…]
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	size := flag.Int("size", 1024, "side of the square icon in pixels")
	flag.Parse()
	if flag.NArg() == 0 || *size < 16 {
		fmt.Fprintln(os.Stderr, "usage: icongen [-size N] out.png [more.png…]")
		os.Exit(2)
	}
	img := draw(*size)
	for _, path := range flag.Args() {
		if err := write(path, img); err != nil {
			fmt.Fprintln(os.Stderr, "icongen:", err)
			os.Exit(1)
		}
	}
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

var (
	background = color.NRGBA{R: 0x16, G: 0x18, B: 0x1D, A: 0xFF}
	amber      = color.NRGBA{R: 0xF2, G: 0xB8, B: 0x4B, A: 0xFF}
)

// shade returns the colour of the unit-square point (x, y), with y down.
func shade(x, y float64) (color.NRGBA, bool) {
	if !inRoundedSquare(x, y, 0.03, 0.2) {
		return color.NRGBA{}, false
	}
	cx, cy := 0.5, 0.64
	dx, dy := x-cx, y-cy
	r := math.Hypot(dx, dy)
	if r <= 0.075 {
		return amber, true
	}
	// Arcs open upwards, 50° either side of vertical.
	angle := math.Atan2(dx, -dy) * 180 / math.Pi
	if math.Abs(angle) <= 50 {
		for i, radius := range []float64{0.17, 0.29, 0.41} {
			if math.Abs(r-radius) <= 0.032 {
				c := amber
				c.A = uint8(255 - 45*i)
				return blend(background, c), true
			}
		}
	}
	return background, true
}

func inRoundedSquare(x, y, margin, radius float64) bool {
	lo, hi := margin+radius, 1-margin-radius
	qx := math.Max(math.Max(lo-x, x-hi), 0)
	qy := math.Max(math.Max(lo-y, y-hi), 0)
	if x < margin || x > 1-margin || y < margin || y > 1-margin {
		return false
	}
	return math.Hypot(qx, qy) <= radius
}

func blend(under, over color.NRGBA) color.NRGBA {
	a := float64(over.A) / 255
	mix := func(u, o uint8) uint8 { return uint8(math.Round(float64(u)*(1-a) + float64(o)*a)) }
	return color.NRGBA{R: mix(under.R, over.R), G: mix(under.G, over.G), B: mix(under.B, over.B), A: 0xFF}
}

func draw(size int) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					c, ok := shade(x, y)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(255 * a / (ss * ss))),
			})
		}
	}
	return img
}
