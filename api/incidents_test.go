package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

func TestIncidentLifecycle(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	r := f.want(f.do("PUT", "/incidents", editorToken, map[string]any{
		"name": "Logins fail", "components": []string{"website"}, "impact": "MAJOROUTAGE", "body": "We are looking into it.",
	}), 201)
	inc := r.object(t)
	id := inc["id"].(string)
	if r.header.Get("Location") != "/incidents/"+id || inc["status"] != "INVESTIGATING" || inc["auto"] != false ||
		inc["created_at"] != "2026-11-26T12:00:00.000Z" || inc["resolved_at"] != "" {
		t.Fatalf("created %v", inc)
	}
	if !slices.Contains(f.backend.eventKinds(), status.IncidentChanged) {
		t.Error("no engine event: webhooks would not fire")
	}

	f.clock.Add(time.Minute)
	upd := map[string]any{"id": id, "status": "IDENTIFIED", "body": "A bad deploy."}
	inc = f.want(f.do("PUT", "/incidents", editorToken, upd), 200).object(t)
	updates := inc["incident_updates"].([]any)
	if inc["status"] != "IDENTIFIED" || len(updates) != 2 || updates[0].(map[string]any)["body"] != "A bad deploy." {
		t.Fatalf("updated %v", inc)
	}
	// A retry adds nothing.
	inc = f.want(f.do("PUT", "/incidents", editorToken, upd), 200).object(t)
	if n := len(inc["incident_updates"].([]any)); n != 2 {
		t.Errorf("retry added an update: %d", n)
	}
	// Sending back what was read, with a change, works.
	inc["body"] = "Rolled back; watching."
	inc["status"] = "MONITORING"
	f.want(f.do("PUT", "/incidents", editorToken, inc), 200)

	f.clock.Add(time.Minute)
	inc = f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": id, "status": "RESOLVED"}), 200).object(t)
	if inc["resolved_at"] != "2026-11-26T12:02:00.000Z" {
		t.Errorf("resolved %v", inc)
	}
	got := f.want(f.do("GET", "/incidents/"+id, "", nil), 200).object(t)
	if got["status"] != "RESOLVED" || len(got["incident_updates"].([]any)) != 4 {
		t.Errorf("get %v", got)
	}
	stored, err := f.store.Incident(context.Background(), id)
	if err != nil || stored.Status != status.Resolved {
		t.Errorf("store has %v, %v", stored.Status, err)
	}

	f.want(f.do("DELETE", "/incidents/"+id, editorToken, nil), 204)
	f.wantError(f.do("GET", "/incidents/"+id, "", nil), 404, id)
	f.wantError(f.do("DELETE", "/incidents/"+id, editorToken, nil), 404, id)
}

func TestIncidentBackfill(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	inc := f.want(f.do("PUT", "/incidents", editorToken, map[string]any{
		"id": "outage-2026-11-01", "name": "Power cut", "backfilled": true, "status": "RESOLVED",
		"created_at": "2026-11-01T08:00:00+01:00", "resolved_at": "2026-11-01T09:30:00Z",
	}), 201).object(t)
	if inc["backfilled"] != true || inc["created_at"] != "2026-11-01T07:00:00.000Z" || inc["resolved_at"] != "2026-11-01T09:30:00.000Z" {
		t.Errorf("backfilled %v", inc)
	}
	f.wantError(f.do("PUT", "/incidents", editorToken, map[string]any{
		"name": "Later", "backfilled": true, "created_at": "2027-01-01T00:00:00Z",
	}), 400, "future")
}

// TestIncidentTakeOver: an automatic incident changed by hand is the
// person's from then on.
func TestIncidentTakeOver(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	f.backend.observe(t, "api.http", status.Fail, 3)
	list := f.want(f.do("GET", "/incidents", "", nil), 200).list(t)
	if len(list) != 1 || list[0]["auto"] != true || list[0]["impact"] != "MAJOROUTAGE" {
		t.Fatalf("auto incident %v", list)
	}
	id := list[0]["id"].(string)
	inc := f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": id, "status": "IDENTIFIED", "body": "Disk full."}), 200).object(t)
	if inc["status"] != "IDENTIFIED" || inc["auto"] != true {
		t.Errorf("%v", inc)
	}
	f.wantError(f.do("PUT", "/incidents", editorToken, map[string]any{"id": id, "components": []string{"website"}}), 409, "cannot change")
	// Recovery no longer moves it.
	f.backend.observe(t, "api.http", status.OK, 5)
	if got := f.want(f.do("GET", "/incidents/"+id, "", nil), 200).object(t); got["status"] != "IDENTIFIED" {
		t.Errorf("the engine moved a taken-over incident: %v", got["status"])
	}
}

// TestIncidentRecall: an incident resolved longer ago than the engine's
// retention is read from the store and changed, not created again.
func TestIncidentRecall(t *testing.T) {
	f := newFixture(t, fixtureOptions{retention: time.Hour})
	inc := f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "old", "name": "Old", "status": "RESOLVED"}), 201).object(t)
	f.clock.Add(3 * time.Hour)
	f.backend.tick(t)
	if f.backend.holds(t, "old") {
		t.Fatal("the engine still holds the incident; retention not applied")
	}
	if got := f.want(f.do("GET", "/incidents/old", "", nil), 200).object(t); got["created_at"] != inc["created_at"] {
		t.Errorf("from the store: %v", got)
	}
	list := f.want(f.do("GET", "/incidents?limit=5", "", nil), 200).list(t)
	if len(list) != 1 || list[0]["id"] != "old" {
		t.Errorf("list %v", list)
	}
	got := f.want(f.do("PUT", "/incidents", editorToken, map[string]any{"id": "old", "body": "Post-mortem published."}), 200).object(t)
	if n := len(got["incident_updates"].([]any)); n != 2 || got["created_at"] != inc["created_at"] {
		t.Errorf("recalled %v", got)
	}
	f.clock.Add(3 * time.Hour)
	f.backend.tick(t)
	f.want(f.do("DELETE", "/incidents/old", editorToken, nil), 204)
	f.want(f.do("GET", "/incidents/old", "", nil), 404)
}

func TestIncidentBadInput(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	for _, c := range []struct {
		body string
		want []string
	}{
		{`{"name":"x","status":"DOWN"}`, []string{"status", `"DOWN"`, "INVESTIGATING"}},
		{`{"name":"x","impact":"BAD"}`, []string{"impact", `"BAD"`}},
		{`{"name":"x","created_at":"yesterday"}`, []string{"created_at", "RFC 3339"}},
		{`{"name":"x","components":["nope"]}`, []string{"unknown component", "nope"}},
		{`{"name":"x","components":["a b"]}`, []string{"not a valid id"}},
		{`{"name":"x","components":["website","website"]}`, []string{"twice"}},
		{`{"name":"x","severity":"high"}`, []string{`unknown field "severity"`}},
		{`{"name":1}`, []string{`"name"`, "string"}},
		{`{"id":"../etc","name":"x"}`, []string{"not a valid id"}},
		{`{}`, []string{"needs a name"}},
		{`{"name":"` + strings.Repeat("n", maxName+1) + `"}`, []string{"name", "longer"}},
		{`[]`, []string{"JSON object"}},
		{`{"name":"x"} {"name":"y"}`, []string{"after the JSON object"}},
		{`{"name":"x"`, []string{"invalid JSON"}},
		{``, []string{"empty body"}},
	} {
		r := f.do("PUT", "/incidents", editorToken, c.body)
		f.wantError(r, 400, c.want...)
	}
}

// TestIncidentPages: GET /incidents walks every incident, the engine's
// and the store's alike, a page at a time through its Link header.
func TestIncidentPages(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	var want []string
	for i := 1; i <= 7; i++ {
		id := fmt.Sprintf("past-%d", i)
		f.want(f.do("PUT", "/incidents", editorToken, map[string]any{
			"id": id, "name": "Past " + id, "backfilled": true, "status": "RESOLVED",
			"created_at": fmt.Sprintf("2026-10-%02dT08:00:00Z", i), "resolved_at": fmt.Sprintf("2026-10-%02dT09:00:00Z", i),
		}), 201)
		want = append([]string{id}, want...)
	}
	var got []string
	path := "/incidents?limit=3"
	for page := 0; path != "" && page < 10; page++ {
		r := f.want(f.do("GET", path, "", nil), 200)
		for _, inc := range r.list(t) {
			got = append(got, inc["id"].(string))
		}
		path = ""
		if link := r.header.Get("Link"); link != "" {
			u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
			if err != nil {
				t.Fatalf("Link %q: %v", link, err)
			}
			path = u.Path + "?" + u.RawQuery
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("pages gave %v, want %v", got, want)
	}
	f.wantError(f.do("GET", "/incidents?before=nope", "", nil), 400, "no incident")
}
