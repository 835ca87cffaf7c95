// Package webclient embeds the dancer and organizer pages that the relay
// serves. The files under static/ are plain HTML, CSS and JavaScript
// modules: no build step.
package webclient

import (
	"embed"
	"io/fs"
	"net/http"
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

// Pages maps each page route (Go 1.22 ServeMux pattern) to its HTML file.
// The session and recap pages read their id from location.pathname.
var Pages = map[string]string{
	"GET /{$}":               "index.html",
	"GET /live":              "live.html",
	"GET /live/{sessionId}":  "session.html",
	"GET /recap/{sessionId}": "recap.html",
	"GET /dj":                "dj.html",
	"GET /dj/login":          "dj-login.html",
	"GET /dj/register":       "dj-register.html",
}

// Handler serves the pages at their routes and the files under
// static/assets at /assets/. It answers 404 for anything else, so the
// relay can mount it as the fallback for every GET that is not an API.
func Handler() http.Handler {
	root := FS()
	mux := http.NewServeMux()
	for pattern, file := range Pages {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			data, err := fs.ReadFile(root, file)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// Pages are small and change with each release: always revalidate.
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(data)
		})
	}
	mux.Handle("GET /assets/", http.FileServerFS(root))
	return mux
}
