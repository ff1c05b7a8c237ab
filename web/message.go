package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/status"
)

// Message types sent on the WebSocket.
const (
	typeSnapshot    = "snapshot"
	typeComponent   = "component"
	typeIncident    = "incident"
	typeMaintenance = "maintenance"
	typePage        = "page"
)

// timeLayout matches the webhooks' and the API's timestamps, so the page
// parses one format whatever the source.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

type envelope struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// componentData is the webhook's component block plus what the page shows
// beside the status.
type componentData struct {
	notify.ComponentBlock
	Description string      `json:"description"`
	Group       string      `json:"group"`
	OldStatus   string      `json:"old_status"`
	UpdatedAt   string      `json:"updated_at"`
	Checks      []checkData `json:"checks"`
}

// checkData has the shape of a check in GET /status.
type checkData struct {
	ID            string  `json:"id"`
	State         string  `json:"state"`
	LastResult    string  `json:"last_result"`
	LastLatencyMS float64 `json:"last_latency_ms"`
	LastError     string  `json:"last_error"`
}

// incidentData is the webhook's incident block plus the affected
// components, which the page names.
type incidentData struct {
	notify.IncidentBlock
	Components []string `json:"components"`
}

// maintenanceData is the webhook's maintenance block plus the window's
// components and bounds, which the page shows.
type maintenanceData struct {
	notify.MaintenanceBlock
	Description string   `json:"description"`
	Components  []string `json:"components"`
	Start       string   `json:"start"`
	End         string   `json:"end"`
}

// encoder turns event batches into WebSocket messages. Its fields come
// from the configuration and never change.
type encoder struct {
	page notify.Page // ID and URL; status comes from each event
	// maxMessages is the most messages one batch may become; a larger
	// batch (a reload touching every component) is sent as one snapshot,
	// which is smaller and would otherwise overflow the client queues.
	maxMessages int
}

// encoded is what one batch becomes: messages, or a snapshot instead.
type encoded struct {
	msgs     [][]byte
	snapshot bool
}

// batch turns one committed batch into messages. prev is the snapshot
// the clients already have applied (nil: none), used to tell a group
// whose status alone moved (the page recomputes that) from one whose name
// or members changed (which needs a snapshot).
func (e encoder) batch(prev, next *status.Snapshot, events []status.Event) encoded {
	var out encoded
	var checks map[string]status.CheckStatus // by id, built on first use
	for _, ev := range events {
		if len(out.msgs) > e.maxMessages {
			break
		}
		var (
			typ  string
			data any
		)
		switch ev.Kind {
		case status.ComponentChanged:
			if ev.Component == nil {
				continue
			}
			if checks == nil {
				checks = map[string]status.CheckStatus{}
				if next != nil {
					for _, ch := range next.Checks {
						checks[ch.ID] = ch
					}
				}
			}
			typ, data = typeComponent, e.component(ev, checks)
		case status.IncidentChanged:
			if ev.Incident == nil {
				continue
			}
			p := notify.NewIncidentPayload(notify.Meta{}, e.pageOf(ev), *ev.Incident)
			typ, data = typeIncident, incidentData{IncidentBlock: p.Incident, Components: nonNil(ev.Incident.Components)}
		case status.MaintenanceChanged:
			if ev.Maintenance == nil {
				continue
			}
			m := ev.Maintenance
			p := notify.NewMaintenancePayload(notify.Meta{}, e.pageOf(ev), *m)
			typ, data = typeMaintenance, maintenanceData{
				MaintenanceBlock: p.Maintenance,
				Description:      m.Description,
				Components:       nonNil(m.Components),
				Start:            formatTime(m.Start),
				End:              formatTime(m.End()),
			}
		case status.PageChanged:
			p := e.pageOf(ev)
			typ, data = typePage, notify.PageBlock{
				ID:                p.ID,
				StatusIndicator:   string(p.Status),
				StatusDescription: p.Description,
				URL:               p.URL,
			}
		case status.GroupChanged:
			if ev.Group == nil || !sameGroupShape(prev, ev.Group) {
				out.snapshot = true
			}
			continue
		case status.ComponentDeleted, status.GroupDeleted, status.IncidentDeleted, status.MaintenanceDeleted:
			// The four message types cannot say "gone".
			out.snapshot = true
			continue
		default:
			// Check events: the component event that follows carries
			// the checks the page shows.
			continue
		}
		b, err := json.Marshal(envelope{Type: typ, Data: data})
		if err != nil {
			// The data types hold only strings, numbers, bools and
			// slices of them.
			panic(fmt.Sprintf("web: marshal %s message: %v", typ, err))
		}
		out.msgs = append(out.msgs, b)
	}
	if out.snapshot || len(out.msgs) > e.maxMessages {
		return encoded{snapshot: true}
	}
	return out
}

func (e encoder) pageOf(ev status.Event) notify.Page {
	p := e.page
	p.Status, p.Description = ev.Page.Status, ev.Page.Description
	return p
}

// component builds a component message; checks holds the checks' states
// after the batch.
func (e encoder) component(ev status.Event, checks map[string]status.CheckStatus) componentData {
	c := ev.Component
	p := notify.NewComponentPayload(notify.Meta{}, e.pageOf(ev), *c, ev.OldStatus, ev.At)
	d := componentData{
		ComponentBlock: p.Component,
		Description:    c.Description,
		Group:          c.Group,
		OldStatus:      string(ev.OldStatus),
		UpdatedAt:      formatTime(c.UpdatedAt),
		Checks:         make([]checkData, 0, len(c.Checks)),
	}
	if d.UpdatedAt == "" {
		d.UpdatedAt = p.ComponentUpdate.CreatedAt
	}
	// In the component's order, like GET /status; a check without
	// results yet is UNKNOWN.
	for _, id := range c.Checks {
		ch, ok := checks[id]
		if !ok {
			ch = status.CheckStatus{ID: id, State: status.CheckUnknown}
		}
		d.Checks = append(d.Checks, checkData{
			ID:            ch.ID,
			State:         string(ch.State),
			LastResult:    formatTime(ch.LastResult),
			LastLatencyMS: float64(ch.LastLatency.Microseconds()) / 1000,
			LastError:     ch.LastError,
		})
	}
	return d
}

// sameGroupShape reports whether g differs from its previous version in
// status only.
func sameGroupShape(prev *status.Snapshot, g *status.Group) bool {
	if prev == nil {
		return false
	}
	for _, old := range prev.Groups {
		if old.ID == g.ID {
			return old.Name == g.Name && old.Description == g.Description && slices.Equal(old.Components, g.Components)
		}
	}
	return false
}

// snapshotMessage wraps a GET /status body into a snapshot message.
func snapshotMessage(body []byte) []byte {
	body = bytes.TrimSpace(body)
	msg := make([]byte, 0, len(body)+32)
	msg = append(msg, `{"type":"snapshot","data":`...)
	msg = append(msg, body...)
	return append(msg, '}')
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
