package api

import (
	"testing"
	"time"

	"github.com/up-status/up/status"
)

func TestMaintenanceSchedule(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	for _, c := range []struct {
		duration any
		end      string
		want     string
	}{
		{"90", "", "90"},
		{90, "", "90"},
		{"1h30m", "", "90"},
		{nil, "2026-11-28T03:30:00Z", "90"},
		{"90", "2026-11-28T03:30:00Z", "90"},
	} {
		body := map[string]any{"name": "Swap", "components": []string{"website"}, "start": "2026-11-28T02:00:00Z"}
		if c.duration != nil {
			body["duration"] = c.duration
		}
		if c.end != "" {
			body["end"] = c.end
		}
		m := f.want(f.do("PUT", "/maintenance", editorToken, body), 201).object(t)
		if m["duration"] != c.want || m["end"] != "2026-11-28T03:30:00.000Z" || m["status"] != "NOTSTARTEDYET" || m["source"] != "api" {
			t.Errorf("%v/%v: %v", c.duration, c.end, m)
		}
	}
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z",
		"duration": "60", "end": "2026-11-28T05:00:00Z"}), 400, "disagree")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z",
		"end": "2026-11-28T01:00:00Z"}), 400, "not after")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z",
		"duration": "-5"}), 400, "duration")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z",
		"duration": true}), 400, "duration")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z"}), 400, "duration")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"name": "x", "start": "2026-11-28T02:00:00Z",
		"duration": "60", "status": "DONE"}), 400, "DONE")
}

func TestMaintenanceLifecycle(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	m := f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{
		"id": "swap", "name": "Router swap", "components": []string{"website"}, "start": "2026-11-26T12:30:00Z", "duration": 60,
	}), 201).object(t)
	// Sent back as read: no change, no update.
	got := f.want(f.do("PUT", "/maintenance", editorToken, m), 200).object(t)
	if len(got["maintenance_updates"].([]any)) != 1 {
		t.Errorf("a round trip added an update: %v", got)
	}
	f.clock.Add(45 * time.Minute)
	f.backend.tick(t)
	c := f.want(f.do("GET", "/components/id/website", "", nil), 200).list(t)[0]
	if c["status"] != "UNDERMAINTENANCE" {
		t.Errorf("website during the window: %v", c["status"])
	}
	m = f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "swap", "status": "COMPLETED", "body": "Done early."}), 200).object(t)
	if m["status"] != "COMPLETED" || m["cancelled"] != false || m["resolved_at"] != "2026-11-26T12:45:00.000Z" {
		t.Errorf("completed %v", m)
	}
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "swap", "start": "2026-11-29T00:00:00Z"}), 409, "completed")

	// Cancel one that has not started.
	f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "later", "name": "Later", "start": "2026-12-01T00:00:00Z", "duration": "30m"}), 201)
	m = f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "later", "status": "COMPLETED"}), 200).object(t)
	if m["cancelled"] != true || m["status"] != "COMPLETED" {
		t.Errorf("cancelled %v", m)
	}
	f.want(f.do("DELETE", "/maintenance/later", editorToken, nil), 204)
	f.want(f.do("GET", "/maintenance/later", "", nil), 404)
	f.want(f.do("DELETE", "/maintenance/later", editorToken, nil), 404)
}

// TestMaintenanceFromConfig: the file owns a configured window's
// schedule; the API may add updates and end it.
func TestMaintenanceFromConfig(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	m := f.want(f.do("GET", "/maintenance/db-upgrade", "", nil), 200).object(t)
	if m["source"] != "config" {
		t.Fatalf("%v", m)
	}
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "start": "2026-11-30T00:00:00Z"}), 409, "configuration file")
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "name": "Other"}), 409, "configuration file")
	f.wantError(f.do("DELETE", "/maintenance/db-upgrade", editorToken, nil), 409, "configuration file")
	m = f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "body": "Postponed by a day? No: on time."}), 200).object(t)
	if n := len(m["maintenance_updates"].([]any)); n != 2 {
		t.Errorf("updates %d", n)
	}
	m = f.want(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "status": "COMPLETED", "body": "Called off."}), 200).object(t)
	if m["cancelled"] != true {
		t.Errorf("%v", m)
	}
	// A reload of the same file does not undo it.
	if err := f.backend.Change(t.Context(), func(e *status.Engine, now time.Time) ([]status.Event, error) {
		return e.Reconfigure(now, testSpec())
	}); err != nil {
		t.Fatal(err)
	}
	if m = f.want(f.do("GET", "/maintenance/db-upgrade", "", nil), 200).object(t); m["status"] != "COMPLETED" {
		t.Errorf("after reload %v", m["status"])
	}
}

// TestMaintenanceImpactIsUnderMaintenance: a window's impact is always
// UNDERMAINTENANCE; another word is refused by field name and nothing is
// stored, while the word read back is accepted.
func TestMaintenanceImpactIsUnderMaintenance(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	window := map[string]any{"id": "swap", "name": "Router swap", "components": []string{"website"},
		"start": "2026-11-27T02:00:00Z", "duration": 90}
	for _, impact := range []string{"MAJOROUTAGE", "OPERATIONAL", "DEGRADEDPERFORMANCE"} {
		window["impact"] = impact
		r := f.want(f.do("PUT", "/maintenance", editorToken, window), 400)
		want := `{"error":"impact: a maintenance window's impact is always UNDERMAINTENANCE, not \"` + impact + `\"; leave it out"}` + "\n"
		if string(r.body) != want {
			t.Errorf("got %s, want %s", r.body, want)
		}
	}
	f.want(f.do("GET", "/maintenance/swap", "", nil, header{"Accept": "application/json"}), 404)
	f.wantError(f.do("PUT", "/maintenance", editorToken, map[string]any{"id": "db-upgrade", "impact": "MAJOROUTAGE"}), 400, "impact")
	window["impact"] = "UNDERMAINTENANCE"
	m := f.want(f.do("PUT", "/maintenance", editorToken, window), 201).object(t)
	if m["impact"] != "UNDERMAINTENANCE" {
		t.Errorf("impact %v", m["impact"])
	}
	delete(window, "impact")
	window["id"] = "swap2"
	if m := f.want(f.do("PUT", "/maintenance", editorToken, window), 201).object(t); m["impact"] != "UNDERMAINTENANCE" {
		t.Errorf("impact %v", m["impact"])
	}
}
