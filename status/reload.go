package status

import (
	"fmt"
	"slices"
	"time"
)

// Reconfigure applies a reloaded configuration. Checks whose id stays
// keep their history and state (new thresholds apply from their next
// result), removed ones go, new ones start UNKNOWN. Components and
// groups follow the file; those created through the API stay. A removed
// component's open auto incident is resolved. Windows from the file are
// added, rescheduled or withdrawn (cancelled if not started, completed
// if in progress); completed ones keep their history. A changed open_at
// applies to the next worsening. A spec that fails validation changes
// nothing.
func (e *Engine) Reconfigure(now time.Time, spec Spec) ([]Event, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	e.begin(now)
	e.due(now)
	before := e.views()
	e.quiet = true
	e.reconcile(spec)
	e.quiet = false
	e.emitDiff(before)
	return e.finish(), nil
}

// reconcile makes the engine follow spec, keeping the state of what
// stays. Callers set quiet and compare views around it.
func (e *Engine) reconcile(spec Spec) {
	e.spec = spec.clone()
	e.openAt = spec.OpenAt
	e.resolveAfter = spec.ResolveAfter
	e.reopenWithin = spec.ReopenWithin
	e.keepResolved, e.keepPerComponent = spec.KeepResolved, spec.KeepResolvedPerComponent

	inSpec := map[string]bool{}
	var gorder []*group
	for _, gs := range spec.Groups {
		g := e.groups[gs.ID]
		if g == nil {
			g = &group{g: Group{ID: gs.ID, Status: Operational}}
			e.groups[gs.ID] = g
		}
		g.g.Name, g.g.Description, g.g.FromConfig = gs.Name, gs.Description, true
		inSpec[gs.ID] = true
		gorder = append(gorder, g)
	}
	for _, g := range e.groupOrder {
		switch {
		case inSpec[g.g.ID]:
		case g.g.FromConfig:
			delete(e.groups, g.g.ID)
		default:
			gorder = append(gorder, g)
		}
	}
	e.groupOrder = gorder

	clear(inSpec)
	var corder, removed []*component
	for _, cs := range spec.Components {
		c := e.comps[cs.ID]
		if c == nil {
			c = e.newComponent(cs.ID)
		}
		c.c.Name, c.c.Description, c.c.Group, c.c.FromConfig = cs.Name, cs.Description, cs.Group, true
		e.setChecks(c, cs.Checks)
		inSpec[cs.ID] = true
		corder = append(corder, c)
	}
	for _, c := range e.order {
		switch {
		case inSpec[c.c.ID]:
		case c.c.FromConfig:
			removed = append(removed, c)
		default:
			corder = append(corder, c)
		}
	}
	e.order = corder
	e.renumber()
	for _, c := range removed {
		e.removeComponent(c, c.c.Name+" was removed from the configuration.")
	}

	e.reconcileWindows(spec.Maintenance)
	e.adoptAuto(true)

	for _, c := range e.order {
		c.inMaint = e.covered(c.c.ID)
		e.recompute(c)
	}
	e.rebuildCounts()
	e.timers(e.now)
}

// setChecks gives a component the checks of its spec, keeping the
// runtime state of the ones that stay.
func (e *Engine) setChecks(c *component, specs []CheckSpec) {
	had := len(c.checks) > 0
	old := make(map[string]*check, len(c.checks))
	for _, ch := range c.checks {
		old[ch.id] = ch
	}
	list := make([]*check, 0, len(specs))
	var ids []string
	for _, cs := range specs {
		ch := old[cs.ID]
		if ch != nil {
			delete(old, cs.ID)
		} else {
			ch = &check{id: cs.ID, comp: c, state: CheckUnknown, uptime: e.uptime.entry(cs.ID)}
			e.checks[cs.ID] = ch
			st := ch.status()
			e.emit(Event{Kind: CheckChanged, Check: &st})
		}
		ch.configure(cs)
		list = append(list, ch)
		ids = append(ids, cs.ID)
	}
	for _, ch := range c.checks {
		if old[ch.id] == ch {
			e.dropCheck(ch)
		}
	}
	c.checks, c.c.Checks = list, ids
	c.recount()
	if had && len(list) == 0 {
		// From now on the status is set by hand; start from what people
		// saw, or from what a person asked for.
		c.manual = c.c.Status
		if c.c.Override != "" {
			c.manual = c.c.Override
		}
		if c.inMaint && c.c.Override == "" {
			c.manual = Operational
		}
		c.c.Override, c.c.OverrideUntil = "", time.Time{}
		c.held = false
		delete(e.overridden, c)
	}
}

func (e *Engine) reconcileWindows(specs []MaintenanceSpec) {
	inSpec := map[string]bool{}
	for _, ms := range specs {
		inSpec[ms.ID] = true
		w := e.windows[ms.ID]
		if w == nil {
			w = &window{m: Maintenance{
				ID: ms.ID, Name: ms.Name, Description: ms.Description,
				Status: NotStartedYet, Impact: UnderMaintenance,
				Components: slices.Clone(ms.Components), Start: ms.Start, Duration: ms.Duration,
				CreatedAt: e.now, FromConfig: true,
			}}
			e.addWindow(w)
			e.firstWindowUpdate(w, "")
			continue
		}
		m := &w.m
		m.FromConfig = true
		meta := m.Name != ms.Name || m.Description != ms.Description
		schedule := m.Status != Completed &&
			(!m.Start.Equal(ms.Start) || m.Duration != ms.Duration || !slices.Equal(m.Components, ms.Components))
		if !meta && !schedule {
			continue
		}
		old := slices.Clone(m.Components)
		m.Name, m.Description = ms.Name, ms.Description
		body := "Details updated."
		if schedule {
			m.Start, m.Duration, m.Components = ms.Start, ms.Duration, slices.Clone(ms.Components)
			body = fmt.Sprintf("Rescheduled to %s, lasting %s.", m.Start.UTC().Format(time.RFC3339), m.Duration)
			e.sortWindows()
		}
		e.windowUpdate(w, m.Status, body)
		if m.Status == InProgress {
			e.refreshMaint(append(old, m.Components...))
		}
	}
	for _, w := range slices.Clone(e.windowList) {
		if !w.m.FromConfig || inSpec[w.m.ID] {
			continue
		}
		w.m.FromConfig = false
		switch w.m.Status {
		case NotStartedYet:
			e.endWindow(w, true, "Withdrawn from the configuration.")
		case InProgress:
			e.endWindow(w, false, "Ended: removed from the configuration.")
		default:
			e.emitWindow(w)
		}
	}
}
