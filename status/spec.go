package status

import (
	"slices"
	"time"
)

// Spec is what the engine watches: the parts of the configuration that
// the status rules need. The daemon builds it from the loaded file; the
// engine keeps a copy, so the caller may reuse it. The engine takes every
// value as given and supplies none of its own: the configuration package
// decides defaults, and New and Reconfigure refuse a Spec that leaves out one
// the rules cannot run without (OpenAt, a check's thresholds and
// interval).
type Spec struct {
	// OpenAt is the lowest component status that opens an incident:
	// DEGRADEDPERFORMANCE, PARTIALOUTAGE or MAJOROUTAGE.
	OpenAt ComponentStatus
	// ResolveAfter is how long a recovered component must stay
	// operational before its incident is resolved; zero resolves it at
	// the first Tick after the recovery.
	ResolveAfter time.Duration
	// ReopenWithin: a component that fails again less than this after
	// its auto incident was resolved reopens that incident instead of
	// opening a new one, so a flapping service is one incident, not one
	// per flap. Zero always opens a new one.
	ReopenWithin time.Duration
	// KeepResolved caps the resolved incidents the engine holds (and
	// Snapshot shows) at this many in all and KeepResolvedPerComponent
	// per component, newest kept, within the retention; older ones live
	// only in the store. Zero sets no cap.
	KeepResolved, KeepResolvedPerComponent int
	Groups                                 []GroupSpec
	Components                             []ComponentSpec
	Maintenance                            []MaintenanceSpec
}

// GroupSpec is a group of the configuration file.
type GroupSpec struct {
	ID, Name, Description string
}

// ComponentSpec is a component of the configuration file. Group may be
// empty (the component belongs to no group).
type ComponentSpec struct {
	ID, Name, Description, Group string
	Checks                       []CheckSpec
}

// CheckSpec is a check as the status rules see it: how many results make
// it DOWN and UP again, and how often it runs (the time each result
// stands for in uptime accounting). Check ids are unique in the Spec.
type CheckSpec struct {
	ID string
	// FailureThreshold failures in a row make the check DOWN, and as many
	// slow successes make it SLOW; SuccessThreshold successes in a row
	// make it UP again. Both are at least 1.
	FailureThreshold int
	SuccessThreshold int
	// Interval is how often the check runs; positive.
	Interval time.Duration
	// DegradedLatency makes a success slower than it SLOW; 0 never does.
	DegradedLatency time.Duration
}

// MaintenanceSpec is a maintenance window of the configuration file.
type MaintenanceSpec struct {
	ID, Name, Description string
	Components            []string
	Start                 time.Time
	Duration              time.Duration
}

// Observation is one probe result, already classified: the engine turns
// an OK slower than degraded_latency into Slow, and the caller may say
// Slow itself for a success that is degraded for another reason (a
// certificate near its end), with the reason in Err. Any outcome other
// than OK and Slow counts as Fail.
type Observation struct {
	CheckID string
	Outcome Outcome
	// Err says why it failed ("status 503, want 200-299") or, with Slow,
	// why it is degraded; incident bodies show it.
	Err     string
	Latency time.Duration
}

// validate refuses a Spec the engine could not run: the configuration
// package reports the same faults with file positions first, so these
// messages only reach people who build a Spec by other means.
func (s *Spec) validate() error {
	switch s.OpenAt {
	case DegradedPerformance, PartialOutage, MajorOutage:
	default:
		return invalid("open_at %q: want DEGRADEDPERFORMANCE, PARTIALOUTAGE or MAJOROUTAGE", s.OpenAt)
	}
	if s.ResolveAfter < 0 {
		return invalid("resolve_after %s is negative", s.ResolveAfter)
	}
	groups := map[string]bool{}
	for i, g := range s.Groups {
		if g.ID == "" {
			return invalid("groups[%d]: empty id", i)
		}
		if groups[g.ID] {
			return invalid("groups[%d]: duplicate id %q", i, g.ID)
		}
		groups[g.ID] = true
	}
	comps := map[string]bool{}
	checks := map[string]bool{}
	for i, c := range s.Components {
		if c.ID == "" {
			return invalid("components[%d]: empty id", i)
		}
		if comps[c.ID] {
			return invalid("components[%d]: duplicate id %q", i, c.ID)
		}
		comps[c.ID] = true
		if c.Group != "" && !groups[c.Group] {
			return invalid("components[%d] %q: unknown group %q", i, c.ID, c.Group)
		}
		for j, ch := range c.Checks {
			switch {
			case ch.ID == "":
				return invalid("components[%d].checks[%d]: empty id", i, j)
			case checks[ch.ID]:
				return invalid("components[%d].checks[%d]: duplicate check id %q", i, j, ch.ID)
			case ch.FailureThreshold < 1:
				return invalid("check %q: failure_threshold %d: want at least 1", ch.ID, ch.FailureThreshold)
			case ch.SuccessThreshold < 1:
				return invalid("check %q: success_threshold %d: want at least 1", ch.ID, ch.SuccessThreshold)
			case ch.Interval <= 0:
				return invalid("check %q: interval %s: want a positive duration", ch.ID, ch.Interval)
			case ch.DegradedLatency < 0:
				return invalid("check %q: degraded_latency %s is negative", ch.ID, ch.DegradedLatency)
			}
			checks[ch.ID] = true
		}
	}
	windows := map[string]bool{}
	for i, m := range s.Maintenance {
		switch {
		case m.ID == "":
			return invalid("maintenance[%d]: empty id", i)
		case windows[m.ID]:
			return invalid("maintenance[%d]: duplicate id %q", i, m.ID)
		case m.Start.IsZero():
			return invalid("maintenance %q: no start", m.ID)
		case m.Duration <= 0:
			return invalid("maintenance %q: duration must be positive", m.ID)
		}
		windows[m.ID] = true
		for _, c := range m.Components {
			if !comps[c] {
				return invalid("maintenance %q: unknown component %q", m.ID, c)
			}
		}
	}
	return nil
}

// clone copies the Spec deeply so that the caller's slices never alias
// the engine's.
func (s Spec) clone() Spec {
	s.Groups = slices.Clone(s.Groups)
	s.Components = slices.Clone(s.Components)
	for i := range s.Components {
		s.Components[i].Checks = slices.Clone(s.Components[i].Checks)
	}
	s.Maintenance = slices.Clone(s.Maintenance)
	for i := range s.Maintenance {
		s.Maintenance[i].Components = slices.Clone(s.Maintenance[i].Components)
	}
	return s
}
