package notify

import (
	"fmt"
	"slices"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/wire"
)

// Planner turns events into deliveries. Its fields come from the
// configuration; the zero Documentation means DefaultDocumentation(PageURL).
type Planner struct {
	PageID string
	// PageURL is the page's base URL. It must not be empty: it is
	// page.url and the base of every link in a payload, and some
	// Instatus consumers reject a payload without it.
	PageURL       string
	Documentation string
}

// Plan returns one pending delivery per event and interested subscriber,
// in event order, then subscriber order. Each gets a fresh status.NewID
// (sent as X-Up-Delivery on every attempt) and is due at now.
//
// Disabled subscribers get nothing. Quarantined subscribers still get
// their deliveries queued, but the Dispatcher makes no attempt until the
// quarantine is cleared (Dispatcher.Resume): a receiver that comes back
// then gets what it missed, in order, unless it is older than the
// give-up age, in which case it is tried once more and kept as dead.
//
// Page events cause no webhook: the page block of the other three kinds
// carries the page status. See Payload for the other events skipped.
func (p Planner) Plan(events []status.Event, subscribers []store.Subscriber, now time.Time) []store.Delivery {
	var out []store.Delivery
	for _, ev := range events {
		for _, s := range subscribers {
			if s.Disabled || !Interested(s, ev) {
				continue
			}
			body, ok := p.Payload(ev, s.Token)
			if !ok {
				continue
			}
			out = append(out, store.Delivery{
				ID:          status.NewID(),
				Subscriber:  s.ID,
				Event:       string(ev.Kind),
				Payload:     body,
				State:       store.Pending,
				CreatedAt:   now,
				NextAttempt: now,
			})
		}
	}
	return out
}

// Payload returns the exact JSON body of ev's webhook for the subscriber
// whose unsubscribe token is token; ok is false for events that cause no
// webhook: page, check, group and deletion events, a component event
// that is not a change of status, or an event missing its object.
func (p Planner) Payload(ev status.Event, token string) (body []byte, ok bool) {
	page := wire.Page{ID: p.PageID, URL: p.PageURL}
	meta := wire.Meta{Unsubscribe: UnsubscribeURL(p.PageURL, token), Documentation: p.Documentation}
	if meta.Documentation == "" {
		meta.Documentation = DefaultDocumentation(p.PageURL)
	}
	var v any
	switch ev.Kind {
	case status.IncidentChanged:
		if ev.Incident == nil {
			return nil, false
		}
		v = wire.NewIncidentPayload(meta, page, ev.Page, ev.Incident)
	case status.MaintenanceChanged:
		if ev.Maintenance == nil {
			return nil, false
		}
		v = wire.NewMaintenancePayload(meta, page, ev.Page, ev.Maintenance)
	case status.ComponentChanged:
		// Only a change of status is a component webhook: a new
		// component (no old status) or a renamed one is not news to
		// subscribers, and a first start would flood them.
		if ev.Component == nil || ev.OldStatus == "" || ev.OldStatus == ev.Component.Status {
			return nil, false
		}
		v = wire.NewComponentPayload(meta, page, ev.Page, ev.Component, ev.OldStatus, ev.At)
	default:
		return nil, false
	}
	body, err := wire.Marshal(v)
	if err != nil {
		// The payload types hold only strings, bools and slices of them.
		panic(fmt.Sprintf("notify: marshal %s payload: %v", ev.Kind, err))
	}
	return body, true
}

// Interested reports whether subscriber s wants ev. Events filters by
// kind; Components filters component events by the component and
// incident and maintenance events by any component they affect (so an
// incident that names no component reaches only subscribers without a
// component filter). Empty filters match everything. Disabled and
// quarantine are not looked at here.
func Interested(s store.Subscriber, ev status.Event) bool {
	if len(s.Events) > 0 && !slices.Contains(s.Events, string(ev.Kind)) {
		return false
	}
	if len(s.Components) == 0 {
		return true
	}
	var affected []string
	switch ev.Kind {
	case status.ComponentChanged:
		if ev.Component != nil {
			affected = []string{ev.Component.ID}
		}
	case status.IncidentChanged:
		if ev.Incident != nil {
			affected = ev.Incident.Components
		}
	case status.MaintenanceChanged:
		if ev.Maintenance != nil {
			affected = ev.Maintenance.Components
		}
	}
	for _, c := range affected {
		if slices.Contains(s.Components, c) {
			return true
		}
	}
	return false
}
