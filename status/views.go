package status

import "slices"

// views is a copy of the components and groups, compared after a reload
// or an API edit to tell exactly what changed.
type views struct {
	comps  map[string]Component
	groups map[string]Group
}

func (e *Engine) views() views {
	v := views{comps: make(map[string]Component, len(e.comps)), groups: make(map[string]Group, len(e.groups))}
	for id, c := range e.comps {
		v.comps[id] = c.c.clone()
	}
	for id, g := range e.groups {
		v.groups[id] = g.g.clone()
	}
	return v
}

func (e *Engine) emitDiff(before views) {
	var gone []string
	for id := range before.comps {
		if e.comps[id] == nil {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		cp := before.comps[id]
		e.emit(Event{Kind: ComponentDeleted, Component: &cp, OldStatus: cp.Status})
	}
	for _, c := range e.order {
		prev, ok := before.comps[c.c.ID]
		switch {
		case !ok:
			e.emitComponent(c, "")
		case !sameComponent(&prev, &c.c):
			if c.c.UpdatedAt.Equal(prev.UpdatedAt) {
				c.c.UpdatedAt = e.now
			}
			e.emitComponent(c, prev.Status)
		}
	}
	gone = gone[:0]
	for id := range before.groups {
		if e.groups[id] == nil {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		cp := before.groups[id]
		e.emit(Event{Kind: GroupDeleted, Group: &cp, OldStatus: cp.Status})
	}
	for _, g := range e.groupOrder {
		prev, ok := before.groups[g.g.ID]
		switch {
		case !ok:
			e.emitGroup(g, "")
		case !sameGroup(&prev, &g.g):
			e.emitGroup(g, prev.Status)
		}
	}
}

func sameComponent(a, b *Component) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Description == b.Description && a.Group == b.Group &&
		a.Status == b.Status && slices.Equal(a.Checks, b.Checks) && a.Override == b.Override &&
		a.OverrideUntil.Equal(b.OverrideUntil) && a.CreatedAt.Equal(b.CreatedAt) && a.FromConfig == b.FromConfig
}

func sameGroup(a, b *Group) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Description == b.Description && a.Status == b.Status &&
		slices.Equal(a.Components, b.Components) && a.FromConfig == b.FromConfig
}
