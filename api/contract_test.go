package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/up-status/up/config"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// contract checks exchanges with the real server against openapi.yaml:
// every response must be documented for its operation (status code,
// headers, body schema), every request the server accepted must be
// valid by the document, and a path or method the document lacks must
// be answered 404 or 405 as the document implies. It records which
// operations answered 2xx, for the coverage check.
type contract struct {
	doc    *openapi3.T
	router routers.Router

	mu   sync.Mutex
	seen map[string]map[int]bool // operationId -> status codes
}

func loadDoc(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPI)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	return doc
}

func newContract(t testing.TB, serverURL string) *contract {
	t.Helper()
	doc := loadDoc(t)
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc, router: r, seen: map[string]map[int]bool{}}
}

func (c *contract) check(t testing.TB, req *http.Request, body []byte, r *response) {
	t.Helper()
	if req.Method == http.MethodHead {
		return // implied for every documented GET
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(vreq)
	var re *routers.RouteError
	reason := ""
	if errors.As(err, &re) {
		reason = re.Reason
	}
	if _, item := c.pathItem(req.URL.Path); err != nil && item != nil && item.GetOperation(req.Method) == nil {
		// The legacy router tells a missing method from a missing path
		// for fixed paths only.
		reason = routers.ErrMethodNotAllowed.Error()
	}
	switch {
	case reason == routers.ErrMethodNotAllowed.Error():
		c.checkNotAllowed(t, req, r)
		return
	case reason == routers.ErrPathNotFound.Error():
		json := strings.HasPrefix(r.header.Get("Content-Type"), "application/json")
		refused := r.code == http.StatusUnauthorized && strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ")
		if !json || (r.code != http.StatusNotFound && !refused) {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") { // the status page's own routes
				t.Errorf("contract: %s %s is not in openapi.yaml but answered %s", req.Method, req.URL.Path, r)
			}
		}
		return
	case err != nil:
		t.Errorf("contract: %s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if r.code >= 200 && r.code < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("contract: the server accepted a request openapi.yaml refuses: %s %s %s: %v", req.Method, req.URL.Path, body, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 r.code,
		Header:                 r.header,
		Body:                   io.NopCloser(bytes.NewReader(r.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if ct := r.header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		// Pages, YAML and Prometheus text have no schema to check; their
		// media type must still be documented for the status.
		out.Options.ExcludeResponseBody = true
		if resp := route.Operation.Responses.Status(r.code); resp == nil || resp.Value.Content.Get(ct) == nil {
			t.Errorf("contract: %s %s answered %d %s, not documented", req.Method, req.URL.Path, r.code, ct)
		}
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("contract: %s %s answered %s, which openapi.yaml does not describe: %v", req.Method, req.URL.Path, r, err)
	}
	if req.Method == http.MethodOptions && r.code == http.StatusNoContent {
		c.checkAllow(t, req, r)
	}
	if r.code == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("contract: 401 without a Bearer challenge: %v", r.header)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := route.Operation.OperationID
	if c.seen[id] == nil {
		c.seen[id] = map[int]bool{}
	}
	c.seen[id][r.code] = true
}

// checkNotAllowed: the path is documented but not the method; the
// server must say 405 as the document's MethodNotAllowed response (a
// JSON error with Allow, which every operation of the path lists) and
// list exactly the documented methods. A wrong token is refused first.
func (c *contract) checkNotAllowed(t testing.TB, req *http.Request, r *response) {
	t.Helper()
	if r.code != http.StatusMethodNotAllowed && r.code != http.StatusUnauthorized {
		t.Errorf("contract: %s %s is not documented but answered %s", req.Method, req.URL.Path, r)
		return
	}
	p, item := c.pathItem(req.URL.Path)
	if item == nil {
		t.Errorf("contract: no documented path matches %s", req.URL.Path)
		return
	}
	// Validate the answer as the path's first operation documents it.
	for m, op := range item.Operations() {
		if m == http.MethodOptions {
			continue
		}
		route := &routers.Route{Spec: c.doc, Path: p, PathItem: item, Method: m, Operation: op}
		vreq := req.Clone(context.Background())
		vreq.Method = m
		in := &openapi3filter.RequestValidationInput{Request: vreq, Route: route, Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in,
			Status:                 r.code,
			Header:                 r.header,
			Body:                   io.NopCloser(bytes.NewReader(r.body)),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("contract: %s %s answered %s, which openapi.yaml does not describe for %s: %v", req.Method, req.URL.Path, r, m+" "+p, err)
		}
		break
	}
	if r.code == http.StatusMethodNotAllowed {
		c.checkAllow(t, req, r)
	}
}

// checkAllow: Allow lists exactly the path's documented methods, with
// HEAD (for GET) and OPTIONS.
func (c *contract) checkAllow(t testing.TB, req *http.Request, r *response) {
	t.Helper()
	var allowed []string
	for _, m := range strings.Split(r.header.Get("Allow"), ",") {
		allowed = append(allowed, strings.TrimSpace(m))
	}
	var documented []string
	if _, item := c.pathItem(req.URL.Path); item != nil {
		for m := range item.Operations() {
			documented = append(documented, m)
			if m == http.MethodGet {
				documented = append(documented, http.MethodHead)
			}
		}
	}
	sort.Strings(allowed)
	sort.Strings(documented)
	if !slices.Equal(allowed, documented) {
		t.Errorf("contract: %s answered Allow %v; openapi.yaml has %v", req.URL.Path, allowed, documented)
	}
}

// pathItem is the documented path that matches a concrete one.
func (c *contract) pathItem(path string) (string, *openapi3.PathItem) {
	for _, p := range c.doc.Paths.InMatchingOrder() {
		if pathMatches(p, path) {
			return p, c.doc.Paths.Value(p)
		}
	}
	return "", nil
}

// pathMatches matches a templated path against a concrete one.
func pathMatches(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}

// TestOpenAPIContract calls every documented operation, and the usual
// refusals, through the real handlers; every exchange is checked against
// openapi.yaml, and every operation must have answered 2xx at least once.
func TestOpenAPIContract(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	ctx := context.Background()
	json := header{"Accept": "application/json"}

	f.want(f.do("GET", "/", "", nil), 200)
	f.want(f.do("GET", "/", "", nil, header{"Accept": "text/html"}), 200)
	f.want(f.do("GET", "/healthz", "", nil), 200)
	f.want(f.do("GET", "/readyz", "", nil), 200)
	f.want(f.do("GET", "/openapi.yaml", "", nil), 200)
	f.want(f.do("GET", "/status", "", nil), 200)
	f.want(f.do("GET", "/uptime?days=7", "", nil), 200)
	f.want(f.do("GET", "/badge/website.svg", "", nil), 200)
	f.want(f.do("GET", "/feed.atom", "", nil), 200)
	mustApply(t, f.pushes, []*config.Check{{ID: "website.backup", Push: &config.PushCheck{Token: "push-token-0123456789", Period: time.Hour}}})
	f.want(f.do("GET", "/push/push-token-0123456789", "", nil), 200)
	f.clock.Add(time.Second)
	f.want(f.do("POST", "/push/push-token-0123456789?status=fail&msg=disk+full", "", nil), 200)
	f.want(f.do("POST", "/push/push-token-0123456789", "", nil), 429)
	f.want(f.do("GET", "/push/nope", "", nil), 404)
	f.want(f.do("POST", "/checks/website.backup/push-token", adminToken, nil), 200)
	f.want(f.do("POST", "/checks/website.nope/push-token", adminToken, nil), 404)
	f.want(f.do("GET", "/feed.rss", "", nil), 200)
	f.want(f.do("GET", "/badge/website.json", "", nil), 200)
	f.want(f.do("GET", "/badge/website/uptime.svg?days=7", "", nil), 200)

	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"name": "Login fails", "components": []string{"website"}, "body": "Looking."}), 201)
	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "id9", "name": "Old", "backfilled": true,
		"status": "RESOLVED", "created_at": "2026-11-20T10:00:00Z", "resolved_at": "2026-11-20T11:00:00+01:00"}), 201)
	incs := f.want(f.do("GET", "/incidents", "", nil), 200).list(t)
	id := incs[0]["id"].(string)
	f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": id, "status": "IDENTIFIED", "body": "Found it."}), 200)
	f.want(f.do("GET", "/incidents/"+id, "", nil), 200)
	f.want(f.do("DELETE", "/incidents/id9", editorToken, nil), 204)

	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "Router swap", "components": []string{"website"},
		"start": "2026-11-27T02:00:00Z", "duration": "90"}), 201)
	ms := f.want(f.do("GET", "/maintenance", "", nil), 200).list(t)
	f.want(f.do("GET", "/maintenance/db-upgrade", "", nil), 200)
	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "body": "Backups done."}), 200)
	for _, m := range ms {
		if m["source"] == "api" {
			f.want(f.do("DELETE", "/maintenance/"+m["id"].(string), editorToken, nil), 204)
		}
	}

	f.want(f.do("GET", "/metrics", "", nil), 200)
	f.want(f.do("GET", "/metrics", "", nil, json), 200)
	f.want(f.do("PUT", "/metrics", editorToken, map[string]any{"id": "signups", "name": "Signups", "unit": "1/h",
		"points": []map[string]any{{"timestamp": "2026-11-26T11:00:00Z", "value": 42}}}), 201)
	f.want(f.do("GET", "/metrics/signups?from=2026-11-26T00:00:00Z", "", nil), 200)
	f.want(f.do("GET", "/metrics/website.home", "", nil), 200)
	f.want(f.do("DELETE", "/metrics/signups", editorToken, nil), 204)

	f.want(f.do("GET", "/components", "", nil), 200)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "name": "CDN", "group": "web"}), 201)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "website", "status": "MAJOROUTAGE", "override_until": "2026-11-26T13:00:00Z"}), 200)
	f.want(f.do("GET", "/components/group/web", "", nil), 200)
	f.want(f.do("DELETE", "/components/cdn", editorToken, nil), 204)

	f.want(f.do("GET", "/groups", "", nil), 200)
	f.want(f.do("PUT", "/groups", editorToken, map[string]any{"id": "edge", "name": "Edge"}), 201)
	f.want(f.do("GET", "/groups/status/OPERATIONAL", "", nil), 200)
	f.want(f.do("DELETE", "/groups/edge", editorToken, nil), 204)

	f.want(f.do("GET", "/users", adminToken, nil), 200)
	f.want(f.do("PUT", "/users", adminToken, map[string]any{"id": "ann", "role": "editor", "email": "ann@example.com"}), 201)
	f.want(f.do("GET", "/users/role/editor", adminToken, nil), 200)
	f.want(f.do("DELETE", "/users/ann", adminToken, nil), 204)

	f.want(f.do("GET", "/subscribers", adminToken, nil), 200)
	f.want(f.do("PUT", "/subscribers", adminToken, map[string]any{"id": "chat", "url": "https://chat.example/hook", "secret": "k"}), 201)
	f.want(f.do("GET", "/subscribers/chat", adminToken, nil), 200)
	f.want(f.do("POST", "/subscribers/chat/resume", adminToken, nil), 200)
	f.want(f.do("DELETE", "/subscribers/chat", adminToken, nil), 204)

	if err := f.store.Apply(ctx, nil, []store.Delivery{{ID: "d1", Subscriber: "ops", Event: "incident", Payload: []byte(`{}`), State: store.Dead, CreatedAt: start}}); err != nil {
		t.Fatal(err)
	}
	f.want(f.do("GET", "/deliveries?state=dead", adminToken, nil), 200)
	f.want(f.do("POST", "/deliveries/d1/replay", adminToken, nil), 204)

	f.want(f.do("GET", "/unsubscribe/ops-unsubscribe-token", "", nil), 200)
	f.want(f.do("POST", "/unsubscribe/ops-unsubscribe-token", "", nil), 200)

	// Refusals, each checked against the document too.
	f.want(f.do("GET", "/users", "", nil), 401)
	f.want(f.do("GET", "/users", viewerToken, nil), 403)
	f.want(f.do("PUT", "/incidents", editorToken, `{"nme": "typo"}`), 400)
	f.want(f.do("PUT", "/incidents", editorToken, "x", header{"Content-Type": "text/plain"}), 415)
	f.want(f.do("PUT", "/groups", editorToken, strings.Repeat(" ", maxBody+1)), 413)
	f.want(f.do("GET", "/incidents/nope", "", nil), 404)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "website", "name": "Renamed"}), 409)
	f.want(f.do("PATCH", "/incidents", editorToken, nil), 405)
	f.want(f.do("POST", "/status", "", nil), 405)
	f.want(f.do("GET", "/no/such/route", "", nil, json), 404)
	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "impact": "MAJOROUTAGE"}), 400)

	// Every path answers OPTIONS with 204 and Allow, any method it does
	// not take with a JSON 405 and Allow, and a wrong token with 401,
	// also where no token is needed.
	for _, p := range f.contract.doc.Paths.InMatchingOrder() {
		path := strings.NewReplacer("{id}", "x", "{type}", "id", "{token}", "ops-unsubscribe-token", "{file}", "website.svg").Replace(p)
		r := f.want(f.do("OPTIONS", path, "", nil), 204)
		if len(r.body) != 0 {
			t.Errorf("OPTIONS %s: body %q", path, r.body)
		}
		f.wantError(f.do("PATCH", path, editorToken, nil), 405, "PATCH")
		f.wantError(f.do("GET", path, "wrong-token-0123456789", nil), 401, "unknown token")
	}

	f.contract.mu.Lock()
	defer f.contract.mu.Unlock()
	for _, p := range f.contract.doc.Paths.InMatchingOrder() {
		for m, op := range f.contract.doc.Paths.Value(p).Operations() {
			ok := false
			for code := range f.contract.seen[op.OperationID] {
				ok = ok || code < 300
			}
			if !ok {
				t.Errorf("operation %s (%s %s) was never answered 2xx in the contract test", op.OperationID, m, p)
			}
		}
	}
}

// TestOpenAPIMatchesRoutes: the document and the server's routes are the
// same set, so neither can grow alone.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t, fixtureOptions{noContract: true})
	doc := loadDoc(t)
	var documented []string
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		if item.Options == nil {
			t.Errorf("openapi.yaml: %s has no options operation", p)
		}
		for m := range item.Operations() {
			if m != http.MethodOptions { // every path takes it; the index lists the others
				documented = append(documented, m+" "+p)
			}
		}
	}
	served := slices.Clone(f.server.routes)
	sort.Strings(documented)
	sort.Strings(served)
	if !slices.Equal(documented, served) {
		t.Errorf("openapi.yaml and the server differ:\ndocumented %v\nserved     %v", documented, served)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	r := f.do("GET", "/openapi.yaml", "", nil)
	if !bytes.Equal(r.body, openAPI) || r.header.Get("Content-Type") != "application/yaml" {
		t.Errorf("GET /openapi.yaml does not serve the embedded document")
	}
	// The document's word lists are the engine's.
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	for name, words := range map[string][]string{
		"ComponentStatus":   strs(status.ComponentStatuses),
		"IncidentStatus":    strs(status.IncidentStatuses),
		"MaintenanceStatus": strs(status.MaintenanceStatuses),
		"PageStatus":        strs(status.PageStatuses),
	} {
		if got := enum(name); !slices.Equal(got, words) {
			t.Errorf("%s: openapi.yaml has %v, the engine %v", name, got, words)
		}
	}
}

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i := range v {
		out[i] = string(v[i])
	}
	return out
}
