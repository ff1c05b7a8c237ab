package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

var testPage = Page{ID: "acme", Name: "ACME", URL: "https://status.acme.test/"}

var outage = status.Page{Status: status.PageHasIssues, Description: "Major System Outage"}

// Each live message carries the type the snapshot holds the same object
// in, so the two cannot drift apart.
func TestLiveDataIsSnapshotType(t *testing.T) {
	comp := &status.Component{ID: "website", Name: "Website", Status: status.MajorOutage}
	var s Status
	for _, c := range []struct {
		ev   status.Event
		typ  string
		want reflect.Type
	}{
		{status.Event{Kind: status.ComponentChanged, Component: comp}, MessageComponent, reflect.TypeOf(s.Components).Elem()},
		{status.Event{Kind: status.IncidentChanged, Incident: &status.Incident{ID: "i1"}}, MessageIncident, reflect.TypeOf(s.Incidents).Elem()},
		{status.Event{Kind: status.MaintenanceChanged, Maintenance: &status.Maintenance{ID: "m1"}}, MessageMaintenance, reflect.TypeOf(s.Maintenance).Elem()},
		{status.Event{Kind: status.PageChanged, Page: outage}, MessagePage, reflect.TypeOf(s.Page)},
	} {
		m, ok := Live(&c.ev, testPage, nil)
		if !ok || m.Type != c.typ {
			t.Errorf("%s: message %q, ok %v; want %q", c.ev.Kind, m.Type, ok, c.typ)
			continue
		}
		if got := reflect.TypeOf(m.Data); got != c.want {
			t.Errorf("%s: data is %v, the snapshot has %v", c.ev.Kind, got, c.want)
		}
	}
}

func TestLiveSkips(t *testing.T) {
	for _, ev := range []status.Event{
		{Kind: status.ComponentChanged},
		{Kind: status.IncidentChanged},
		{Kind: status.MaintenanceChanged},
		{Kind: status.CheckChanged, Check: &status.CheckStatus{ID: "c"}},
		{Kind: status.GroupChanged, Group: &status.Group{ID: "g"}},
		{Kind: status.ComponentDeleted, Component: &status.Component{ID: "c"}},
		{Kind: "future"},
	} {
		if m, ok := Live(&ev, testPage, nil); ok {
			t.Errorf("%s: got a %q message, want none", ev.Kind, m.Type)
		}
	}
}

func TestLiveComponent(t *testing.T) {
	ev := status.Event{
		Kind: status.ComponentChanged, At: t0, Page: outage, OldStatus: status.Operational,
		Component: &status.Component{ID: "website", Name: "Website", Status: status.MajorOutage, Checks: []string{"website.home", "website.tls"}},
	}
	snap := &status.Snapshot{Checks: []status.CheckStatus{{ID: "website.home", Component: "website", State: status.CheckDown, LastLatency: 1500 * time.Microsecond}}}
	m, _ := Live(&ev, testPage, NewChecks(snap))
	c := m.Data.(StatusComponent)
	if c.OldStatus != "OPERATIONAL" || c.Status != "MAJOROUTAGE" {
		t.Errorf("statuses %q -> %q", c.OldStatus, c.Status)
	}
	// A component whose UpdatedAt is unset changed at the event's time.
	if c.UpdatedAt != "2026-11-26T21:14:42.123Z" {
		t.Errorf("updated_at %q, want the event's time", c.UpdatedAt)
	}
	want := []Check{
		{ID: "website.home", State: "DOWN", LastLatencyMS: 1.5},
		{ID: "website.tls", State: "UNKNOWN"},
	}
	if !reflect.DeepEqual(c.Checks, want) {
		t.Errorf("checks %+v, want %+v", c.Checks, want)
	}
}

func TestSnapshotMessage(t *testing.T) {
	got := string(SnapshotMessage([]byte(" {\"page\":{}}\n")))
	if got != `{"type":"snapshot","data":{"page":{}}}` {
		t.Errorf("got %s", got)
	}
	if !json.Valid([]byte(got)) {
		t.Error("invalid")
	}
}

func TestAsOfMessage(t *testing.T) {
	b, err := Marshal(AsOfMessage(t0, t0.Add(20*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"as_of","data":{"as_of":"2026-11-26T21:14:42.123Z","now":"2026-11-26T21:15:02.123Z"}}`; string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	// Before a follower's first read there is no as_of yet.
	b, _ = Marshal(AsOfMessage(time.Time{}, t0))
	if want := `{"type":"as_of","data":{"as_of":"","now":"2026-11-26T21:14:42.123Z"}}`; string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
