package status

import "time"

// Machine is the threshold machine of one check on its own, without a
// component, an incident or a clock: what the engine runs for each check
// (failure_threshold, success_threshold, SLOW past degraded_latency,
// FLAKY over the last 10 results), for callers that must run it apart
// from the engine. A check probed from several regions has one per
// region, whose states are then combined and handed to Engine.Report.
//
// It shares the engine's code, not a copy of its rules: the same
// sequence of results gives the same states in both. It is not safe for
// concurrent use.
type Machine struct {
	c check
}

// NewMachine returns the machine of spec's check, UNKNOWN until its first
// result. Thresholds below 1 count as 1 (the engine refuses them);
// Interval plays no part.
func NewMachine(spec CheckSpec) *Machine {
	m := &Machine{c: check{id: spec.ID, state: CheckUnknown}}
	m.c.configure(spec)
	return m
}

// Reconfigure takes the thresholds of spec, keeping the runs and the
// window so far: as in the engine after a reload, they apply from the
// next result, and the state does not move until then.
func (m *Machine) Reconfigure(spec CheckSpec) { m.c.configure(spec) }

// Observe feeds one result and returns the state after it, as
// Engine.Observe would for the check. o.CheckID is not looked at.
func (m *Machine) Observe(o Observation) CheckState { return m.c.record(o) }

// State is the state after the latest result; UNKNOWN before the first.
func (m *Machine) State() CheckState { return m.c.state }

// LastFailure is the error of the latest failed result, "" before any.
// It outlives successes, as CheckStatus.LastFailure does: a DOWN machine
// counting successes toward UP, or a FLAKY one, still says how it fails.
func (m *Machine) LastFailure() string { return m.c.lastFailure }

// SlowReason is why the latest result was SLOW when the caller said so
// (Observation.Err with Slow); "" otherwise, and when its latency alone
// made it SLOW.
func (m *Machine) SlowReason() string { return m.c.slowReason }

// Latency is the latency of the latest result.
func (m *Machine) Latency() time.Duration { return m.c.lastLatency }
