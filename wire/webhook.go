package wire

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/status"
)

// The webhook shapes follow the documented format (docs/webhooks.md) key for key and in its order:
// receivers written for it parse them, and notify's golden files hold
// them byte for byte.

// Page is the status page's identity, from the configuration.
type Page struct {
	ID   string
	Name string
	// URL is the page's public base URL; incidents and maintenance
	// windows link to <URL>/incidents/<id> and <URL>/maintenance/<id>.
	// A trailing slash is ignored.
	URL string
}

// base is p.URL without its trailing slashes, the form every link is
// built on.
func (p Page) base() string { return strings.TrimRight(p.URL, "/") }

// Meta is the meta block of every webhook.
type Meta struct {
	Unsubscribe   string `json:"unsubscribe"`
	Documentation string `json:"documentation"`
}

// PageBlock is the page block of every webhook.
type PageBlock struct {
	ID                string `json:"id"`
	StatusIndicator   string `json:"status_indicator"`
	StatusDescription string `json:"status_description"`
	URL               string `json:"url"`
}

// NewPageBlock is the page block for page p in state s.
func NewPageBlock(p Page, s status.Page) PageBlock {
	return PageBlock{
		ID:                p.ID,
		StatusIndicator:   string(s.Status),
		StatusDescription: s.Description,
		URL:               p.base(),
	}
}

// IncidentPayload is the body of an incident webhook.
type IncidentPayload struct {
	Meta     Meta          `json:"meta"`
	Page     PageBlock     `json:"page"`
	Incident IncidentBlock `json:"incident"`
}

// IncidentBlock is the incident block of an incident webhook.
type IncidentBlock struct {
	Backfilled bool   `json:"backfilled"`
	CreatedAt  string `json:"created_at"`
	// Impact is the worst component status the incident saw, in the
	// documented words (DEGRADEDPERFORMANCE, PARTIALOUTAGE, MAJOROUTAGE).
	Impact     string `json:"impact"`
	Name       string `json:"name"`
	ResolvedAt string `json:"resolved_at"`
	Status     string `json:"status"`
	UpdatedAt  string `json:"updated_at"`
	ID         string `json:"id"`
	URL        string `json:"url"`
	// Updates lists every update, newest first; never null.
	Updates []IncidentUpdateBlock `json:"incident_updates"`
}

// IncidentUpdateBlock is one entry of incident_updates.
type IncidentUpdateBlock struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Body       string `json:"body"`
	Status     string `json:"status"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// MaintenancePayload is the body of a maintenance webhook.
type MaintenancePayload struct {
	Meta        Meta             `json:"meta"`
	Page        PageBlock        `json:"page"`
	Maintenance MaintenanceBlock `json:"maintenance"`
}

// MaintenanceBlock is the maintenance block of a maintenance webhook.
type MaintenanceBlock struct {
	Backfilled bool   `json:"backfilled"`
	CreatedAt  string `json:"created_at"`
	Impact     string `json:"impact"`
	Name       string `json:"name"`
	ResolvedAt string `json:"resolved_at"`
	Status     string `json:"status"`
	UpdatedAt  string `json:"updated_at"`
	ID         string `json:"id"`
	URL        string `json:"url"`
	// Duration is the planned length in whole minutes, as a decimal
	// string ("120"), the way Instatus sends it.
	Duration string `json:"duration"`
	// Updates lists every update, newest first; never null.
	Updates []MaintenanceUpdateBlock `json:"maintenance_updates"`
}

// MaintenanceUpdateBlock is one entry of maintenance_updates.
type MaintenanceUpdateBlock struct {
	ID            string `json:"id"`
	MaintenanceID string `json:"maintenance_id"`
	Body          string `json:"body"`
	Status        string `json:"status"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

// ComponentPayload is the body of a component webhook.
type ComponentPayload struct {
	Meta            Meta                 `json:"meta"`
	Page            PageBlock            `json:"page"`
	ComponentUpdate ComponentUpdateBlock `json:"component_update"`
	Component       ComponentBlock       `json:"component"`
}

// ComponentUpdateBlock is the component_update block: one status change.
type ComponentUpdateBlock struct {
	CreatedAt   string `json:"created_at"`
	NewStatus   string `json:"new_status"`
	ComponentID string `json:"component_id"`
	// OldStatus is not in the original format; it is always sent because Instatus
	// sends it and Statuspage consumers (Zulip's integration) read it.
	OldStatus string `json:"old_status"`
}

// ComponentBlock is the component block of a component webhook.
type ComponentBlock struct {
	CreatedAt string `json:"created_at"`
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
}

// NewIncidentBlock is inc's incident block; its url is
// <p.URL>/incidents/<id>.
func NewIncidentBlock(inc *status.Incident, p Page) IncidentBlock {
	updates := slices.Clone(inc.Updates)
	slices.SortStableFunc(updates, func(a, b status.IncidentUpdate) int {
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	blocks := make([]IncidentUpdateBlock, 0, len(updates))
	for _, u := range updates {
		blocks = append(blocks, IncidentUpdateBlock{
			ID:         u.ID,
			IncidentID: cmp.Or(u.IncidentID, inc.ID),
			Body:       u.Body,
			Status:     string(u.Status),
			CreatedAt:  Time(u.CreatedAt),
			UpdatedAt:  Time(u.UpdatedAt),
		})
	}
	return IncidentBlock{
		Backfilled: inc.Backfilled,
		CreatedAt:  Time(inc.CreatedAt),
		Impact:     string(inc.Impact),
		Name:       inc.Name,
		ResolvedAt: Time(inc.ResolvedAt),
		Status:     string(inc.Status),
		UpdatedAt:  Time(inc.UpdatedAt),
		ID:         inc.ID,
		URL:        p.base() + "/incidents/" + inc.ID,
		Updates:    blocks,
	}
}

// NewMaintenanceBlock is m's maintenance block; its url is
// <p.URL>/maintenance/<id>, and an unset impact is UNDERMAINTENANCE, the
// impact every maintenance window has.
func NewMaintenanceBlock(m *status.Maintenance, p Page) MaintenanceBlock {
	updates := slices.Clone(m.Updates)
	slices.SortStableFunc(updates, func(a, b status.MaintenanceUpdate) int {
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	blocks := make([]MaintenanceUpdateBlock, 0, len(updates))
	for _, u := range updates {
		blocks = append(blocks, MaintenanceUpdateBlock{
			ID:            u.ID,
			MaintenanceID: cmp.Or(u.MaintenanceID, m.ID),
			Body:          u.Body,
			Status:        string(u.Status),
			CreatedAt:     Time(u.CreatedAt),
			UpdatedAt:     Time(u.UpdatedAt),
		})
	}
	return MaintenanceBlock{
		Backfilled: m.Backfilled,
		CreatedAt:  Time(m.CreatedAt),
		Impact:     string(cmp.Or(m.Impact, status.UnderMaintenance)),
		Name:       m.Name,
		ResolvedAt: Time(m.ResolvedAt),
		Status:     string(m.Status),
		UpdatedAt:  Time(m.UpdatedAt),
		ID:         m.ID,
		URL:        p.base() + "/maintenance/" + m.ID,
		Duration:   durationMinutes(m.Duration),
		Updates:    blocks,
	}
}

// durationMinutes renders d as whole minutes, rounded to the nearest one.
func durationMinutes(d time.Duration) string {
	return strconv.FormatInt(int64(d.Round(time.Minute)/time.Minute), 10)
}

// NewComponentBlock is c's component block.
func NewComponentBlock(c *status.Component) ComponentBlock {
	return ComponentBlock{
		CreatedAt: Time(c.CreatedAt),
		ID:        c.ID,
		Name:      c.Name,
		Status:    string(c.Status),
	}
}

// NewIncidentPayload is the incident webhook for inc, sent while the page
// is in state s.
func NewIncidentPayload(m Meta, p Page, s status.Page, inc *status.Incident) IncidentPayload {
	return IncidentPayload{Meta: m, Page: NewPageBlock(p, s), Incident: NewIncidentBlock(inc, p)}
}

// NewMaintenancePayload is the maintenance webhook for mt, sent while the
// page is in state s.
func NewMaintenancePayload(m Meta, p Page, s status.Page, mt *status.Maintenance) MaintenancePayload {
	return MaintenancePayload{Meta: m, Page: NewPageBlock(p, s), Maintenance: NewMaintenanceBlock(mt, p)}
}

// NewComponentPayload is the component webhook for a change of c from old
// to c.Status at time at, sent while the page is in state s.
func NewComponentPayload(m Meta, p Page, s status.Page, c *status.Component, old status.ComponentStatus, at time.Time) ComponentPayload {
	return ComponentPayload{
		Meta: m,
		Page: NewPageBlock(p, s),
		ComponentUpdate: ComponentUpdateBlock{
			CreatedAt:   Time(at),
			NewStatus:   string(c.Status),
			ComponentID: c.ID,
			OldStatus:   string(old),
		},
		Component: NewComponentBlock(c),
	}
}
