package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

func TestErrorResponses(t *testing.T) {
	f := newFixture(t, fixtureOptions{})

	r := f.do("DELETE", "/status", editorToken, nil)
	f.wantError(r, 405, "DELETE", "GET")
	if r.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = f.do("POST", "/incidents", editorToken, "{}")
	f.wantError(r, 405)
	if r.header.Get("Allow") != "GET, HEAD, PUT, OPTIONS" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = f.do("OPTIONS", "/components/website", "", nil)
	if r.code != 204 || r.header.Get("Allow") != "DELETE, OPTIONS" {
		t.Errorf("OPTIONS: %s %v", r, r.header)
	}
	f.wantError(f.do("GET", "/nope", "", nil, header{"Accept": "application/json"}), 404, "no route")
	f.wantError(f.do("GET", "/nope", "", nil), 404, "no route") // no status page: JSON all the same
	f.wantError(f.do("POST", "/", "", nil), 405)

	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":"x"}`, header{"Content-Type": "text/plain"}), 415, "application/json")
	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":"x"}`, header{"Content-Type": ""}), 415)
	f.want(f.do("PUT", "/groups", editorToken, `{"name":"x"}`, header{"Content-Type": "application/json; charset=utf-8"}), 201)
	big := `{"name":"` + strings.Repeat("x", maxBody) + `"}`
	f.wantError(f.do("PUT", "/groups", editorToken, big), 413, "larger")
	// Exactly at the limit is read (and refused for what it says).
	atLimit := `{"name":"` + strings.Repeat("x", maxBody-11) + `"}`
	f.wantError(f.do("PUT", "/groups", editorToken, atLimit), 400, "longer")
	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":"x"}`+strings.Repeat(" ", maxBody)+`{}`), 413)
	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":"x", "name2": 1}`), 400, `unknown field "name2"`)
	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":"x",}`), 400, "invalid JSON at byte")
	f.wantError(f.do("PUT", "/groups", editorToken, `{"NAME":"x"}`), 400, `unknown field "NAME"`)
	f.wantError(f.do("PUT", "/metrics", editorToken, `{"id":"m","points":[{"timestamp":"2026-11-26T10:00:00Z","Value":1}]}`), 400, `unknown field "points[0].Value"`)
	f.wantError(f.do("PUT", "/groups", editorToken, `{"name":["x"]}`), 400, `"name"`, "a string")
	f.wantError(f.do("GET", "/incidents/"+strings.Repeat("a", 65), "", nil), 400, "not a valid id")
	f.wantError(f.do("GET", "/incidents/-a", "", nil), 400, "not a valid id")
	f.wantError(f.do("GET", "/incidents?limit=0", "", nil), 400, "limit")

	// Errors are never cached and never carry more than the message.
	r = f.do("GET", "/incidents/nope", "", nil)
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("error headers %v", r.header)
	}
}

func TestIndexAndHealth(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	idx := f.want(f.do("GET", "/", "", nil), 200).object(t)
	if idx["name"] != "up" || idx["version"] != "test" || idx["documentation"] != "/openapi.yaml" {
		t.Errorf("%v", idx)
	}
	routes := idx["routes"].([]any)
	if len(routes) < 30 || routes[0] != "GET /" {
		t.Errorf("routes %v", routes)
	}
	html := f.want(f.do("GET", "/", "", nil, header{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}), 200)
	if !strings.Contains(string(html.body), "<h1>ACME Status</h1>") || !strings.HasPrefix(html.header.Get("Content-Type"), "text/html") {
		t.Errorf("placeholder %s", html)
	}
	if h := f.want(f.do("GET", "/healthz", "", nil), 200).object(t); h["status"] != "ok" {
		t.Errorf("%v", h)
	}
	if h := f.want(f.do("GET", "/readyz", "", nil), 200).object(t); h["status"] != "ready" {
		t.Errorf("%v", h)
	}
	f.store.Close()
	f.wantError(f.do("GET", "/readyz", "", nil), 503, "store")
	f.want(f.do("GET", "/healthz", "", nil), 200)
}

// TestStatusPageRouting: browsers get the status page at / and at the
// links webhooks carry; API clients get JSON there.
func TestStatusPageRouting(t *testing.T) {
	f := newFixture(t, fixtureOptions{statusPage: strictPage()})
	browser := header{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
	// The lists are shown by the page itself: it is asked for its root
	// (the page serves its own links only, and once answered a plain
	// 404 at /incidents and /maintenance).
	for path, served := range map[string]string{"/": "/", "/incidents/abc": "/incidents/abc",
		"/maintenance/db-upgrade": "/maintenance/db-upgrade", "/incidents": "/", "/maintenance": "/",
		"/incidents?limit=5": "/", "/assets/app.js": "/assets/app.js"} {
		r := f.want(f.do("GET", path, "", nil, browser), 200)
		if string(r.body) != "<p>page "+served+"</p>" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %s", path, r)
		}
	}
	// Script and style requests send */*: the page serves its assets.
	if r := f.want(f.do("GET", "/assets/app.js", "", nil, header{"Accept": "*/*"}), 200); string(r.body) != "<p>page /assets/app.js</p>" {
		t.Errorf("asset: %s", r)
	}
	if l := f.want(f.do("GET", "/incidents", "", nil, header{"Accept": "application/json"}), 200).list(t); l == nil {
		t.Errorf("/incidents as JSON: %v", l)
	}
	if m := f.want(f.do("GET", "/maintenance/db-upgrade", "", nil, header{"Accept": "application/json"}), 200).object(t); m["id"] != "db-upgrade" {
		t.Errorf("%v", m)
	}
	f.wantError(f.do("GET", "/nope", "", nil, header{"Accept": "application/json"}), 404, "no route")
	f.wantError(f.do("DELETE", "/nope", "", nil), 404, "no route")
}

// panicky is a backend that fails in a way no request should cause.
type panicky struct{ Backend }

func (panicky) Snapshot() status.Snapshot { panic("snapshot exploded at engine.go:42") }

// TestPanicIsA500WithoutDetails: a fault of ours answers 500 with a
// plain message; the details go to the log only.
func TestPanicIsA500WithoutDetails(t *testing.T) {
	f := newFixture(t, fixtureOptions{noContract: true})
	s, err := New(Options{Backend: panicky{f.backend}, Store: f.store, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	body := rec.Body.String()
	if rec.Code != 500 || strings.Contains(body, "exploded") || strings.Contains(body, "goroutine") || !strings.Contains(body, `"error"`) {
		t.Errorf("%d %s", rec.Code, body)
	}
	if _, err := New(Options{Store: f.store}); err == nil {
		t.Error("New without a Backend")
	}
	if _, err := New(Options{Backend: f.backend}); err == nil {
		t.Error("New without a Store")
	}
}

// strictPage stands in for the status page as package web serves it: the
// page at / and at the links webhooks carry, its assets, and a plain 404
// for anything else.
func strictPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		item := func(prefix string) bool {
			id, ok := strings.CutPrefix(p, prefix)
			return ok && id != "" && !strings.Contains(id, "/")
		}
		if p != "/" && !item("/incidents/") && !item("/maintenance/") && !strings.HasPrefix(p, "/assets/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>page " + p + "</p>"))
	})
}

func TestDuplicateKeysAreRefused(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	for body, want := range map[string]string{
		`{"name":"a","name":"b"}`: `{"error":"duplicate key \"name\""}`,
		`{"id":"m","points":[{"timestamp":"2026-11-26T10:00:00Z","value":1},{"timestamp":"2026-11-26T10:01:00Z","value":1,"value":2}]}`: `{"error":"duplicate key \"points[1].value\""}`,
		// Also inside a field the API reads as raw JSON.
		`{"name":"x","components":[],"start":"2026-11-27T02:00:00Z","duration":{"a":1,"a":2}}`: `{"error":"duplicate key \"duration.a\""}`,
	} {
		path := "/groups"
		if strings.Contains(body, "points") {
			path = "/metrics"
		} else if strings.Contains(body, "duration") {
			path = "/maintenance"
		}
		r := f.want(f.do("PUT", path, editorToken, body), 400)
		if string(r.body) != want+"\n" {
			t.Errorf("%s: got %s, want %s", body, r.body, want)
		}
	}
	// The same key in sibling objects is no duplicate.
	f.want(f.do("PUT", "/metrics", editorToken, `{"id":"m","points":[{"timestamp":"2026-11-26T10:00:00Z","value":1},{"timestamp":"2026-11-26T10:01:00Z","value":2}]}`), 201)
	if gs := f.want(f.do("GET", "/groups", "", nil), 200).list(t); len(gs) != 1 {
		t.Errorf("a refused body created a group: %v", gs)
	}
}

// unavailable is a backend whose store cannot take writes: Change
// applies nothing and says so with store.ErrUnavailable.
type unavailable struct{ *backend }

func (u unavailable) Change(ctx context.Context, fn func(e *status.Engine, now time.Time) ([]status.Event, error)) error {
	return fmt.Errorf("persist: %w", store.ErrUnavailable)
}

// TestStoreUnavailableIsRetryLater: a write the store cannot take is
// refused with 503 and Retry-After, and nothing is applied.
func TestStoreUnavailableIsRetryLater(t *testing.T) {
	f := newFixture(t, fixtureOptions{wrap: func(b *backend) Backend { return unavailable{b} }})
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/incidents", map[string]any{"name": "Login fails", "components": []string{"website"}}},
		{"PUT", "/components", map[string]any{"id": "cdn", "name": "CDN"}},
		{"DELETE", "/maintenance/db-upgrade", nil},
	} {
		r := f.do(c.method, c.path, editorToken, c.body)
		f.wantError(r, 503, "nothing was changed", "retry")
		if r.header.Get("Retry-After") != "5" {
			t.Errorf("%s %s: Retry-After %q", c.method, c.path, r.header.Get("Retry-After"))
		}
	}
	if incs := f.want(f.do("GET", "/incidents", "", nil), 200).list(t); len(incs) != 0 {
		t.Errorf("incidents after refused writes: %v", incs)
	}
	f.want(f.do("GET", "/maintenance/db-upgrade", "", nil), 200)
}

// TestReadyzSaysWhy: the daemon's reason not to be ready is the answer.
func TestReadyzSaysWhy(t *testing.T) {
	var reason error
	f := newFixture(t, fixtureOptions{ready: func() error { return reason }})
	f.want(f.do("GET", "/readyz", "", nil), 200)
	reason = errors.New("the store refused the last write: disk full")
	r := f.want(f.do("GET", "/readyz", "", nil), 503)
	if want := `{"error":"the store refused the last write: disk full"}` + "\n"; string(r.body) != want {
		t.Errorf("got %s, want %s", r.body, want)
	}
	reason = nil
	f.want(f.do("GET", "/readyz", "", nil), 200)
}
