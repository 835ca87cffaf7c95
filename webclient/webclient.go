// Package webclient embeds the dancer and organizer pages that the relay
// serves. The files under static/ are plain HTML, CSS and JavaScript
// modules: no build step.
package webclient

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// FS returns the static files, rooted at the static folder.
func FS() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}
