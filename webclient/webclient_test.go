package webclient

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

// The relay serves these pages with a Content-Security-Policy of
// script-src 'self' and style-src 'self': anything inline would be blocked
// in the browser, so it is refused here.
var (
	inlineScript  = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`)
	styleAttr     = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	styleElement  = regexp.MustCompile(`(?i)<style\b`)
	eventAttr     = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	javascriptURL = regexp.MustCompile(`(?i)(href|src)\s*=\s*"javascript:`)
	externalRef   = regexp.MustCompile(`(?i)(href|src)\s*=\s*"(https?:)?//`)
	assetRef      = regexp.MustCompile(`(?:href|src|content)\s*=\s*"(/assets/[^"]+)"`)
	jsImport      = regexp.MustCompile(`(?m)^import\s[^'"]*['"](\./[^'"]+)['"]`)
	// Data from the server is inserted as text; these would parse it as code or HTML.
	unsafeJS = regexp.MustCompile(`\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setAttribute\(\s*['"]style['"]`)
)

func TestPagesAreCSPSafe(t *testing.T) {
	root := FS()
	for pattern, file := range Pages {
		t.Run(file, func(t *testing.T) {
			data, err := fs.ReadFile(root, file)
			if err != nil {
				t.Fatalf("page for %s: %v", pattern, err)
			}
			html := string(data)
			checks := []struct {
				name string
				re   *regexp.Regexp
			}{
				{"inline <script>", inlineScript},
				{"style attribute", styleAttr},
				{"<style> element", styleElement},
				{"on* event attribute", eventAttr},
				{"javascript: URL", javascriptURL},
				{"external (CDN) reference", externalRef},
			}
			for _, c := range checks {
				if m := c.re.FindString(html); m != "" {
					t.Errorf("%s has a %s, which the CSP blocks: %q", file, c.name, m)
				}
			}
			// Print pages (*-card.html) are black on white with their own sheet.
			sheet := `<link rel="stylesheet" href="/assets/css/pika.css">`
			if strings.HasSuffix(file, "-card.html") {
				sheet = `<link rel="stylesheet" href="/assets/css/card.css">`
			}
			for _, want := range []string{`<meta name="viewport"`, sheet, `<link rel="icon"`, `lang="en"`} {
				if !strings.Contains(html, want) {
					t.Errorf("%s lacks %s", file, want)
				}
			}
			for _, m := range assetRef.FindAllStringSubmatch(html, -1) {
				if _, err := fs.Stat(root, strings.TrimPrefix(m[1], "/")); err != nil {
					t.Errorf("%s refers to %s, which does not exist", file, m[1])
				}
			}
		})
	}
}

func TestLandingHasOpenGraph(t *testing.T) {
	data, err := fs.ReadFile(FS(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="description"`, `property="og:title"`, `property="og:description"`, `property="og:image"`, `property="og:type"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}

func TestManifestIconsExist(t *testing.T) {
	data, err := fs.ReadFile(FS(), "assets/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Name  string `json:"name"`
		Icons []struct {
			Src string `json:"src"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if m.Name == "" || len(m.Icons) == 0 {
		t.Fatalf("manifest.json lacks a name or icons: %+v", m)
	}
	for _, icon := range m.Icons {
		if _, err := fs.Stat(FS(), strings.TrimPrefix(icon.Src, "/")); err != nil {
			t.Errorf("manifest icon %s does not exist", icon.Src)
		}
	}
}

func TestScriptsInsertTextOnly(t *testing.T) {
	root := FS()
	files, err := fs.Glob(root, "assets/js/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	for _, file := range files {
		data, err := fs.ReadFile(root, file)
		if err != nil {
			t.Fatal(err)
		}
		src := string(data)
		if m := unsafeJS.FindString(src); m != "" {
			t.Errorf("%s uses %q; insert server data with textContent or createElement", file, m)
		}
		for _, m := range jsImport.FindAllStringSubmatch(src, -1) {
			dep := path.Join(path.Dir(file), m[1])
			if _, err := fs.Stat(root, dep); err != nil {
				t.Errorf("%s imports %s, which does not exist", file, m[1])
			}
		}
	}
}

func TestHandlerRoutes(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		path, wantType, wantBody string
		wantStatus               int
	}{
		{"/", "text/html", "Live now", 200},
		{"/live", "text/html", "/assets/js/live.js", 200},
		{"/live/abc123", "text/html", "/assets/js/session.js", 200},
		{"/recap/abc123", "text/html", "/assets/js/recap.js", 200},
		{"/dj", "text/html", "/assets/js/dj.js", 200},
		{"/dj/login", "text/html", `data-mode="login"`, 200},
		{"/dj/register", "text/html", `data-mode="register"`, 200},
		{"/assets/js/ws.js", "javascript", "LiveSocket", 200},
		{"/sw.js", "javascript", "pika-shell", 200},
		{"/dj/sessions/abc123", "text/html", "/assets/js/analytics.js", 200},
		{"/assets/css/pika.css", "text/css", "--accent", 200},
		{"/assets/img/pika.svg", "image/svg+xml", "<svg", 200},
		{"/assets/img/og.png", "image/png", "PNG", 200},
		{"/assets/manifest.json", "application/json", `"start_url"`, 200},
		{"/nope", "", "", 404},
		{"/assets/js/missing.js", "", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			res, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body := new(strings.Builder)
			if _, err := io.Copy(body, res.Body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus != 200 {
				return
			}
			if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, tc.wantType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.wantType)
			}
			if !strings.Contains(body.String(), tc.wantBody) {
				t.Errorf("body lacks %q", tc.wantBody)
			}
		})
	}
}

// A phone that already has a file revalidates it for a 304 without a body.
func TestHandlerRevalidates(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, p := range []string{"/live/abc123", "/assets/js/session.js", "/assets/css/pika.css"} {
		t.Run(p, func(t *testing.T) {
			res, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			tag := res.Header.Get("ETag")
			if !strings.HasPrefix(tag, `"`) || res.Header.Get("Cache-Control") != "no-cache" {
				t.Fatalf("ETag %q, Cache-Control %q", tag, res.Header.Get("Cache-Control"))
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
			req.Header.Set("If-None-Match", tag)
			res, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusNotModified || n != 0 {
				t.Fatalf("revalidation gave %d with %d bytes, want 304 without a body", res.StatusCode, n)
			}
		})
	}
	res, err := http.Get(srv.URL + "/assets/../webclient.go")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Fatal("a path outside the assets was served")
	}
}
