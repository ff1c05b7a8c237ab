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
