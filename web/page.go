package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// static holds the page: index.html (a template) and assets/, served as
// they are. Plain files, so the binary builds without a JavaScript
// toolchain.
//
//go:embed static
var static embed.FS

// PageOptions configure the status page handler.
type PageOptions struct {
	// Name is the page name (page.name): the title and the heading.
	Name string
	// WebSocketURL tells the page where the live feed is:
	//   - "" : path ws next to the page on the same host (/ws when the
	//     page is at /), for a websocket listener equal to the API's, or
	//     a reverse proxy serving both;
	//   - ":5011" or ":5011/ws": the page's own host name on that port,
	//     for a separate websocket listener (the page picks ws or wss to
	//     match http or https). A request that came through a reverse
	//     proxy (X-Forwarded-* or Forwarded headers) gets "" instead,
	//     since the proxy serves the feed on the page's origin;
	//   - an absolute ws://, wss://, http:// or https:// URL.
	WebSocketURL string
}

// pageAssets is what Page prepares once: the template and each asset's
// content and version.
type pageAssets struct {
	opts  PageOptions
	index *template.Template
	files map[string]asset // by path under /assets/
}

type asset struct {
	name    string
	content []byte
	version string // content hash: the ?v= of URLs that may be cached for good
}

// Page returns the handler of the status page: GET / (and /index.html)
// serve the page with its name and WebSocket URL filled in, and so do
// /incidents/<id> and /maintenance/<id>, the links webhooks carry, where
// the page scrolls to that item; GET /assets/<file> serve the embedded
// scripts and styles. Asset URLs carry a content hash (?v=...), so those
// are cached for a year and a new binary's page fetches new ones; the
// page itself is revalidated each time. Other paths are 404.
func Page(opts PageOptions) http.Handler {
	p := &pageAssets{opts: opts, files: map[string]asset{}}
	err := fs.WalkDir(static, "static/assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel := strings.TrimPrefix(name, "static/assets/")
		p.files[rel] = asset{name: path.Base(name), content: b, version: hex.EncodeToString(sum[:6])}
		return nil
	})
	if err != nil {
		// The files are compiled in; failing to read them is a build bug.
		panic(fmt.Sprintf("web: embedded assets: %v", err))
	}
	p.index = template.Must(template.New("index.html").Funcs(template.FuncMap{
		"asset": p.assetURL,
	}).ParseFS(static, "static/index.html"))
	return p
}

// assetURL is the versioned, page-relative URL of an asset. Relative, so
// the page also works under a path prefix behind a reverse proxy.
func (p *pageAssets) assetURL(name string) (string, error) {
	a, ok := p.files[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return "assets/" + name + "?v=" + a.version, nil
}

func (p *pageAssets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case r.URL.Path == "/" || r.URL.Path == "/index.html":
		p.serveIndex(w, r, "")
	case isItemLink(r.URL.Path):
		// One level down: the page's relative URLs resolve from the root.
		p.serveIndex(w, r, "../")
	case strings.HasPrefix(r.URL.Path, "/assets/"):
		p.serveAsset(w, r, strings.TrimPrefix(r.URL.Path, "/assets/"))
	default:
		http.NotFound(w, r)
	}
}

// isItemLink reports whether path is /incidents/<id> or /maintenance/<id>.
func isItemLink(path string) bool {
	for _, prefix := range []string{"/incidents/", "/maintenance/"} {
		if id, ok := strings.CutPrefix(path, prefix); ok && id != "" && !strings.Contains(id, "/") {
			return true
		}
	}
	return false
}

// serveIndex renders the page; base, when set, is the <base href> that
// leads from r's path back to the page's root.
func (p *pageAssets) serveIndex(w http.ResponseWriter, r *http.Request, base string) {
	var buf bytes.Buffer
	err := p.index.Execute(&buf, struct {
		Name, WebSocketURL, Base string
	}{
		Name:         p.opts.Name,
		WebSocketURL: p.webSocketURL(r),
		Base:         base,
	})
	if err != nil {
		http.Error(w, "rendering the status page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	// The page builds its DOM from data with textContent only; the policy
	// makes sure nothing else ever runs. connect-src admits ws: and wss:
	// because the feed may be on another port, which is another origin.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self' ws: wss:; base-uri 'self'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(buf.Bytes()))
}

// webSocketURL is the up-ws meta content for r.
func (p *pageAssets) webSocketURL(r *http.Request) string {
	u := p.opts.WebSocketURL
	if strings.HasPrefix(u, ":") && proxied(r) {
		return ""
	}
	return u
}

// proxied reports whether r came through a reverse proxy. Behind one, a
// port of the daemon's host is seldom reachable by the browser, while the
// proxy's own /ws is.
func proxied(r *http.Request) bool {
	for _, k := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded"} {
		if r.Header.Get(k) != "" {
			return true
		}
	}
	return false
}

func (p *pageAssets) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := p.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+a.version+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.content))
}
