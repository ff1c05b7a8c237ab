package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/up-status/up/status"
)

// TestStatusShape pins GET /status to the keys the status page is built
// against, at every level, and checks the values follow the engine.
func TestStatusShape(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.backend.observe(t, "website.home", status.Fail, 3)
	f.backend.observe(t, "website.ping", status.Fail, 3)
	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "Swap", "components": []string{"docs"},
		"start": "2026-11-26T11:00:00Z", "duration": "2h", "description": "Docs are read-only."}), 201)

	r := f.want(f.do("GET", "/status", "", nil), 200)
	var s struct {
		Page        map[string]any   `json:"page"`
		Groups      []map[string]any `json:"groups"`
		Components  []map[string]any `json:"components"`
		Incidents   []map[string]any `json:"incidents"`
		Maintenance []map[string]any `json:"maintenance"`
	}
	keys(t, "status", r.object(t), "page", "groups", "components", "incidents", "maintenance", "as_of")
	// A single instance is always current: as_of is the request's time.
	if asOf := r.object(t)["as_of"]; asOf != "2026-11-26T12:00:00.000Z" {
		t.Errorf("as_of %v, want the fixture's now", asOf)
	}
	r.decode(t, &s)
	keys(t, "page", s.Page, "id", "name", "url", "status_indicator", "status_description")
	if s.Page["url"] != "http://status.example" || s.Page["status_indicator"] != "HASISSUES" || s.Page["status_description"] != "Major System Outage" {
		t.Errorf("page %v", s.Page)
	}
	if len(s.Groups) != 1 {
		t.Fatalf("groups %v", s.Groups)
	}
	keys(t, "group", s.Groups[0], "id", "name", "description", "status", "components")
	if s.Groups[0]["status"] != "MAJOROUTAGE" {
		t.Errorf("group %v", s.Groups[0])
	}
	if len(s.Components) != 3 || s.Components[0]["id"] != "website" || s.Components[2]["id"] != "docs" {
		t.Fatalf("components in page order: %v", s.Components)
	}
	for _, c := range s.Components {
		keys(t, "component", c, "id", "name", "description", "group", "status", "created_at", "updated_at", "checks", "old_status")
		if c["old_status"] != "" {
			t.Errorf("component %v: a snapshot reports no change", c)
		}
	}
	checks := s.Components[0]["checks"].([]any)
	if len(checks) != 2 {
		t.Fatalf("checks %v", checks)
	}
	ch := checks[0].(map[string]any)
	keys(t, "check", ch, "id", "state", "last_result", "last_latency_ms", "last_error")
	if ch["id"] != "website.home" || ch["state"] != "DOWN" || ch["last_latency_ms"] != 12.0 || ch["last_error"] != "connection refused" ||
		ch["last_result"] != "2026-11-26T12:00:00.000Z" {
		t.Errorf("check %v", ch)
	}
	if s.Components[2]["status"] != "UNDERMAINTENANCE" {
		t.Errorf("docs under maintenance: %v", s.Components[2])
	}
	if len(s.Incidents) != 1 {
		t.Fatalf("incidents %v", s.Incidents)
	}
	keys(t, "incident", s.Incidents[0], "backfilled", "created_at", "impact", "name", "resolved_at", "status",
		"updated_at", "id", "url", "incident_updates", "components")
	inc := s.Incidents[0]
	if inc["status"] != "INVESTIGATING" || inc["impact"] != "MAJOROUTAGE" || inc["resolved_at"] != "" ||
		inc["url"] != "http://status.example/incidents/"+inc["id"].(string) {
		t.Errorf("incident %v", inc)
	}
	u := inc["incident_updates"].([]any)[0].(map[string]any)
	keys(t, "incident update", u, "id", "incident_id", "body", "status", "created_at", "updated_at")
	if len(s.Maintenance) != 2 {
		t.Fatalf("maintenance %v", s.Maintenance)
	}
	for _, m := range s.Maintenance {
		keys(t, "maintenance", m, "backfilled", "created_at", "impact", "name", "resolved_at", "status", "updated_at",
			"id", "url", "duration", "maintenance_updates", "components", "start", "end", "description")
	}
	// Latest start first: tomorrow's window, then today's.
	if s.Maintenance[0]["id"] != "db-upgrade" || s.Maintenance[1]["status"] != "INPROGRESS" ||
		s.Maintenance[1]["duration"] != "120" || s.Maintenance[1]["end"] != "2026-11-26T13:00:00.000Z" ||
		s.Maintenance[1]["description"] != "Docs are read-only." {
		t.Errorf("maintenance %v", s.Maintenance)
	}

	// The WebSocket hub sends the same body, less as_of.
	body, err := StatusJSON(f.backend.Snapshot(), Page{ID: "acme", Name: "ACME Status", URL: "http://status.example/"})
	if err != nil {
		t.Fatal(err)
	}
	body = append(bytes.TrimSuffix(body, []byte("}")), `,"as_of":"2026-11-26T12:00:00.000Z"}`...)
	if !bytes.Equal(body, r.body) {
		t.Errorf("StatusJSON and as_of differ from GET /status:\n%s\n%s", body, r.body)
	}
}

// TestStatusCaching: /status revalidates with ETag, gzips when asked,
// and changes as soon as the engine does.
func TestStatusCaching(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r1 := f.want(f.do("GET", "/status", "", nil), 200)
	etag := r1.header.Get("ETag")
	if etag == "" || r1.header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("headers %v", r1.header)
	}
	f.want(f.do("GET", "/status", "", nil, header{"If-None-Match": etag}), 304)

	// Go's client asks for gzip and unpacks it unless asked itself.
	req, _ := http.NewRequest("GET", f.http.URL+"/status", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := f.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not gzipped: %v", resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, r1.body) {
		t.Errorf("gzip body differs")
	}

	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "docs", "status": "PARTIALOUTAGE"}), 200)
	r2 := f.want(f.do("GET", "/status", "", nil, header{"If-None-Match": etag}), 200)
	if r2.header.Get("ETag") == etag || !strings.Contains(string(r2.body), "PARTIALOUTAGE") {
		t.Errorf("the cache did not follow the change: %s", r2)
	}
	head, err := f.http.Client().Head(f.http.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.StatusCode != 200 {
		t.Errorf("HEAD /status: %d", head.StatusCode)
	}
}

// TestStatusCacheKey: two snapshots share a key only when they share
// their arrays.
func TestStatusCacheKey(t *testing.T) {
	f := newFixture(t, fixtureOptions{noContract: true})
	a := f.backend.Snapshot()
	b := f.backend.Snapshot()
	if keyOf(&a) != keyOf(&b) {
		t.Error("the same published snapshot has two keys")
	}
	f.backend.tick(t)
	f.backend.observe(t, "api.http", status.OK, 1)
	c := f.backend.Snapshot()
	if keyOf(&a) == keyOf(&c) {
		t.Error("a new snapshot has the old key")
	}
	var empty status.Snapshot
	if keyOf(&empty) == keyOf(&a) {
		t.Error("an empty snapshot has the key of a full one")
	}
}
