package status

import (
	"cmp"
	"slices"
	"time"
)

// Follow is the state of an instance that does not run the engine: a
// snapshot taken from a restored engine, moved by the events and check
// states another instance's engine committed. Events carry whole
// objects, so applying one twice, or an older one before the newer, ends
// in the same state as long as they are applied in order.
type Follow struct {
	snap Snapshot
	// Caps on resolved incidents and how long they and completed windows
	// are shown, as the engine applies them (Spec.KeepResolved...).
	keepResolved, keepPerComponent int
	retention                      time.Duration
}

// NewFollow starts from snap (an engine's Snapshot, not to be modified
// afterwards), with the spec's caps on resolved incidents.
func NewFollow(snap Snapshot, spec Spec) *Follow {
	return &Follow{snap: snap, keepResolved: spec.KeepResolved, keepPerComponent: spec.KeepResolvedPerComponent, retention: 14 * 24 * time.Hour}
}

// Snapshot is the state after the latest Apply. It shares memory with
// the previous ones where nothing changed: treat it as read-only.
func (f *Follow) Snapshot() Snapshot { return f.snap }

// Apply moves the state by committed events and by the latest states of
// checks, and returns the check events it derived: a check whose state
// differs from the one shown before (the engine's CheckChanged, for the
// consumers that follow checks).
func (f *Follow) Apply(now time.Time, events []Event, checks []CheckStatus) []Event {
	s := f.snap
	var derived []Event
	if len(checks) > 0 {
		at := make(map[string]int, len(s.Checks))
		for i, c := range s.Checks {
			at[c.ID] = i
		}
		s.Checks = slices.Clone(s.Checks)
		for _, c := range checks {
			i, ok := at[c.ID]
			if !ok {
				continue // not in this instance's config: a config being rolled out
			}
			if old := s.Checks[i]; old.State != c.State {
				c := c
				derived = append(derived, Event{Kind: CheckChanged, At: c.LastResult, Page: s.Page, Check: &c, OldCheck: old.State})
			}
			s.Checks[i] = c
		}
	}
	incidents, windows := false, false
	for _, ev := range events {
		s.Page = ev.Page
		switch ev.Kind {
		case ComponentChanged:
			s.Components = put(s.Components, *ev.Component, func(c Component) string { return c.ID })
		case ComponentDeleted:
			s.Components = drop(s.Components, ev.Component.ID, func(c Component) string { return c.ID })
		case GroupChanged:
			s.Groups = put(s.Groups, *ev.Group, func(g Group) string { return g.ID })
		case GroupDeleted:
			s.Groups = drop(s.Groups, ev.Group.ID, func(g Group) string { return g.ID })
		case IncidentChanged:
			s.Incidents, incidents = put(s.Incidents, *ev.Incident, func(i Incident) string { return i.ID }), true
		case IncidentDeleted:
			s.Incidents = drop(s.Incidents, ev.Incident.ID, func(i Incident) string { return i.ID })
		case MaintenanceChanged:
			s.Maintenance, windows = put(s.Maintenance, *ev.Maintenance, func(m Maintenance) string { return m.ID }), true
		case MaintenanceDeleted:
			s.Maintenance = drop(s.Maintenance, ev.Maintenance.ID, func(m Maintenance) string { return m.ID })
		}
	}
	if incidents {
		s.Incidents = f.trimIncidents(now, s.Incidents)
	}
	if windows {
		limit := now.Add(-f.retention)
		s.Maintenance = slices.DeleteFunc(s.Maintenance, func(m Maintenance) bool {
			return m.Status == Completed && !m.FromConfig && m.ResolvedAt.Before(limit)
		})
		slices.SortFunc(s.Maintenance, func(a, b Maintenance) int { // latest start first
			return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(b.ID, a.ID))
		})
	}
	f.snap = s
	return derived
}

// trimIncidents orders incidents newest first and lets go of resolved
// ones beyond the engine's caps, as the engine does.
func (f *Follow) trimIncidents(now time.Time, incs []Incident) []Incident {
	slices.SortFunc(incs, func(a, b Incident) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	limit := now.Add(-f.retention)
	var resolved []int
	for i, inc := range incs {
		if !inc.Open() {
			resolved = append(resolved, i)
		}
	}
	slices.SortFunc(resolved, func(a, b int) int { // newest resolution first
		return cmp.Or(incs[b].ResolvedAt.Compare(incs[a].ResolvedAt), cmp.Compare(incs[b].ID, incs[a].ID))
	})
	gone := map[int]bool{}
	kept, keptComp := 0, map[string]int{}
	for _, i := range resolved {
		inc := incs[i]
		comp := ""
		if len(inc.Components) > 0 {
			comp = inc.Components[0]
		}
		if inc.ResolvedAt.Before(limit) || (f.keepResolved > 0 && kept >= f.keepResolved) ||
			(comp != "" && f.keepPerComponent > 0 && keptComp[comp] >= f.keepPerComponent) {
			gone[i] = true
			continue
		}
		kept++
		keptComp[comp]++
	}
	if len(gone) == 0 {
		return incs
	}
	out := make([]Incident, 0, len(incs)-len(gone))
	for i, inc := range incs {
		if !gone[i] {
			out = append(out, inc)
		}
	}
	return out
}

// put replaces the element with v's id, or appends v; the slice is a
// new one, so earlier snapshots keep theirs.
func put[T any](list []T, v T, id func(T) string) []T {
	out := slices.Clone(list)
	for i := range out {
		if id(out[i]) == id(v) {
			out[i] = v
			return out
		}
	}
	return append(out, v)
}

// drop removes the element with the given id, into a new slice.
func drop[T any](list []T, key string, id func(T) string) []T {
	return slices.DeleteFunc(slices.Clone(list), func(v T) bool { return id(v) == key })
}
