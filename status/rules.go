package status

import (
	"slices"
	"time"
)

// count moves one check of the component into or out of a state.
func (c *component) count(s CheckState, d int) {
	switch s {
	case CheckUnknown:
		c.nUnknown += d
	case CheckDown:
		c.nDown += d
	case CheckFlaky:
		c.nFlaky += d
	case CheckSlow:
		c.nSlow += d
	}
}

func (c *component) recount() {
	c.nUnknown, c.nDown, c.nFlaky, c.nSlow = 0, 0, 0, 0
	for _, ch := range c.checks {
		c.count(ch.state, 1)
	}
}

// settled reports whether every check has reported since the engine
// started or the check was added: only then may the engine call the
// component recovered.
func (c *component) settled() bool { return c.nUnknown == 0 }

// derive is the component rule. A status set by hand wins over
// everything, maintenance included: a person who sets a status knows
// something the engine does not, and an outage reported during a window
// must not hide behind "under maintenance". For a component without
// checks that holds for any status but OPERATIONAL, which is what such a
// component says while nobody has reported a problem, so a window shows
// over it. UNKNOWN checks are left out: a component is MAJOROUTAGE when
// every check that has reported is DOWN, and with no reports at all it
// is OPERATIONAL, never down.
func (e *Engine) derive(c *component) ComponentStatus {
	switch {
	case c.c.Override != "":
		return c.c.Override
	case len(c.checks) == 0 && c.manual != Operational:
		return c.manual
	case c.inMaint:
		return UnderMaintenance
	case len(c.checks) == 0:
		return c.manual
	case c.held && c.nUnknown > 0:
		return c.heldStatus
	}
	known := len(c.checks) - c.nUnknown
	switch {
	case known == 0:
		return Operational
	case c.nDown == known:
		return MajorOutage
	case c.nDown > 0 || c.nFlaky > 0:
		return PartialOutage
	case c.nSlow > 0:
		return DegradedPerformance
	}
	return Operational
}

// recompute applies the component rule after anything that may change
// it, keeps the page and group counts, and lets the auto incident follow.
// It reports whether the status changed.
func (e *Engine) recompute(c *component) bool {
	if c.held && c.nUnknown == 0 {
		c.held = false
	}
	old := c.c.Status
	wasChecks := c.fromChecks
	st := e.derive(c)
	c.fromChecks = c.c.Override == "" && !c.inMaint && len(c.checks) > 0
	changed := st != old
	if changed {
		c.monitoringSince = time.Time{}
		c.c.Status = st
		c.c.UpdatedAt = e.now
		if !e.quiet {
			e.emitComponent(c, old)
		}
		e.move(c, old, st)
	}
	e.review(c, old, wasChecks)
	return changed
}

// move keeps the per-status counts of the page and the group in step
// with one component's change, so neither needs a scan.
func (e *Engine) move(c *component, old, st ComponentStatus) {
	if i := rank(old); i >= 0 {
		e.counts[i]--
	}
	if i := rank(st); i >= 0 {
		e.counts[i]++
	}
	g := c.group
	if g == nil {
		return
	}
	if i := rank(old); i >= 0 {
		g.counts[i]--
	}
	if i := rank(st); i >= 0 {
		g.counts[i]++
	}
	if w := worst(&g.counts); w != g.g.Status {
		prev := g.g.Status
		g.g.Status = w
		if !e.quiet {
			e.emitGroup(g, prev)
		}
	}
}

// rebuildCounts recounts the page and every group from scratch, after a
// change of membership (reload, restore, API edits of components).
func (e *Engine) rebuildCounts() {
	e.counts = [numStatuses]int{}
	for _, g := range e.groupOrder {
		g.counts = [numStatuses]int{}
		g.g.Components = nil
	}
	for _, c := range e.order {
		c.group = e.groups[c.c.Group]
		i := rank(c.c.Status)
		if i < 0 {
			continue
		}
		e.counts[i]++
		if c.group != nil {
			c.group.counts[i]++
			c.group.g.Components = append(c.group.g.Components, c.c.ID)
		}
	}
	for _, g := range e.groupOrder {
		g.g.Status = worst(&g.counts)
	}
}

const numStatuses = 5

// rank is ComponentStatus.Severity without the loop, for hot paths.
func rank(s ComponentStatus) int {
	switch s {
	case Operational:
		return 0
	case UnderMaintenance:
		return 1
	case DegradedPerformance:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return -1
}

func worst(counts *[numStatuses]int) ComponentStatus {
	for i := numStatuses - 1; i > 0; i-- {
		if counts[i] > 0 {
			return ComponentStatuses[i]
		}
	}
	return Operational
}

// pageFor is the page rule. The description follows the worst component
// status, so it says the most important thing; with only maintenance
// going on it says so rather than "All Systems Operational".
func pageFor(counts *[numStatuses]int) Page {
	switch worst(counts) {
	case MajorOutage:
		return Page{Status: PageHasIssues, Description: "Major System Outage"}
	case PartialOutage:
		return Page{Status: PageHasIssues, Description: "Partial System Outage"}
	case DegradedPerformance:
		return Page{Status: PageHasIssues, Description: "Degraded Performance"}
	case UnderMaintenance:
		return Page{Status: PageUnderMaintenance, Description: "Service Under Maintenance"}
	}
	return Page{Status: PageUp, Description: "All Systems Operational"}
}

// sortOrder puts components in page order, for deterministic events.
func sortOrder(cs []*component) {
	slices.SortFunc(cs, func(a, b *component) int { return a.order - b.order })
}
