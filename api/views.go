package api

import (
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/wire"
)

// formatTime renders t in the one time format of everything up sends.
func formatTime(t time.Time) string { return wire.Time(t) }

// ids is never null in JSON.
func ids(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func source(fromConfig bool) string {
	if fromConfig {
		return "config"
	}
	return "api"
}

// The resource shapes (GET /components, /incidents, ...) are the status
// shapes of package wire plus what an operator needs to edit an object.

type componentResource struct {
	wire.Component
	// Override is a status set by hand that wins over the checks until
	// OverrideUntil ("" = until cleared).
	Override      string `json:"override"`
	OverrideUntil string `json:"override_until"`
	Source        string `json:"source"`
}

type groupResource struct {
	wire.Group
	Source string `json:"source"`
}

type incidentResource struct {
	wire.Incident
	Auto bool `json:"auto"`
}

type maintenanceResource struct {
	wire.Maintenance
	Cancelled bool   `json:"cancelled"`
	Source    string `json:"source"`
}

func (p Page) wire() wire.Page { return wire.Page(p) }

func newGroupResource(g *status.Group) groupResource {
	return groupResource{Group: wire.NewGroup(g), Source: source(g.FromConfig)}
}

// newCheckIndex finds a snapshot's checks for its components.
func newCheckIndex(s *status.Snapshot) wire.Checks { return wire.NewChecks(s) }

func newComponentResource(c *status.Component, checks wire.Checks) componentResource {
	return componentResource{
		Component:     wire.NewComponent(c, checks),
		Override:      string(c.Override),
		OverrideUntil: formatTime(c.OverrideUntil),
		Source:        source(c.FromConfig),
	}
}

func newIncidentResource(inc *status.Incident, p Page) incidentResource {
	return incidentResource{Incident: wire.NewIncident(inc, p.wire()), Auto: inc.Auto}
}

func newMaintenanceResource(m *status.Maintenance, p Page) maintenanceResource {
	return maintenanceResource{
		Maintenance: wire.NewMaintenance(m, p.wire()),
		Cancelled:   m.Cancelled,
		Source:      source(m.FromConfig),
	}
}

// StatusJSON is the state GET /status shows for a snapshot (wire.Status):
// the page, its groups and components (with their checks) in page order,
// open incidents and those resolved within the engine's retention
// (newest first), and maintenance not completed or completed within the
// retention (latest start first). GET /status adds as_of, which changes
// with every request; the WebSocket hub sends this in its snapshot
// messages and as_of in messages of its own.
func StatusJSON(s status.Snapshot, p Page) ([]byte, error) {
	return wire.Marshal(newStatusView(&s, p))
}

func newStatusView(s *status.Snapshot, p Page) wire.Status { return wire.NewStatus(s, p.wire()) }
