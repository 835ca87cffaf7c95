// Package webclient embeds the dancer and organizer pages that the relay
// serves. The files under static/ are plain HTML, CSS and JavaScript
// modules: no build step.
package webclient

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
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
	"GET /{$}":                           "index.html",
	"GET /live":                          "live.html",
	"GET /live/{sessionId}":              "session.html",
	"GET /recap/{sessionId}":             "recap.html",
	"GET /dj/sessions/{sessionId}":       "analytics.html",
	"GET /dj":                            "dj.html",
	"GET /dj/login":                      "dj-login.html",
	"GET /dj/register":                   "dj-register.html",
	"GET /dj/events":                     "events.html",
	"GET /invite":                        "invite.html",
	"GET /s/{slug}":                      "session.html",
	"GET /s/{slug}/card":                 "stage-card.html",
	"GET /events/{eventId}/recap":        "event-recap.html",
	"GET /dj/events/{eventId}/dashboard": "dashboard.html",
}

// Handler serves the pages at their routes and the files under
// static/assets at /assets/. It answers 404 for anything else, so the
// relay can mount it as the fallback for every GET that is not an API.
//
// Every response carries a strong ETag (a hash of the embedded file) and
// "Cache-Control: no-cache": a phone on venue Wi-Fi revalidates with a
// 304 of a few bytes instead of downloading the scripts again, and a new
// release is picked up at once.
func Handler() http.Handler {
	root := FS()
	mux := http.NewServeMux()
	for pattern, file := range Pages {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			serveFile(w, r, root, file)
		})
	}
	// The service worker sits at the root: its scope is every page.
	mux.HandleFunc("GET /sw.js", func(w http.ResponseWriter, r *http.Request) {
		serveFile(w, r, root, "sw.js")
	})
	mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if !fs.ValidPath(name) || strings.HasSuffix(name, "/") {
			http.NotFound(w, r)
			return
		}
		serveFile(w, r, root, name)
	})
	return mux
}

// etags caches each embedded file's ETag: the files never change while
// the process runs.
var etags sync.Map // name → string

func serveFile(w http.ResponseWriter, r *http.Request, root fs.FS, name string) {
	data, err := fs.ReadFile(root, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	tag, ok := etags.Load(name)
	if !ok {
		sum := sha256.Sum256(data)
		tag = `"` + hex.EncodeToString(sum[:12]) + `"`
		etags.Store(name, tag)
	}
	h := w.Header()
	h.Set("ETag", tag.(string))
	h.Set("Cache-Control", "no-cache")
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	// ServeContent answers If-None-Match with 304 and handles HEAD and
	// ranges; the zero modtime leaves Last-Modified out.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}
