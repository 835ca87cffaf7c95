package gui

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run ./internal/icongen -size 1024 ../Icon.png assets/icon.png

//go:embed assets/icon.png
var iconPNG []byte

// appIcon is the window and taskbar icon, the same picture as desktop/Icon.png.
var appIcon = fyne.NewStaticResource("pika-icon.png", iconPNG)
