package notify

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/up-status/up/status"
)

// DefaultDocumentation is the link sent as meta.documentation when the
// configuration names none: the webhook section of the README.
const DefaultDocumentation = "https://github.com/up-status/up#webhooks"

// timeLayout is RFC 3339 in UTC with exactly three fractional digits, so
// every timestamp has the same width and sorts as text.
const timeLayout = "2006-01-02T15:04:05.000Z"

// formatTime renders t for a payload; the zero time is "" because the
// seed's shapes have no nulls.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// Page is what a payload says about the status page: ID and URL come from
// the configuration, Status and Description from the engine (the Page of
// the event).
type Page struct {
	ID  string
	URL string // base URL of the page, without a trailing slash
	// Status is sent as page.status_indicator.
	Status status.PageStatus
	// Description is sent as page.status_description.
	Description string
}

// Meta is the meta block of every payload.
type Meta struct {
	Unsubscribe   string `json:"unsubscribe"`
	Documentation string `json:"documentation"`
}

// PageBlock is the page block of every payload.
type PageBlock struct {
	ID                string `json:"id"`
	StatusIndicator   string `json:"status_indicator"`
	StatusDescription string `json:"status_description"`
	URL               string `json:"url"`
}

func pageBlock(p Page) PageBlock {
	return PageBlock{
		ID:                p.ID,
		StatusIndicator:   string(p.Status),
		StatusDescription: p.Description,
		URL:               p.URL,
	}
}

// IncidentPayload is the body of an incident webhook. Field order follows
// the seed README.
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
	// seed's words (DEGRADEDPERFORMANCE, PARTIALOUTAGE, MAJOROUTAGE).
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
	// OldStatus is not in the seed; it is always sent because Instatus
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

// NewIncidentPayload builds the incident webhook body. incident.url is
// <page.URL>/incidents/<id>.
func NewIncidentPayload(m Meta, p Page, inc status.Incident) IncidentPayload {
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
			CreatedAt:  formatTime(u.CreatedAt),
			UpdatedAt:  formatTime(u.UpdatedAt),
		})
	}
	return IncidentPayload{
		Meta: m,
		Page: pageBlock(p),
		Incident: IncidentBlock{
			Backfilled: inc.Backfilled,
			CreatedAt:  formatTime(inc.CreatedAt),
			Impact:     string(inc.Impact),
			Name:       inc.Name,
			ResolvedAt: formatTime(inc.ResolvedAt),
			Status:     string(inc.Status),
			UpdatedAt:  formatTime(inc.UpdatedAt),
			ID:         inc.ID,
			URL:        p.URL + "/incidents/" + inc.ID,
			Updates:    blocks,
		},
	}
}

// NewMaintenancePayload builds the maintenance webhook body.
// maintenance.url is <page.URL>/maintenance/<id>; an unset impact is
// UNDERMAINTENANCE, the impact every maintenance window has.
func NewMaintenancePayload(m Meta, p Page, mt status.Maintenance) MaintenancePayload {
	updates := slices.Clone(mt.Updates)
	slices.SortStableFunc(updates, func(a, b status.MaintenanceUpdate) int {
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	blocks := make([]MaintenanceUpdateBlock, 0, len(updates))
	for _, u := range updates {
		blocks = append(blocks, MaintenanceUpdateBlock{
			ID:            u.ID,
			MaintenanceID: cmp.Or(u.MaintenanceID, mt.ID),
			Body:          u.Body,
			Status:        string(u.Status),
			CreatedAt:     formatTime(u.CreatedAt),
			UpdatedAt:     formatTime(u.UpdatedAt),
		})
	}
	return MaintenancePayload{
		Meta: m,
		Page: pageBlock(p),
		Maintenance: MaintenanceBlock{
			Backfilled: mt.Backfilled,
			CreatedAt:  formatTime(mt.CreatedAt),
			Impact:     string(cmp.Or(mt.Impact, status.UnderMaintenance)),
			Name:       mt.Name,
			ResolvedAt: formatTime(mt.ResolvedAt),
			Status:     string(mt.Status),
			UpdatedAt:  formatTime(mt.UpdatedAt),
			ID:         mt.ID,
			URL:        p.URL + "/maintenance/" + mt.ID,
			Duration:   durationMinutes(mt.Duration),
			Updates:    blocks,
		},
	}
}

// durationMinutes renders d as whole minutes, rounded to the nearest one.
func durationMinutes(d time.Duration) string {
	return strconv.FormatInt(int64(d.Round(time.Minute)/time.Minute), 10)
}

// NewComponentPayload builds the component webhook body for a change of c
// from old to c.Status at time at.
func NewComponentPayload(m Meta, p Page, c status.Component, old status.ComponentStatus, at time.Time) ComponentPayload {
	return ComponentPayload{
		Meta: m,
		Page: pageBlock(p),
		ComponentUpdate: ComponentUpdateBlock{
			CreatedAt:   formatTime(at),
			NewStatus:   string(c.Status),
			ComponentID: c.ID,
			OldStatus:   string(old),
		},
		Component: ComponentBlock{
			CreatedAt: formatTime(c.CreatedAt),
			ID:        c.ID,
			Name:      c.Name,
			Status:    string(c.Status),
		},
	}
}

// UnsubscribeURL is the link sent as meta.unsubscribe.
func UnsubscribeURL(pageURL, token string) string {
	return strings.TrimRight(pageURL, "/") + "/unsubscribe/" + url.PathEscape(token)
}
