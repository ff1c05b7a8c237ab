package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

func TestNewStatus(t *testing.T) {
	s := &status.Snapshot{
		Page:       outage,
		Groups:     []status.Group{{ID: "web", Name: "Web"}},
		Components: []status.Component{{ID: "website", Name: "Website", Group: "web", Status: status.MajorOutage}},
		Incidents:  []status.Incident{{ID: "i1", Name: "Down", CreatedAt: t0}},
		Maintenance: []status.Maintenance{{
			ID: "db", Name: "Upgrade", Description: "Read-only for two hours.", Start: t0, Duration: 2 * time.Hour,
		}},
	}
	v := NewStatus(s, testPage)
	if v.Page != (StatusPage{ID: "acme", Name: "ACME", URL: "https://status.acme.test", StatusIndicator: "HASISSUES", StatusDescription: "Major System Outage"}) {
		t.Errorf("page %+v", v.Page)
	}
	if g := v.Groups[0]; g.Components == nil {
		t.Error("group components null, want []")
	}
	if c := v.Components[0]; c.OldStatus != "" || c.Checks == nil {
		t.Errorf("component %+v: want old_status \"\" and checks []", c)
	}
	if i := v.Incidents[0]; i.URL != "https://status.acme.test/incidents/i1" || i.Components == nil || i.Updates == nil {
		t.Errorf("incident %+v", i)
	}
	m := v.Maintenance[0]
	if m.Description != "Read-only for two hours." || m.End != "2026-11-26T23:14:42.123Z" || m.Impact != "UNDERMAINTENANCE" ||
		m.Duration != "120" || !strings.HasSuffix(m.URL, ".test/maintenance/db") {
		t.Errorf("maintenance %+v", m)
	}
}

// GET /status finishes a Status encoded once per snapshot with its as_of:
// the result must be what encoding the whole StatusAsOf gives.
func TestStatusAsOfEnd(t *testing.T) {
	s := &status.Snapshot{Page: outage, Components: []status.Component{{ID: "website", Name: "Website", Status: status.MajorOutage}}}
	v := NewStatus(s, testPage)
	state, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{t0, {}} {
		want, err := Marshal(StatusAsOf{Status: v, AsOf: Time(at)})
		if err != nil {
			t.Fatal(err)
		}
		got := append(state[:len(state)-1:len(state)-1], StatusAsOfEnd(at)...)
		if string(got) != string(want) {
			t.Errorf("as of %v:\n got %s\nwant %s", at, got, want)
		}
	}
	if got := string(StatusAsOfEnd(t0)); got != `,"as_of":"2026-11-26T21:14:42.123Z"}` {
		t.Errorf("end %s", got)
	}
}
