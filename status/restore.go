package status

import (
	"slices"
	"time"
)

// State is what the store kept of a previous run.
type State struct {
	Components  []Component
	Groups      []Group
	Incidents   []Incident // open ones, and resolved ones worth showing
	Maintenance []Maintenance
}

// Restore replaces the engine's state with the stored one and reconciles
// it with the Spec given to New, as a reload would. Call it once, right
// after New. It returns what differs from the store (the configuration
// may have changed while up was stopped), so even a first start with an
// empty State should pass its events on: they create the configured
// objects in the store.
//
// A restart must not look like a recovery or an outage. So checks start
// UNKNOWN, but each component with checks keeps its stored status until
// every one of its checks has reported again, and the checks of a
// component stored in PARTIALOUTAGE or worse are presumed DOWN: their
// first failure keeps them DOWN instead of starting a new run. An open
// auto incident continues (no duplicate opens). One that was MONITORING
// resolves resolve_after after its monitoring began (its latest update),
// not after the restart, but only once every check of the component has
// reported again and the component is still operational: the restart
// alone is no evidence, so it neither resolves nor moves the incident;
// a worse status on the first results stops the countdown as usual.
// Should the store hold two open auto incidents of one component, the
// newest continues and the others are resolved as duplicates.
func (e *Engine) Restore(now time.Time, st State) []Event {
	e.begin(now)
	e.reset()
	before := e.load(st)
	e.oldPage = pageFor(&e.counts)
	e.quiet = true
	e.reconcile(e.spec)
	e.quiet = false
	e.emitDiff(before)
	return e.finish()
}

func (e *Engine) load(st State) views {
	before := views{comps: map[string]Component{}, groups: map[string]Group{}}
	for _, g := range st.Groups {
		if g.ID == "" || e.groups[g.ID] != nil {
			continue
		}
		before.groups[g.ID] = g.clone()
		gg := &group{g: g.clone()}
		e.groups[g.ID] = gg
		e.groupOrder = append(e.groupOrder, gg)
	}
	for _, m := range st.Maintenance {
		if m.ID == "" || e.windows[m.ID] != nil {
			continue
		}
		w := &window{m: m.clone()}
		e.windows[m.ID] = w
		if m.Status == InProgress {
			e.active = append(e.active, w)
		}
	}
	e.sortWindows()
	for _, sc := range st.Components {
		if sc.ID == "" || e.comps[sc.ID] != nil {
			continue
		}
		before.comps[sc.ID] = sc.clone()
		c := &component{c: sc.clone(), manual: Operational}
		e.comps[sc.ID] = c
		e.order = append(e.order, c)
		if !c.c.Status.Valid() {
			c.c.Status = Operational
		}
		if len(sc.Checks) > 0 {
			c.c.FromConfig = true // only the file gives a component checks
		}
		if o := c.c.Override; o != "" && (!o.Valid() || (!c.c.OverrideUntil.IsZero() && !e.now.Before(c.c.OverrideUntil))) {
			c.c.Override, c.c.OverrideUntil = "", time.Time{}
		}
		if c.c.Override != "" {
			e.overridden[c] = struct{}{}
		}
		presumed := sc.Override == "" && rank(sc.Status) >= rank(PartialOutage)
		c.c.Checks = nil
		for _, id := range sc.Checks {
			if e.checks[id] != nil {
				continue
			}
			// No thresholds or interval yet: reconcile, which runs next,
			// gives them from the Spec or drops the check, since only the
			// file gives a component checks.
			ch := &check{
				id: id, comp: c, state: CheckUnknown, presumedDown: presumed,
				uptime: e.uptime.entry(id),
			}
			e.checks[id] = ch
			c.checks = append(c.checks, ch)
			c.c.Checks = append(c.c.Checks, id)
		}
		c.recount()
		c.inMaint = e.covered(sc.ID)
		c.fromChecks = len(c.checks) > 0 && sc.Override == "" && sc.Status != UnderMaintenance
		switch {
		case len(c.checks) == 0:
			c.manual = c.c.Status
			if c.manual == UnderMaintenance && e.windowTouched(sc.ID) {
				// The status came from a window, not from a person.
				c.manual = Operational
			}
		case sc.Override == "" && c.c.Status != UnderMaintenance:
			c.held, c.heldStatus = true, c.c.Status
		}
	}
	e.renumber()
	for _, inc := range st.Incidents {
		if inc.ID == "" || e.incidents[inc.ID] != nil {
			continue
		}
		cp := inc.clone()
		e.incidents[inc.ID] = &cp
	}
	e.adoptAuto(false)
	for _, c := range e.order {
		if inc := c.auto; inc != nil && c.held && c.c.Status == Operational && inc.Status == Monitoring && !inc.ByHand {
			c.monitoringSince = monitoringSince(inc)
		}
	}
	e.rebuildCounts()
	return before
}

// monitoringSince is when a MONITORING auto incident's resolve countdown
// began: the time of its latest update. The engine adds one each time
// the component comes back (and none while it stays operational), so
// that is the start of the current phase, or later when a person has
// commented since: a restart then waits a little longer, never less.
func monitoringSince(inc *Incident) time.Time {
	if len(inc.Updates) > 0 {
		return inc.Updates[0].CreatedAt
	}
	return inc.UpdatedAt
}

// windowTouched reports whether a stored window that has started lists
// the component.
func (e *Engine) windowTouched(id string) bool {
	for _, w := range e.windowList {
		if w.m.Status != NotStartedYet && slices.Contains(w.m.Components, id) {
			return true
		}
	}
	return false
}
