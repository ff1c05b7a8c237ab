package api

import (
	"strings"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/status"
)

// timeLayout is the webhooks' time format: RFC 3339 in UTC with exactly
// three fractional digits.
const timeLayout = "2006-01-02T15:04:05.000Z"

// formatTime renders t like the webhooks do; the zero time is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

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

// The shapes of GET /status. The status page is built against them:
// change them only together with it.

type pageView struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	URL               string `json:"url"`
	StatusIndicator   string `json:"status_indicator"`
	StatusDescription string `json:"status_description"`
}

type groupView struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Status      string   `json:"status"`
	Components  []string `json:"components"`
}

type checkView struct {
	ID            string  `json:"id"`
	State         string  `json:"state"`
	LastResult    string  `json:"last_result"`
	LastLatencyMS float64 `json:"last_latency_ms"`
	LastError     string  `json:"last_error"`
}

type componentView struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Group       string      `json:"group"`
	Status      string      `json:"status"`
	CreatedAt   string      `json:"created_at"`
	UpdatedAt   string      `json:"updated_at"`
	Checks      []checkView `json:"checks"`
}

// incidentView is the webhook's incident block and the ids of the
// components it concerns.
type incidentView struct {
	notify.IncidentBlock
	Components []string `json:"components"`
}

// maintenanceView is the webhook's maintenance block, the components it
// covers and its planned window.
type maintenanceView struct {
	notify.MaintenanceBlock
	Components []string `json:"components"`
	Start      string   `json:"start"`
	End        string   `json:"end"`
}

type statusView struct {
	Page        pageView          `json:"page"`
	Groups      []groupView       `json:"groups"`
	Components  []componentView   `json:"components"`
	Incidents   []incidentView    `json:"incidents"`
	Maintenance []maintenanceView `json:"maintenance"`
}

// The resource shapes (GET /components, /incidents, ...) add to the
// status shapes what an operator needs to edit an object.

type componentResource struct {
	componentView
	// Override is a status set by hand that wins over the checks until
	// OverrideUntil ("" = until cleared).
	Override      string `json:"override"`
	OverrideUntil string `json:"override_until"`
	Source        string `json:"source"`
}

type groupResource struct {
	groupView
	Source string `json:"source"`
}

type incidentResource struct {
	incidentView
	Auto bool `json:"auto"`
}

type maintenanceResource struct {
	maintenanceView
	Description string `json:"description"`
	Cancelled   bool   `json:"cancelled"`
	Source      string `json:"source"`
}

func (p Page) notify() notify.Page { return notify.Page{ID: p.ID, URL: p.URL} }

func newGroupView(g *status.Group) groupView {
	return groupView{
		ID:          g.ID,
		Name:        g.Name,
		Description: g.Description,
		Status:      string(g.Status),
		Components:  ids(g.Components),
	}
}

func newGroupResource(g *status.Group) groupResource {
	return groupResource{groupView: newGroupView(g), Source: source(g.FromConfig)}
}

func newCheckView(c *status.CheckStatus) checkView {
	return checkView{
		ID:            c.ID,
		State:         string(c.State),
		LastResult:    formatTime(c.LastResult),
		LastLatencyMS: float64(c.LastLatency.Microseconds()) / 1000,
		LastError:     c.LastError,
	}
}

// checkIndex finds a component's checks in a snapshot.
type checkIndex map[string][]status.CheckStatus

func newCheckIndex(s *status.Snapshot) checkIndex {
	x := make(checkIndex, len(s.Components))
	for _, c := range s.Checks {
		x[c.Component] = append(x[c.Component], c)
	}
	return x
}

func newComponentView(c *status.Component, checks checkIndex) componentView {
	v := componentView{
		ID:          c.ID,
		Name:        c.Name,
		Description: c.Description,
		Group:       c.Group,
		Status:      string(c.Status),
		CreatedAt:   formatTime(c.CreatedAt),
		UpdatedAt:   formatTime(c.UpdatedAt),
		Checks:      make([]checkView, 0, len(c.Checks)),
	}
	known := checks[c.ID]
	for _, id := range c.Checks {
		cs := status.CheckStatus{ID: id, Component: c.ID, State: status.CheckUnknown}
		for _, k := range known {
			if k.ID == id {
				cs = k
				break
			}
		}
		v.Checks = append(v.Checks, newCheckView(&cs))
	}
	return v
}

func newComponentResource(c *status.Component, checks checkIndex) componentResource {
	return componentResource{
		componentView: newComponentView(c, checks),
		Override:      string(c.Override),
		OverrideUntil: formatTime(c.OverrideUntil),
		Source:        source(c.FromConfig),
	}
}

func newIncidentView(inc *status.Incident, p Page) incidentView {
	return incidentView{
		IncidentBlock: notify.NewIncidentPayload(notify.Meta{}, p.notify(), *inc).Incident,
		Components:    ids(inc.Components),
	}
}

func newIncidentResource(inc *status.Incident, p Page) incidentResource {
	return incidentResource{incidentView: newIncidentView(inc, p), Auto: inc.Auto}
}

func newMaintenanceView(m *status.Maintenance, p Page) maintenanceView {
	return maintenanceView{
		MaintenanceBlock: notify.NewMaintenancePayload(notify.Meta{}, p.notify(), *m).Maintenance,
		Components:       ids(m.Components),
		Start:            formatTime(m.Start),
		End:              formatTime(m.End()),
	}
}

func newMaintenanceResource(m *status.Maintenance, p Page) maintenanceResource {
	return maintenanceResource{
		maintenanceView: newMaintenanceView(m, p),
		Description:     m.Description,
		Cancelled:       m.Cancelled,
		Source:          source(m.FromConfig),
	}
}

// StatusJSON is the body of GET /status for a snapshot: the page, its
// groups and components (with their checks) in page order, open
// incidents and those resolved within the engine's retention (newest
// first), and maintenance not completed or completed within the
// retention (latest start first). The WebSocket hub sends the same body
// as its first message.
func StatusJSON(s status.Snapshot, p Page) ([]byte, error) {
	p.URL = strings.TrimRight(p.URL, "/")
	return marshalJSON(newStatusView(&s, p))
}

func newStatusView(s *status.Snapshot, p Page) statusView {
	v := statusView{
		Page: pageView{
			ID:                p.ID,
			Name:              p.Name,
			URL:               p.URL,
			StatusIndicator:   string(s.Page.Status),
			StatusDescription: s.Page.Description,
		},
		Groups:      make([]groupView, 0, len(s.Groups)),
		Components:  make([]componentView, 0, len(s.Components)),
		Incidents:   make([]incidentView, 0, len(s.Incidents)),
		Maintenance: make([]maintenanceView, 0, len(s.Maintenance)),
	}
	for i := range s.Groups {
		v.Groups = append(v.Groups, newGroupView(&s.Groups[i]))
	}
	checks := newCheckIndex(s)
	for i := range s.Components {
		v.Components = append(v.Components, newComponentView(&s.Components[i], checks))
	}
	for i := range s.Incidents {
		v.Incidents = append(v.Incidents, newIncidentView(&s.Incidents[i], p))
	}
	for i := range s.Maintenance {
		v.Maintenance = append(v.Maintenance, newMaintenanceView(&s.Maintenance[i], p))
	}
	return v
}
