package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestPageServesIndex(t *testing.T) {
	h := Page(PageOptions{Name: `ACME <Status> & "Co"`, WebSocketURL: ":5011"})
	for _, path := range []string{"/", "/index.html"} {
		res, body := get(t, h, path, nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("Cache-Control %q", cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		for _, want := range []string{
			`<meta name="up-ws" content=":5011">`,
			`<title>ACME &lt;Status&gt; &amp; &#34;Co&#34;</title>`,
			`<h1 id="page-name">ACME &lt;Status&gt; &amp; &#34;Co&#34;</h1>`,
			`<header`, `<main id="main"`, `<footer`, `aria-live="polite"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %s", path, want)
			}
		}
	}
}

// The links webhooks carry open the page one level down; a <base> leads
// its relative URLs back to the root.
func TestPageServesItemLinks(t *testing.T) {
	h := Page(PageOptions{Name: "x"})
	for _, path := range []string{"/incidents/abc123", "/maintenance/db-upgrade"} {
		res, body := get(t, h, path, nil)
		if res.StatusCode != 200 || !strings.Contains(body, `<base href="../">`) || !strings.Contains(body, `<h1 id="page-name">x</h1>`) {
			t.Errorf("GET %s: %d\n%s", path, res.StatusCode, body)
		}
	}
	if _, body := get(t, h, "/", nil); strings.Contains(body, "<base") {
		t.Error("GET / has a <base>")
	}
	for _, path := range []string{"/incidents/", "/incidents/a/b", "/maintenance"} {
		if res, _ := get(t, h, path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
}

// Behind a reverse proxy the feed is on the page's origin, not on a port
// of the daemon's host.
func TestPageWebSocketURLBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		opt    string
		header http.Header
		want   string
	}{
		{":5011", nil, ":5011"},
		{":5011", http.Header{"X-Forwarded-For": {"10.0.0.1"}}, ""},
		{":5011", http.Header{"Forwarded": {"for=10.0.0.1;proto=https"}}, ""},
		{"wss://live.example.test/ws", http.Header{"X-Forwarded-Proto": {"https"}}, "wss://live.example.test/ws"},
		{"", nil, ""},
	} {
		h := Page(PageOptions{Name: "x", WebSocketURL: tc.opt})
		_, body := get(t, h, "/", tc.header)
		if want := `<meta name="up-ws" content="` + tc.want + `">`; !strings.Contains(body, want) {
			t.Errorf("WebSocketURL %q with %v: lacks %s", tc.opt, tc.header, want)
		}
	}
}

func TestPageServesAssets(t *testing.T) {
	h := Page(PageOptions{Name: "x"})
	_, index := get(t, h, "/", nil)
	refs := regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`).FindAllStringSubmatch(index, -1)
	if len(refs) != 3 {
		t.Fatalf("index references %v, want app.js, style.css and favicon.svg", refs)
	}
	types := map[string]string{
		"app.js":      "text/javascript; charset=utf-8",
		"style.css":   "text/css; charset=utf-8",
		"favicon.svg": "image/svg+xml",
	}
	for _, ref := range refs {
		url := "/" + strings.ReplaceAll(ref[1], "&amp;", "&")
		res, body := get(t, h, url, nil)
		if res.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("GET %s: %d, %d bytes", url, res.StatusCode, len(body))
		}
		name := strings.TrimPrefix(strings.SplitN(url, "?", 2)[0], "/assets/")
		if ct := res.Header.Get("Content-Type"); ct != types[name] {
			t.Errorf("%s: Content-Type %q, want %q", name, ct, types[name])
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s (versioned): Cache-Control %q", url, cc)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", url)
		}
		// Without the version, or with an old one, the browser revalidates.
		res, _ = get(t, h, "/assets/"+name, nil)
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s (unversioned): Cache-Control %q", name, cc)
		}
		res, _ = get(t, h, "/assets/"+name+"?v=old", http.Header{"If-None-Match": {etag}})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %d, want 304", name, res.StatusCode)
		}
	}
}

// The modules app.js imports are served too (unversioned: revalidated).
func TestPageServesModules(t *testing.T) {
	h := Page(PageOptions{Name: "x"})
	_, app := get(t, h, "/assets/app.js", nil)
	for _, name := range []string{"ui.js", "chart.js", "freshness.js"} {
		if !strings.Contains(app, "from './"+name+"'") {
			t.Errorf("app.js does not import %s", name)
		}
		res, body := get(t, h, "/assets/"+name, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(body, "export ") {
			t.Errorf("GET /assets/%s: %d %q", name, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

func TestPageRejects(t *testing.T) {
	h := Page(PageOptions{Name: "x"})
	for _, path := range []string{"/assets/nope.js", "/assets/", "/static/index.html", "/other", "/assets/../index.html"} {
		if res, _ := get(t, h, path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("HEAD", "/", nil))
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD /: %d with %d bytes", w.Code, w.Body.Len())
	}
}
