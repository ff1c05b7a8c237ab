package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current payloads")

// t0 is the fixtures' reference time and the fake clock's start. It has
// milliseconds, the precision of payloads and of the store.
var t0 = time.Date(2026, 11, 26, 21, 14, 42, 123_000_000, time.UTC)

var testPlanner = Planner{PageID: "acme", PageURL: "http://localhost:5010/"}

var testPage = status.Page{Status: status.PageHasIssues, Description: "Partial System Outage"}

func incidentEvent() status.Event {
	// Updates oldest first on purpose: payloads must list newest first
	// whatever order they are given in.
	return status.Event{
		Kind: status.IncidentChanged,
		At:   t0.Add(20 * time.Minute),
		Page: testPage,
		Incident: &status.Incident{
			ID:         "inc-1",
			Name:       "Website is down",
			Status:     status.Monitoring,
			Impact:     status.MajorOutage,
			Components: []string{"website"},
			Auto:       true,
			CreatedAt:  t0,
			UpdatedAt:  t0.Add(20 * time.Minute),
			Updates: []status.IncidentUpdate{
				{ID: "upd-1", IncidentID: "inc-1", Body: "home: HTTP 503 (3 of 3 checks failing)", Status: status.Investigating, CreatedAt: t0, UpdatedAt: t0},
				{ID: "upd-2", IncidentID: "inc-1", Body: "All checks pass again; monitoring.", Status: status.Monitoring, CreatedAt: t0.Add(20 * time.Minute), UpdatedAt: t0.Add(20 * time.Minute)},
			},
		},
	}
}

func maintenanceEvent() status.Event {
	start := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	return status.Event{
		Kind: status.MaintenanceChanged,
		At:   start,
		Page: status.Page{Status: status.PageUnderMaintenance, Description: "Service Under Maintenance"},
		Maintenance: &status.Maintenance{
			ID:         "db-upgrade",
			Name:       "Database upgrade",
			Status:     status.InProgress,
			Impact:     status.UnderMaintenance,
			Components: []string{"website"},
			Start:      start,
			Duration:   2 * time.Hour,
			CreatedAt:  t0,
			UpdatedAt:  start,
			Updates: []status.MaintenanceUpdate{
				{ID: "mu-1", MaintenanceID: "db-upgrade", Body: "Scheduled.", Status: status.NotStartedYet, CreatedAt: t0, UpdatedAt: t0},
				{ID: "mu-2", MaintenanceID: "db-upgrade", Body: "Started.", Status: status.InProgress, CreatedAt: start, UpdatedAt: start},
			},
		},
	}
}

func componentEvent(id string, old, now status.ComponentStatus) status.Event {
	return status.Event{
		Kind: status.ComponentChanged,
		At:   t0.Add(time.Minute),
		Page: testPage,
		Component: &status.Component{
			ID: id, Name: strings.ToUpper(id[:1]) + id[1:], Group: "web", Status: now,
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		OldStatus: old,
	}
}

func shapes() map[string]status.Event {
	return map[string]status.Event{
		"incident":    incidentEvent(),
		"maintenance": maintenanceEvent(),
		"component":   componentEvent("website", status.Operational, status.PartialOutage),
	}
}

func TestPayloadGolden(t *testing.T) {
	for name, ev := range shapes() {
		t.Run(name, func(t *testing.T) {
			body, ok := testPlanner.Payload(ev, "tok-123")
			if !ok {
				t.Fatal("no payload")
			}
			var got bytes.Buffer
			if err := json.Indent(&got, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./notify -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("payload differs from %s:\n%s", path, got.Bytes())
			}
		})
	}
}

// extraKeys are the keys we send beyond the documented format's, on purpose.
var extraKeys = map[string][]string{
	"component": {"component_update.old_status"},
}

func TestPayloadKeysMatchTheFormat(t *testing.T) {
	for name, ev := range shapes() {
		t.Run(name, func(t *testing.T) {
			format, err := os.ReadFile(filepath.Join("testdata", "format-"+name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := testPlanner.Payload(ev, "tok")
			want := keyPaths(t, format)
			want = append(want, extraKeys[name]...)
			slices.Sort(want)
			got := keyPaths(t, body)
			if !slices.Equal(got, want) {
				t.Errorf("keys:\n got %q\nwant %q", got, want)
			}
			checkLeaves(t, "", decode(t, body))
		})
	}
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// keyPaths lists every key of a JSON document as a dotted path; the keys
// of list elements are listed under "list[]".
func keyPaths(t *testing.T, b []byte) []string {
	t.Helper()
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				set[prefix+k] = true
				walk(prefix+k+".", c)
			}
		case []any:
			for _, c := range v {
				walk(strings.TrimSuffix(prefix, ".")+"[].", c)
			}
		}
	}
	walk("", decode(t, b))
	return slices.Sorted(func(yield func(string) bool) {
		for k := range set {
			if !yield(k) {
				return
			}
		}
	})
}

// checkLeaves asserts that every value is a string, except backfilled
// (a bool) and the update lists (non-empty here, of objects).
func checkLeaves(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			checkLeaves(t, path+"."+k, c)
		}
	case []any:
		if !strings.HasSuffix(path, "_updates") {
			t.Errorf("%s: unexpected list", path)
		}
		if len(v) == 0 {
			t.Errorf("%s: empty list in fixture", path)
		}
		for _, c := range v {
			if _, ok := c.(map[string]any); !ok {
				t.Errorf("%s[]: %T, want object", path, c)
			}
			checkLeaves(t, path+"[]", c)
		}
	case bool:
		if !strings.HasSuffix(path, ".backfilled") {
			t.Errorf("%s: bool, want string", path)
		}
	case string:
		if strings.HasSuffix(path, ".backfilled") {
			t.Errorf("%s: string, want bool", path)
		}
	default:
		t.Errorf("%s: %T, want string", path, v)
	}
}

func TestPayloadValues(t *testing.T) {
	body, _ := testPlanner.Payload(incidentEvent(), "tok/../x")
	var p wire.IncidentPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"meta.unsubscribe", p.Meta.Unsubscribe, "http://localhost:5010/unsubscribe/tok%2F..%2Fx"},
		{"meta.documentation", p.Meta.Documentation, "http://localhost:5010/openapi.yaml"},
		{"page.url", p.Page.URL, "http://localhost:5010"},
		{"page.status_indicator", p.Page.StatusIndicator, "HASISSUES"},
		{"incident.url", p.Incident.URL, "http://localhost:5010/incidents/inc-1"},
		{"incident.created_at", p.Incident.CreatedAt, "2026-11-26T21:14:42.123Z"},
		{"incident.resolved_at", p.Incident.ResolvedAt, ""},
		{"incident.impact", p.Incident.Impact, "MAJOROUTAGE"},
		{"newest update first", p.Incident.Updates[0].ID, "upd-2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}

	ev := maintenanceEvent()
	ev.Maintenance.Updates = nil
	ev.Maintenance.Duration = 90*time.Minute + 40*time.Second
	ev.Maintenance.Impact = ""
	doc := Planner{PageID: "acme", PageURL: "https://status.acme.example", Documentation: "https://docs.acme.example/hooks"}
	body, _ = doc.Payload(ev, "t")
	var m wire.MaintenancePayload
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Maintenance.Duration != "91" || m.Maintenance.Impact != "UNDERMAINTENANCE" ||
		m.Meta.Documentation != "https://docs.acme.example/hooks" || m.Maintenance.URL != "https://status.acme.example/maintenance/db-upgrade" {
		t.Errorf("maintenance block: %+v meta %+v", m.Maintenance, m.Meta)
	}
	if !bytes.Contains(body, []byte(`"maintenance_updates":[]`)) {
		t.Errorf("no updates must be [], not null: %s", body)
	}
	if m.Page.StatusIndicator != "UNDER MAINTENANCE" {
		t.Errorf("page status %q, want the documented spelling", m.Page.StatusIndicator)
	}
}
