package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

func TestComponentsRead(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	list := f.want(f.do("GET", "/components", "", nil), 200).list(t)
	if len(list) != 3 || list[0]["id"] != "website" || list[1]["id"] != "api" || list[2]["id"] != "docs" {
		t.Fatalf("page order: %v", list)
	}
	keys(t, "component", list[0], "id", "name", "description", "group", "status", "created_at", "updated_at", "checks",
		"override", "override_until", "source")
	if list[0]["source"] != "config" || len(list[0]["checks"].([]any)) != 2 {
		t.Errorf("%v", list[0])
	}
	byGroup := f.want(f.do("GET", "/components/group/web", "", nil), 200).list(t)
	if len(byGroup) != 2 || byGroup[0]["id"] != "website" || byGroup[1]["id"] != "docs" {
		t.Errorf("group web: %v", byGroup)
	}
	if l := f.want(f.do("GET", "/components/status/OPERATIONAL", "", nil), 200).list(t); len(l) != 3 {
		t.Errorf("operational: %v", l)
	}
	if l := f.want(f.do("GET", "/components/status/MAJOROUTAGE", "", nil), 200).list(t); len(l) != 0 {
		t.Errorf("major outage: %v", l)
	}
	if l := f.want(f.do("GET", "/components/id/api", "", nil), 200).list(t); len(l) != 1 || l[0]["id"] != "api" {
		t.Errorf("id api: %v", l)
	}
	f.wantError(f.do("GET", "/components/id/nope", "", nil), 404, "nope")
	f.wantError(f.do("GET", "/components/group/nope", "", nil), 404, "group")
	f.wantError(f.do("GET", "/components/status/DOWN", "", nil), 400, "DOWN")
	f.wantError(f.do("GET", "/components/colour/red", "", nil), 400, "unknown type", "id, group or status")
	f.wantError(f.do("GET", "/components/id/"+strings.Repeat("a", 65), "", nil), 400, "not a valid id")
	f.wantError(f.do("GET", "/components/id/a%20b", "", nil), 400, "not a valid id")
}

func TestComponentsWrite(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r := f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "name": "CDN", "group": "web", "status": "DEGRADEDPERFORMANCE"}), 201)
	c := r.object(t)
	if r.header.Get("Location") != "/components/id/cdn" || c["status"] != "DEGRADEDPERFORMANCE" || c["source"] != "api" || c["override"] != "" {
		t.Fatalf("created %v", c)
	}
	if g := f.want(f.do("GET", "/groups/id/web", "", nil), 200).list(t)[0]; g["status"] != "DEGRADEDPERFORMANCE" {
		t.Errorf("group does not follow: %v", g)
	}
	c = f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "description": "Edge cache", "status": "OPERATIONAL"}), 200).object(t)
	if c["description"] != "Edge cache" || c["status"] != "OPERATIONAL" {
		t.Errorf("%v", c)
	}
	// A server id when none is sent.
	c = f.want(f.do("PUT", "/components", editorToken, map[string]any{"name": "Search"}), 201).object(t)
	if id, _ := c["id"].(string); !validID(id) {
		t.Errorf("server id %q", id)
	}
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "group": "nope"}), 400, "unknown group")
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "status": "GREEN"}), 400, "GREEN")
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "status": ""}), 400, "no checks")
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{"id": "cdn", "override_until": "2026-11-27T00:00:00Z"}), 400, "needs a status")
	f.want(f.do("DELETE", "/components/cdn", editorToken, nil), 204)
	f.want(f.do("DELETE", "/components/cdn", editorToken, nil), 404)
	f.wantError(f.do("DELETE", "/components/website", editorToken, nil), 409, "configuration file")
}

// TestComponentOverride: a status set by hand on a component with checks
// wins until it expires or is cleared, and survives a reload of the file.
func TestComponentOverride(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{"id": "website", "name": "Web"}), 409, "configuration file", "change it there")
	c := f.want(f.do("PUT", "/components", editorToken, map[string]any{
		"id": "website", "status": "PARTIALOUTAGE", "override_until": "2026-11-26T13:00:00Z",
	}), 200).object(t)
	if c["status"] != "PARTIALOUTAGE" || c["override"] != "PARTIALOUTAGE" || c["override_until"] != "2026-11-26T13:00:00.000Z" {
		t.Fatalf("override %v", c)
	}
	// Extending it to the status it already shows.
	c = f.want(f.do("PUT", "/components", editorToken, map[string]any{
		"id": "website", "status": "PARTIALOUTAGE", "override_until": "2026-11-26T14:00:00Z",
	}), 200).object(t)
	if c["override_until"] != "2026-11-26T14:00:00.000Z" {
		t.Errorf("extended %v", c)
	}
	if err := f.backend.Change(context.Background(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.Reconfigure(now, testSpec())
	}); err != nil {
		t.Fatal(err)
	}
	if c = f.want(f.do("GET", "/components/id/website", "", nil), 200).list(t)[0]; c["override"] != "PARTIALOUTAGE" {
		t.Errorf("a reload undid the override: %v", c)
	}
	stored, err := f.store.Components(context.Background())
	if err != nil || stored[0].Override != status.PartialOutage {
		t.Errorf("store: %v %v", stored, err)
	}
	// Sent back as read: nothing changes.
	before := len(f.backend.eventKinds())
	f.want(f.do("PUT", "/components", editorToken, c), 200)
	if after := len(f.backend.eventKinds()); after != before {
		t.Errorf("a round trip made %d events", after-before)
	}
	c = f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "website", "status": ""}), 200).object(t)
	if c["override"] != "" || c["status"] != "OPERATIONAL" {
		t.Errorf("cleared %v", c)
	}
	f.wantError(f.do("PUT", "/components", editorToken, map[string]any{
		"id": "website", "status": "MAJOROUTAGE", "override_until": "2026-11-26T11:00:00Z",
	}), 400, "not in the future")
}

func TestGroups(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	g := f.want(f.do("GET", "/groups", "", nil), 200).list(t)
	if len(g) != 1 {
		t.Fatalf("%v", g)
	}
	keys(t, "group", g[0], "id", "name", "description", "status", "components", "source")
	if g[0]["source"] != "config" {
		t.Errorf("%v", g[0])
	}
	f.wantError(f.do("PUT", "/groups", editorToken, map[string]any{"id": "web", "name": "Web"}), 409, "configuration file")
	f.want(f.do("PUT", "/groups", editorToken, map[string]any{"id": "web", "name": "Website"}), 200)
	created := f.want(f.do("PUT", "/groups", editorToken, map[string]any{"id": "edge", "name": "Edge"}), 201).object(t)
	if created["source"] != "api" || created["status"] != "OPERATIONAL" {
		t.Errorf("%v", created)
	}
	f.want(f.do("PUT", "/groups", editorToken, map[string]any{"id": "edge", "description": "CDN and DNS"}), 200)
	f.want(f.do("PUT", "/components", editorToken, map[string]any{"id": "dns", "name": "DNS", "group": "edge", "status": "MAJOROUTAGE"}), 201)
	if l := f.want(f.do("GET", "/groups/status/MAJOROUTAGE", "", nil), 200).list(t); len(l) != 1 || l[0]["id"] != "edge" {
		t.Errorf("by status: %v", l)
	}
	f.wantError(f.do("DELETE", "/groups/edge", editorToken, nil), 409, "still has components")
	f.want(f.do("DELETE", "/components/dns", editorToken, nil), 204)
	f.want(f.do("DELETE", "/groups/edge", editorToken, nil), 204)
	f.wantError(f.do("GET", "/groups/id/edge", "", nil), 404, "edge")
	f.wantError(f.do("DELETE", "/groups/web", editorToken, nil), 409, "configuration file")
	f.wantError(f.do("GET", "/groups/name/web", "", nil), 400, "id or status")
	f.wantError(f.do("PUT", "/groups", editorToken, map[string]any{"id": "x"}), 400, "needs a name")
}
