package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

var testEncoder = encoder{page: wire.Page{ID: "acme", Name: "ACME", URL: "https://status.acme.test"}, maxMessages: 32}

var at = time.Date(2026, 11, 26, 21, 14, 42, 123e6, time.UTC)

var outagePage = status.Page{Status: status.PageHasIssues, Description: "Major System Outage"}

func decode(t *testing.T, b []byte) (typ string, data map[string]any) {
	t.Helper()
	var m struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m.Type, m.Data
}

func TestEncoderMessages(t *testing.T) {
	comp := &status.Component{
		ID: "website", Name: "Website", Group: "web", Status: status.MajorOutage,
		Checks: []string{"website.home", "website.tls"}, CreatedAt: at.Add(-time.Hour), UpdatedAt: at,
	}
	inc := &status.Incident{
		ID: "i1", Name: "Website major outage", Status: status.Investigating, Impact: status.MajorOutage,
		Components: []string{"website"}, CreatedAt: at, UpdatedAt: at,
		Updates: []status.IncidentUpdate{{ID: "u1", IncidentID: "i1", Body: "website.home is DOWN: status 503", Status: status.Investigating, CreatedAt: at, UpdatedAt: at}},
	}
	mt := &status.Maintenance{
		ID: "db", Name: "Database upgrade", Status: status.NotStartedYet, Components: []string{"website"},
		Start: at.Add(time.Hour), Duration: 2 * time.Hour, CreatedAt: at, UpdatedAt: at,
	}
	snap := &status.Snapshot{
		Page:       outagePage,
		Components: []status.Component{*comp},
		Checks: []status.CheckStatus{{
			ID: "website.home", Component: "website", State: status.CheckDown, LastOutcome: status.Fail,
			LastResult: at, LastLatency: 1500 * time.Microsecond, LastError: "status 503",
		}},
	}
	events := []status.Event{
		{Kind: status.CheckChanged, At: at, Page: outagePage, Check: &snap.Checks[0], OldCheck: status.CheckUp},
		{Kind: status.ComponentChanged, At: at, Page: outagePage, Component: comp, OldStatus: status.Operational},
		{Kind: status.IncidentChanged, At: at, Page: outagePage, Incident: inc},
		{Kind: status.MaintenanceChanged, At: at, Page: outagePage, Maintenance: mt},
		{Kind: status.PageChanged, At: at, Page: outagePage, OldPage: status.PageUp},
	}
	out := testEncoder.batch(nil, snap, events)
	if out.snapshot || len(out.msgs) != 4 {
		t.Fatalf("got snapshot=%v and %d messages, want 4 messages (check events are skipped)", out.snapshot, len(out.msgs))
	}

	typ, c := decode(t, out.msgs[0])
	if typ != "component" {
		t.Fatalf("first message is %q", typ)
	}
	want := map[string]any{
		"created_at": "2026-11-26T20:14:42.123Z", "id": "website", "name": "Website", "status": "MAJOROUTAGE",
		"old_status": "OPERATIONAL", "group": "web", "description": "", "updated_at": "2026-11-26T21:14:42.123Z",
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("component %s = %v, want %v", k, c[k], v)
		}
	}
	checks, _ := c["checks"].([]any)
	if len(checks) != 2 {
		t.Fatalf("component checks %v, want 2", c["checks"])
	}
	home := checks[0].(map[string]any)
	if home["id"] != "website.home" || home["state"] != "DOWN" || home["last_error"] != "status 503" || home["last_latency_ms"] != 1.5 {
		t.Errorf("check %v", home)
	}
	if tls := checks[1].(map[string]any); tls["id"] != "website.tls" || tls["state"] != "UNKNOWN" {
		t.Errorf("check without results: %v", tls)
	}

	typ, i := decode(t, out.msgs[1])
	if typ != "incident" {
		t.Fatalf("second message is %q", typ)
	}
	// Every key of the webhook's incident block, plus components.
	for _, k := range []string{"backfilled", "created_at", "impact", "name", "resolved_at", "status", "updated_at", "id", "url", "incident_updates", "components"} {
		if _, ok := i[k]; !ok {
			t.Errorf("incident lacks %q", k)
		}
	}
	if i["url"] != "https://status.acme.test/incidents/i1" || i["impact"] != "MAJOROUTAGE" {
		t.Errorf("incident %v", i)
	}
	if ups := i["incident_updates"].([]any); len(ups) != 1 || ups[0].(map[string]any)["body"] != "website.home is DOWN: status 503" {
		t.Errorf("incident_updates %v", ups)
	}
	if comps := i["components"].([]any); len(comps) != 1 || comps[0] != "website" {
		t.Errorf("incident components %v", comps)
	}

	typ, m := decode(t, out.msgs[2])
	if typ != "maintenance" || m["start"] != "2026-11-26T22:14:42.123Z" || m["end"] != "2026-11-27T00:14:42.123Z" ||
		m["duration"] != "120" || m["impact"] != "UNDERMAINTENANCE" {
		t.Errorf("maintenance %s %v", typ, m)
	}
	if ups, ok := m["maintenance_updates"].([]any); !ok || ups == nil {
		t.Errorf("maintenance_updates %v, want a list", m["maintenance_updates"])
	}

	typ, p := decode(t, out.msgs[3])
	wantPage := map[string]any{"id": "acme", "name": "ACME", "status_indicator": "HASISSUES", "status_description": "Major System Outage", "url": "https://status.acme.test"}
	if typ != "page" || len(p) != len(wantPage) {
		t.Errorf("page message %s %v", typ, p)
	}
	for k, v := range wantPage {
		if p[k] != v {
			t.Errorf("page %s = %v, want %v", k, p[k], v)
		}
	}
}

func TestEncoderSnapshotInstead(t *testing.T) {
	g := status.Group{ID: "web", Name: "Website", Status: status.Operational, Components: []string{"website"}}
	prev := &status.Snapshot{Groups: []status.Group{g}}
	moved := g
	moved.Status = status.MajorOutage
	renamed := g
	renamed.Name = "Web"
	regrouped := g
	regrouped.Components = []string{"website", "api"}
	comp := &status.Component{ID: "website", Name: "Website"}

	many := make([]status.Event, 40)
	for i := range many {
		many[i] = status.Event{Kind: status.ComponentChanged, Component: comp}
	}
	for _, tc := range []struct {
		name     string
		prev     *status.Snapshot
		events   []status.Event
		snapshot bool
		msgs     int
	}{
		{"group status only", prev, []status.Event{{Kind: status.GroupChanged, Group: &moved}}, false, 0},
		{"group renamed", prev, []status.Event{{Kind: status.GroupChanged, Group: &renamed}}, true, 0},
		{"group members", prev, []status.Event{{Kind: status.GroupChanged, Group: &regrouped}}, true, 0},
		{"group new", prev, []status.Event{{Kind: status.GroupChanged, Group: &status.Group{ID: "new"}}}, true, 0},
		{"no previous snapshot", nil, []status.Event{{Kind: status.GroupChanged, Group: &moved}}, true, 0},
		{"component deleted", prev, []status.Event{{Kind: status.ComponentDeleted, Component: comp}}, true, 0},
		{"group deleted", prev, []status.Event{{Kind: status.GroupDeleted, Group: &g}}, true, 0},
		{"incident deleted", prev, []status.Event{{Kind: status.IncidentDeleted, Incident: &status.Incident{ID: "i"}}}, true, 0},
		{"maintenance deleted", prev, []status.Event{{Kind: status.MaintenanceDeleted, Maintenance: &status.Maintenance{ID: "m"}}}, true, 0},
		{"too many messages", prev, many, true, 0},
		{"at the limit", prev, many[:32], false, 32},
		{"check only", prev, []status.Event{{Kind: status.CheckChanged, Check: &status.CheckStatus{ID: "c"}}}, false, 0},
		{"unknown kind", prev, []status.Event{{Kind: "future"}}, false, 0},
		{"missing objects", prev, []status.Event{{Kind: status.ComponentChanged}, {Kind: status.IncidentChanged}, {Kind: status.MaintenanceChanged}}, false, 0},
	} {
		out := testEncoder.batch(tc.prev, &status.Snapshot{}, tc.events)
		if out.snapshot != tc.snapshot || len(out.msgs) != tc.msgs {
			t.Errorf("%s: snapshot=%v, %d messages; want %v, %d", tc.name, out.snapshot, len(out.msgs), tc.snapshot, tc.msgs)
		}
	}
}

// The page applies a live message over the object its snapshot gave it,
// so both must carry the same keys, at every depth: a key only live
// messages carry vanishes on reload, one only snapshots carry goes stale.
func TestLiveAndSnapshotFieldsMatch(t *testing.T) {
	comp := status.Component{
		ID: "website", Name: "Website", Description: "The public site", Group: "web", Status: status.MajorOutage,
		Checks: []string{"website.home"}, CreatedAt: at.Add(-time.Hour), UpdatedAt: at,
	}
	inc := status.Incident{
		ID: "i1", Name: "Website major outage", Status: status.Investigating, Impact: status.MajorOutage,
		Components: []string{"website"}, CreatedAt: at, UpdatedAt: at,
		Updates: []status.IncidentUpdate{{ID: "u1", IncidentID: "i1", Body: "home is DOWN", Status: status.Investigating, CreatedAt: at, UpdatedAt: at}},
	}
	mt := status.Maintenance{
		ID: "db", Name: "Database upgrade", Description: "Read-only for two hours.", Status: status.NotStartedYet,
		Components: []string{"website"}, Start: at.Add(time.Hour), Duration: 2 * time.Hour, CreatedAt: at, UpdatedAt: at,
		Updates: []status.MaintenanceUpdate{{ID: "m1", MaintenanceID: "db", Body: "Scheduled.", Status: status.NotStartedYet, CreatedAt: at, UpdatedAt: at}},
	}
	snap := &status.Snapshot{
		Page:        outagePage,
		Groups:      []status.Group{{ID: "web", Name: "Web", Status: status.MajorOutage, Components: []string{"website"}}},
		Components:  []status.Component{comp},
		Checks:      []status.CheckStatus{{ID: "website.home", Component: "website", State: status.CheckDown, LastResult: at, LastError: "status 503"}},
		Incidents:   []status.Incident{inc},
		Maintenance: []status.Maintenance{mt},
	}
	body, err := testStatusJSON("ACME", "acme", "https://status.acme.test")(snap)
	if err != nil {
		t.Fatal(err)
	}
	typ, data := decode(t, wire.SnapshotMessage(body))
	if typ != "snapshot" {
		t.Fatalf("snapshot message is %q", typ)
	}
	first := func(key string) any {
		list, _ := data[key].([]any)
		if len(list) != 1 {
			t.Fatalf("snapshot %s: %v", key, data[key])
		}
		return list[0]
	}
	want := map[string]any{
		"component":   first("components"),
		"incident":    first("incidents"),
		"maintenance": first("maintenance"),
		"page":        data["page"],
	}

	out := testEncoder.batch(snap, snap, []status.Event{
		{Kind: status.ComponentChanged, At: at, Page: outagePage, Component: &comp, OldStatus: status.Operational},
		{Kind: status.IncidentChanged, At: at, Page: outagePage, Incident: &inc},
		{Kind: status.MaintenanceChanged, At: at, Page: outagePage, Maintenance: &mt},
		{Kind: status.PageChanged, At: at, Page: outagePage, OldPage: status.PageUp},
	})
	if out.snapshot || len(out.msgs) != len(want) {
		t.Fatalf("got snapshot=%v and %d messages, want %d messages", out.snapshot, len(out.msgs), len(want))
	}
	for _, msg := range out.msgs {
		typ, live := decode(t, msg)
		snapKeys, liveKeys := fieldSet(want[typ]), fieldSet(live)
		if len(snapKeys) == 0 {
			t.Fatalf("%s: no snapshot object to compare with", typ)
		}
		for k := range liveKeys {
			if !snapKeys[k] {
				t.Errorf("%s: %q is in live messages, not in snapshots", typ, k)
			}
		}
		for k := range snapKeys {
			if !liveKeys[k] {
				t.Errorf("%s: %q is in snapshots, not in live messages", typ, k)
			}
		}
	}
}

// fieldSet lists the keys of a decoded JSON value as dotted paths; keys
// of list elements are listed under "list[]".
func fieldSet(v any) map[string]bool {
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
	walk("", v)
	return set
}
