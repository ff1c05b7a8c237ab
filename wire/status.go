package wire

import (
	"time"

	"github.com/up-status/up/status"
)

// The status shapes: GET /status, and the objects of the page's snapshot
// and live messages. The page applies a live message over the object its
// snapshot gave it, so both are built from these same types; the API's
// resources embed them and add what an operator edits.

// Status is the state the page shows: the data of a snapshot message,
// and GET /status less its as_of.
type Status struct {
	Page        StatusPage        `json:"page"`
	Groups      []Group           `json:"groups"`
	Components  []StatusComponent `json:"components"`
	Incidents   []Incident        `json:"incidents"`
	Maintenance []Maintenance     `json:"maintenance"`
}

// StatusAsOf is the body of GET /status: the state, and when it was
// last confirmed current.
type StatusAsOf struct {
	Status
	// AsOf is when the state was last confirmed current: the time of the
	// request on a single instance and on a cluster's leader, the last
	// read of the shared database on a follower; "" before a follower's
	// first read.
	AsOf string `json:"as_of"`
}

// StatusAsOfEnd is what follows an encoded Status, less its closing
// brace, to make the encoded StatusAsOf at asOf. The Status part depends
// on the snapshot only and is encoded once per snapshot; this part
// changes with every request.
func StatusAsOfEnd(asOf time.Time) []byte {
	// Time's layout has no character JSON escapes.
	return []byte(`,"as_of":"` + Time(asOf) + `"}`)
}

// StatusPage is the page in /status and the data of a page message: the
// webhook's page block plus the page's name.
type StatusPage struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	URL               string `json:"url"`
	StatusIndicator   string `json:"status_indicator"`
	StatusDescription string `json:"status_description"`
}

// Group is a group of components.
type Group struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Status      string `json:"status"`
	// Components lists the members' ids in page order; never null.
	Components []string `json:"components"`
}

// Check is the state of one check and the details of its latest result.
type Check struct {
	ID            string  `json:"id"`
	State         string  `json:"state"`
	LastResult    string  `json:"last_result"`
	LastLatencyMS float64 `json:"last_latency_ms"`
	// LastError is the latest result's error; "" when it succeeded.
	LastError string `json:"last_error"`
}

// Component is a component with its checks, as every reader sees it.
type Component struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Group is the group's id; "" for none.
	Group     string `json:"group"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	// Checks are in the component's order; never null.
	Checks []Check `json:"checks"`
}

// StatusComponent is a component in /status and the data of a component
// message.
type StatusComponent struct {
	Component
	// OldStatus is the status before the change a component message
	// reports; "" in /status and snapshots, which report no change.
	OldStatus string `json:"old_status"`
}

// Incident is the webhook's incident block and the ids of the components
// the incident concerns.
type Incident struct {
	IncidentBlock
	Components []string `json:"components"`
}

// Maintenance is the webhook's maintenance block, the components the
// window covers, its planned bounds and its description.
type Maintenance struct {
	MaintenanceBlock
	Components  []string `json:"components"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
	Description string   `json:"description"`
}

// NewStatusPage is page p in state s.
func NewStatusPage(p Page, s status.Page) StatusPage {
	return StatusPage{
		ID:                p.ID,
		Name:              p.Name,
		URL:               p.base(),
		StatusIndicator:   string(s.Status),
		StatusDescription: s.Description,
	}
}

// NewGroup is g's shape.
func NewGroup(g *status.Group) Group {
	return Group{
		ID:          g.ID,
		Name:        g.Name,
		Description: g.Description,
		Status:      string(g.Status),
		Components:  ids(g.Components),
	}
}

// NewCheck is c's shape; the latency is in milliseconds with microsecond
// precision.
func NewCheck(c *status.CheckStatus) Check {
	return Check{
		ID:            c.ID,
		State:         string(c.State),
		LastResult:    Time(c.LastResult),
		LastLatencyMS: float64(c.LastLatency.Microseconds()) / 1000,
		LastError:     c.LastError,
	}
}

// Checks finds a snapshot's checks by id. It points into the snapshot it
// was built from, which must not change while it is used.
type Checks map[string]*status.CheckStatus

// NewChecks indexes s's checks.
func NewChecks(s *status.Snapshot) Checks {
	x := make(Checks, len(s.Checks))
	for i := range s.Checks {
		x[s.Checks[i].ID] = &s.Checks[i]
	}
	return x
}

// NewComponent is c's shape with its checks' states from checks; a check
// without results yet is UNKNOWN.
func NewComponent(c *status.Component, checks Checks) Component {
	v := Component{
		ID:          c.ID,
		Name:        c.Name,
		Description: c.Description,
		Group:       c.Group,
		Status:      string(c.Status),
		CreatedAt:   Time(c.CreatedAt),
		UpdatedAt:   Time(c.UpdatedAt),
		Checks:      make([]Check, 0, len(c.Checks)),
	}
	for _, id := range c.Checks {
		if cs := checks[id]; cs != nil {
			v.Checks = append(v.Checks, NewCheck(cs))
		} else {
			v.Checks = append(v.Checks, NewCheck(&status.CheckStatus{ID: id, Component: c.ID, State: status.CheckUnknown}))
		}
	}
	return v
}

// NewIncident is inc's shape; its url is <p.URL>/incidents/<id>.
func NewIncident(inc *status.Incident, p Page) Incident {
	return Incident{IncidentBlock: NewIncidentBlock(inc, p), Components: ids(inc.Components)}
}

// NewMaintenance is m's shape; its url is <p.URL>/maintenance/<id>.
func NewMaintenance(m *status.Maintenance, p Page) Maintenance {
	return Maintenance{
		MaintenanceBlock: NewMaintenanceBlock(m, p),
		Components:       ids(m.Components),
		Start:            Time(m.Start),
		End:              Time(m.End()),
		Description:      m.Description,
	}
}

// NewStatus is the /status shape of s for page p: the page, its groups
// and components (with their checks) in page order, then s's incidents
// and maintenance in the order s holds them.
func NewStatus(s *status.Snapshot, p Page) Status {
	v := Status{
		Page:        NewStatusPage(p, s.Page),
		Groups:      make([]Group, 0, len(s.Groups)),
		Components:  make([]StatusComponent, 0, len(s.Components)),
		Incidents:   make([]Incident, 0, len(s.Incidents)),
		Maintenance: make([]Maintenance, 0, len(s.Maintenance)),
	}
	for i := range s.Groups {
		v.Groups = append(v.Groups, NewGroup(&s.Groups[i]))
	}
	checks := NewChecks(s)
	for i := range s.Components {
		v.Components = append(v.Components, StatusComponent{Component: NewComponent(&s.Components[i], checks)})
	}
	for i := range s.Incidents {
		v.Incidents = append(v.Incidents, NewIncident(&s.Incidents[i], p))
	}
	for i := range s.Maintenance {
		v.Maintenance = append(v.Maintenance, NewMaintenance(&s.Maintenance[i], p))
	}
	return v
}

// ids is never null in JSON.
func ids(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
