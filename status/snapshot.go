package status

import (
	"cmp"
	"slices"
)

// Snapshot is a deep copy of everything the engine shows: what the API's
// GET /status and the status page's first message need.
type Snapshot struct {
	Page Page
	// Groups and Components are in page order: the configuration file's
	// order, then those created through the API.
	Groups     []Group
	Components []Component
	Checks     []CheckStatus // in component order
	// Incidents holds the open ones and those resolved within the
	// retention, newest first.
	Incidents []Incident
	// Maintenance holds windows not completed and those completed within
	// the retention, latest start first.
	Maintenance []Maintenance
}

// Snapshot copies the engine's state; the copy shares no memory with it.
func (e *Engine) Snapshot() Snapshot { return e.SnapshotAfter(nil) }

// SnapshotAfter is Snapshot, except that the group and component lists
// are prev's own when they have not changed since prev was taken (prev
// may be nil). prev and the result must both be treated as read-only, as
// published snapshots are. Probe results move checks far more often than
// components: with one check per component, copying the components on
// every publication was half of the snapshot's garbage.
func (e *Engine) SnapshotAfter(prev *Snapshot) Snapshot {
	// Sized up front and with the id lists of all components in one
	// backing array: a snapshot of 10 000 checks is taken after every
	// committed change, and growing slices was most of its cost.
	s := Snapshot{
		Page:        e.page,
		Checks:      make([]CheckStatus, 0, len(e.checks)),
		Incidents:   make([]Incident, 0, len(e.incidents)),
		Maintenance: make([]Maintenance, 0, len(e.windowList)),
	}
	if prev != nil && e.groupsAsIn(prev.Groups) {
		s.Groups = prev.Groups
	}
	if prev != nil && e.componentsAsIn(prev.Components) {
		s.Components = prev.Components
	}
	n := 0
	if s.Groups == nil {
		for _, g := range e.groupOrder {
			n += len(g.g.Components)
		}
	}
	if s.Components == nil {
		for _, c := range e.order {
			n += len(c.c.Checks)
		}
	}
	ids := make([]string, 0, n)
	share := func(src []string) []string {
		if src == nil {
			return nil
		}
		start := len(ids)
		ids = append(ids, src...)
		return ids[start:len(ids):len(ids)]
	}
	if s.Groups == nil {
		s.Groups = make([]Group, 0, len(e.groupOrder))
		for _, g := range e.groupOrder {
			gc := g.g
			gc.Components = share(gc.Components)
			s.Groups = append(s.Groups, gc)
		}
	}
	if s.Components == nil {
		s.Components = make([]Component, 0, len(e.order))
		for _, c := range e.order {
			cc := c.c
			cc.Checks = share(cc.Checks)
			s.Components = append(s.Components, cc)
		}
	}
	for _, c := range e.order {
		for _, ch := range c.checks {
			s.Checks = append(s.Checks, ch.status())
		}
	}
	for _, inc := range e.incidents {
		s.Incidents = append(s.Incidents, inc.clone())
	}
	slices.SortFunc(s.Incidents, func(a, b Incident) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	for i := len(e.windowList) - 1; i >= 0; i-- {
		s.Maintenance = append(s.Maintenance, e.windowList[i].m.clone())
	}
	return s
}

// Page returns the page status.
func (e *Engine) Page() Page { return e.page }

// Component returns a copy of one component.
func (e *Engine) Component(id string) (Component, bool) {
	c := e.comps[id]
	if c == nil {
		return Component{}, false
	}
	return c.c.clone(), true
}

// Check returns what the engine knows of one check.
func (e *Engine) Check(id string) (CheckStatus, bool) {
	ch := e.checks[id]
	if ch == nil {
		return CheckStatus{}, false
	}
	return ch.status(), true
}

// Incident returns a copy of an incident the engine holds.
func (e *Engine) Incident(id string) (Incident, bool) {
	inc := e.incidents[id]
	if inc == nil {
		return Incident{}, false
	}
	return inc.clone(), true
}

// Maintenance returns a copy of a window the engine holds.
func (e *Engine) Maintenance(id string) (Maintenance, bool) {
	w := e.windows[id]
	if w == nil {
		return Maintenance{}, false
	}
	return w.m.clone(), true
}

func (c Component) clone() Component {
	c.Checks = slices.Clone(c.Checks)
	return c
}

func (g Group) clone() Group {
	g.Components = slices.Clone(g.Components)
	return g
}

func (i Incident) clone() Incident {
	i.Components = slices.Clone(i.Components)
	i.Updates = slices.Clone(i.Updates)
	return i
}

func (m Maintenance) clone() Maintenance {
	m.Components = slices.Clone(m.Components)
	m.Updates = slices.Clone(m.Updates)
	return m
}

// groupsAsIn reports whether gs holds exactly the engine's groups, in
// order, field for field.
func (e *Engine) groupsAsIn(gs []Group) bool {
	if gs == nil || len(gs) != len(e.groupOrder) {
		return false
	}
	for i, g := range e.groupOrder {
		a, b := &g.g, &gs[i]
		if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.Status != b.Status ||
			a.FromConfig != b.FromConfig || !slices.Equal(a.Components, b.Components) {
			return false
		}
	}
	return true
}

// componentsAsIn reports whether cs holds exactly the engine's
// components, in order, field for field. Times compare with == rather
// than Equal: a time in another location prints differently.
func (e *Engine) componentsAsIn(cs []Component) bool {
	if cs == nil || len(cs) != len(e.order) {
		return false
	}
	for i, c := range e.order {
		a, b := &c.c, &cs[i]
		if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.Group != b.Group ||
			a.Status != b.Status || a.Override != b.Override || a.FromConfig != b.FromConfig ||
			a.OverrideUntil != b.OverrideUntil || a.CreatedAt != b.CreatedAt || a.UpdatedAt != b.UpdatedAt ||
			!slices.Equal(a.Checks, b.Checks) {
			return false
		}
	}
	return true
}
