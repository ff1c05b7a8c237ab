package status

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// review lets a component's auto incident follow its status. old is the
// status before the change (equal to the current one when only
// settledness changed); wasChecks tells whether old came from the checks.
// The rules beyond the basic ones of docs/statuses.md:
//
//   - An incident opens when the checks make the status reach open_at:
//     by getting worse, or by taking over again from an override or a
//     window that hid them. A restart, a reload or a person resolving an
//     incident while the outage goes on therefore opens nothing; the
//     next worsening does.
//   - It never opens under maintenance, under a manual override, or for a
//     component without checks: those statuses come from people.
//   - A maintenance window starting while an incident is open leaves the
//     incident open with an update saying so; its resolve timer stops,
//     and when the window ends the checks decide again (recovered:
//     MONITORING; still failing: INVESTIGATING).
//   - MONITORING needs every check of the component to have reported:
//     UNKNOWN checks (after a restart or a reload) count as operational
//     for the status, but are no evidence of recovery.
//   - A status between OPERATIONAL and open_at (say DEGRADEDPERFORMANCE
//     with open_at PARTIALOUTAGE) adds an update and stops the resolve
//     timer without changing the incident's status.
func (e *Engine) review(c *component, old ComponentStatus, wasChecks bool) {
	st := c.c.Status
	inc := c.auto
	if inc == nil {
		if e.mayOpen(c) && rank(st) >= rank(e.openAt) && (rank(st) > rank(old) || !wasChecks) {
			e.openIncident(c)
		}
		return
	}
	if inc.ByHand {
		e.stopClock(c)
		return
	}
	changed := st != old
	switch {
	case st == Operational && c.settled():
		if changed || inc.Status != Monitoring {
			e.autoUpdate(inc, Monitoring, fmt.Sprintf("%s is operational again; monitoring.", c.c.Name))
		}
		e.startClock(c)
		return
	case rank(st) >= rank(e.openAt):
		if changed || inc.Status == Monitoring {
			status := inc.Status
			if status == Monitoring {
				status = Investigating
			}
			if rank(st) > rank(inc.Impact) {
				if inc.Name == incidentName(c.c.Name, inc.Impact) {
					inc.Name = incidentName(c.c.Name, st) // a name given by hand stays
				}
				inc.Impact = st
			}
			e.autoUpdate(inc, status, e.describe(c))
		}
	case changed:
		e.autoUpdate(inc, inc.Status, e.describe(c))
	}
	e.stopClock(c)
}

func (e *Engine) mayOpen(c *component) bool {
	return len(c.checks) > 0 && !c.inMaint && c.c.Override == ""
}

func (e *Engine) openIncident(c *component) {
	st := c.c.Status
	if inc := c.last; inc != nil && !inc.Open() && !inc.ByHand && e.reopenWithin > 0 && e.now.Sub(inc.ResolvedAt) < e.reopenWithin {
		// A relapse soon after recovery is the same trouble: continue
		// its incident rather than flood the page and the webhooks with
		// one incident per flap.
		since := e.now.Sub(inc.ResolvedAt).Round(time.Second)
		inc.ResolvedAt = time.Time{}
		if rank(st) > rank(inc.Impact) {
			if inc.Name == incidentName(c.c.Name, inc.Impact) {
				inc.Name = incidentName(c.c.Name, st)
			}
			inc.Impact = st
		}
		e.incidents[inc.ID] = inc // it may have been pruned from memory
		c.auto, c.last = inc, nil
		e.autoUpdate(inc, Investigating, fmt.Sprintf("Failing again %s after it was resolved; reopened. %s", since, e.describe(c)))
		return
	}
	inc := &Incident{
		ID:         e.ids(),
		Name:       incidentName(c.c.Name, st),
		Status:     Investigating,
		Impact:     st,
		Components: []string{c.c.ID},
		Auto:       true,
		CreatedAt:  e.now,
	}
	e.incidents[inc.ID] = inc
	c.auto = inc
	e.autoUpdate(inc, Investigating, e.describe(c))
}

// autoUpdate records one change of an incident as a new update, newest
// first, and tells it.
func (e *Engine) autoUpdate(inc *Incident, status IncidentStatus, body string) {
	inc.Status = status
	inc.UpdatedAt = e.now
	inc.Updates = slices.Insert(inc.Updates, 0, IncidentUpdate{
		ID:         e.ids(),
		IncidentID: inc.ID,
		Body:       body,
		Status:     status,
		CreatedAt:  e.now,
		UpdatedAt:  e.now,
	})
	e.emitIncident(inc)
}

func (e *Engine) startClock(c *component) {
	if _, ok := e.stable[c]; ok {
		return
	}
	e.stable[c] = struct{}{}
	c.stableFrom = e.elapsed
	if since := c.monitoringSince; !since.IsZero() {
		// Restored while MONITORING: the countdown goes on from the stored
		// time instead of starting over. The trusted clock did not run
		// while up was stopped, so this part is wall time, clamped: a
		// clock set back since gives the whole wait again (never a
		// negative one), a long stop or a clock set forward no more than
		// resolve_after, so the incident resolves at the next Tick.
		c.stableFrom -= min(max(e.now.Sub(since), 0), e.resolveAfter)
		c.monitoringSince = time.Time{}
	}
}

func (e *Engine) stopClock(c *component) { delete(e.stable, c) }

// resolveDue resolves the auto incidents whose component has been
// operational for resolve_after of trusted time (see advance).
func (e *Engine) resolveDue() {
	var due []*component
	for c := range e.stable {
		if e.elapsed-c.stableFrom >= e.resolveAfter {
			due = append(due, c)
		}
	}
	sortOrder(due)
	for _, c := range due {
		inc := c.auto
		e.stopClock(c)
		c.auto = nil
		if inc == nil || !inc.Open() {
			continue
		}
		inc.ResolvedAt = e.now
		c.last = inc
		e.autoUpdate(inc, Resolved, fmt.Sprintf("%s has been operational for %s; resolved.", c.c.Name, e.resolveAfter))
	}
}

// closeAuto resolves an open auto incident for a reason other than
// recovery (component removed, duplicate found on restore).
func (e *Engine) closeAuto(inc *Incident, body string) {
	inc.ResolvedAt = e.now
	e.autoUpdate(inc, Resolved, body)
}

// describe says why a component has its status, for incident updates:
// for checks, which fail and how, e.g. "website.home is DOWN: status
// 503, want 200-299; website.ping is DOWN: timeout after 2s".
func (e *Engine) describe(c *component) string {
	switch {
	case c.c.Override != "":
		return fmt.Sprintf("%s was set to %s by hand.", c.c.Name, c.c.Override)
	case c.inMaint:
		var names []string
		for _, w := range e.active {
			if slices.Contains(w.m.Components, c.c.ID) {
				names = append(names, w.m.Name)
			}
		}
		return fmt.Sprintf("%s is under maintenance (%s).", c.c.Name, strings.Join(names, ", "))
	}
	var b strings.Builder
	for _, ch := range c.checks {
		var s string
		switch ch.state {
		case CheckDown:
			s = ch.id + " is DOWN"
			if ch.lastFailure != "" {
				s += ": " + ch.lastFailure
			}
		case CheckFlaky:
			s = fmt.Sprintf("%s is FLAKY (%d of its last %d results failed)", ch.id, ch.flakyCount(), flakyWindow)
			if ch.reported {
				s = ch.id + " is FLAKY" // its window is elsewhere; the report says how
			}
			if ch.lastFailure != "" {
				s += ": " + ch.lastFailure
			}
		case CheckSlow:
			s = fmt.Sprintf("%s is SLOW: %s", ch.id, ch.lastLatency.Round(time.Millisecond))
			if ch.slowReason != "" {
				s = ch.id + " is SLOW: " + ch.slowReason
			}
		default:
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return fmt.Sprintf("%s is %s.", c.c.Name, phrase(c.c.Status))
	}
	return b.String()
}

// incidentName follows the impact, so the name tells the worst the
// incident saw: "Website major outage".
func incidentName(component string, impact ComponentStatus) string {
	return component + " " + phrase(impact)
}

func phrase(s ComponentStatus) string {
	switch s {
	case MajorOutage:
		return "major outage"
	case PartialOutage:
		return "partial outage"
	case DegradedPerformance:
		return "degraded performance"
	case UnderMaintenance:
		return "under maintenance"
	}
	return "operational"
}

// prune lets go of incidents resolved and windows completed longer than
// the retention ago; the store keeps them. Windows from the
// configuration stay, or the next reload would create them anew.
func (e *Engine) prune(now time.Time) {
	limit := now.Add(-e.retention)
	resolved := 0
	for id, inc := range e.incidents {
		if inc.Open() {
			continue
		}
		if inc.ResolvedAt.Before(limit) {
			delete(e.incidents, id)
			continue
		}
		resolved++
	}
	if (e.keepResolved > 0 && resolved > e.keepResolved) || e.keepPerComponent > 0 {
		e.capResolved(resolved)
	}
	pruned := false
	for id, w := range e.windows {
		if w.m.Status == Completed && !w.m.FromConfig && w.m.ResolvedAt.Before(limit) {
			delete(e.windows, id)
			pruned = true
		}
	}
	if pruned {
		e.sortWindows()
	}
}

// capResolved lets go of the oldest resolved incidents beyond the caps,
// so that memory stays bounded however many incidents a flapping estate
// opens; the store keeps them all.
func (e *Engine) capResolved(resolved int) {
	perComp := map[string]int{}
	over := false
	for _, inc := range e.incidents {
		if !inc.Open() && len(inc.Components) > 0 {
			perComp[inc.Components[0]]++
			if e.keepPerComponent > 0 && perComp[inc.Components[0]] > e.keepPerComponent {
				over = true
			}
		}
	}
	if !over && (e.keepResolved == 0 || resolved <= e.keepResolved) {
		return
	}
	old := make([]*Incident, 0, resolved)
	for _, inc := range e.incidents {
		if !inc.Open() {
			old = append(old, inc)
		}
	}
	slices.SortFunc(old, func(a, b *Incident) int { // newest first
		return cmp.Or(b.ResolvedAt.Compare(a.ResolvedAt), cmp.Compare(b.ID, a.ID))
	})
	kept, keptComp := 0, map[string]int{}
	for _, inc := range old {
		comp := ""
		if len(inc.Components) > 0 {
			comp = inc.Components[0]
		}
		if (e.keepResolved > 0 && kept >= e.keepResolved) ||
			(comp != "" && e.keepPerComponent > 0 && keptComp[comp] >= e.keepPerComponent) {
			delete(e.incidents, inc.ID)
			continue
		}
		kept++
		keptComp[comp]++
	}
}

// adoptAuto links each component to its open auto incident, newest
// first: a second one for the same component is resolved as a duplicate
// (two instances on one store, or a component re-added while a person's
// incident stayed open), so there is never more than one. With orphans
// set, an incident whose component is gone is resolved too, unless a
// person has taken it over; Restore leaves that to the reconcile that
// follows, since the file may bring the component back.
func (e *Engine) adoptAuto(orphans bool) {
	attached := map[*Incident]bool{}
	for _, c := range e.comps {
		if c.auto != nil {
			attached[c.auto] = true
		}
	}
	var open []*Incident
	for _, inc := range e.incidents {
		if inc.Auto && inc.Open() && len(inc.Components) > 0 && !attached[inc] {
			open = append(open, inc)
		}
	}
	slices.SortFunc(open, func(a, b *Incident) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	for _, inc := range e.incidents {
		if inc.Auto && !inc.Open() && !inc.ByHand && len(inc.Components) > 0 {
			if c := e.comps[inc.Components[0]]; c != nil && (c.last == nil || inc.ResolvedAt.After(c.last.ResolvedAt)) {
				c.last = inc
			}
		}
	}
	for _, inc := range open {
		c := e.comps[inc.Components[0]]
		switch {
		case c != nil && c.auto == nil:
			c.auto = inc
		case c != nil:
			e.closeAuto(inc, fmt.Sprintf("Closed as a duplicate of incident %s.", c.auto.ID))
		case orphans && !inc.ByHand:
			e.closeAuto(inc, "The component is no longer watched.")
		}
	}
}
