package status

import "time"

// Report is a check's state decided outside the engine: for a check
// probed from several regions, each region's thresholds run in a Machine
// of their own and a quorum of the regions decides the check's state,
// which reaches the engine this way rather than as results.
type Report struct {
	CheckID string
	// State is the check's state. UNKNOWN is allowed: the check then
	// counts as having no data, as before its first result.
	State CheckState
	// Err says why the check has State, in the words incident bodies and
	// CheckStatus show: for DOWN and FLAKY how it fails (LastError and
	// LastFailure), for SLOW why it is degraded, for UNKNOWN why nothing
	// is known (LastError). It is not looked at for UP.
	Err string
	// Latency becomes the check's LastLatency.
	Latency time.Duration
}

// Report sets a check's state as given, with every consequence a result
// that moved it to that state would have: Since, a CheckChanged event,
// the component's status, its incident, and the time the report stands
// for (the check's interval) in uptime, by the state reported (an
// UNKNOWN one is no data). A report of the state the check already has
// changes only its details: LastResult, LastLatency, LastError,
// LastFailure. Reports of checks the engine does not know, or of a state
// that is not one of the five, are ignored.
//
// A check takes either reports or results. Should results follow
// reports (a reload gave the check one region again), its thresholds
// start from the state last reported: DOWN stays DOWN until
// success_threshold successes, as after a run of failures.
func (e *Engine) Report(now time.Time, r Report) []Event {
	ch := e.checks[r.CheckID]
	if ch == nil || !knownState(r.State) {
		return nil
	}
	e.begin(now)
	e.due(now)
	old := ch.state
	ch.report(r)
	ch.lastAt = now
	if ch.lastOutcome == Fail {
		ch.lastFailureAt = now
	}
	e.settle(ch, old)
	return e.finish()
}

// report takes the state and details of r. The runs and the window are
// reset to what the state implies, so that results after reports go on
// from it rather than from runs the reports replaced.
func (c *check) report(r Report) {
	c.lastLatency, c.lastErr, c.slowReason = r.Latency, "", ""
	switch r.State {
	case CheckUp:
		c.lastOutcome = OK
	case CheckSlow:
		c.lastOutcome, c.slowReason = Slow, r.Err
	case CheckFlaky, CheckDown:
		c.lastOutcome, c.lastErr, c.lastFailure = Fail, r.Err, r.Err
	default:
		c.lastOutcome, c.lastErr = "", r.Err
	}
	c.state = r.State
	c.down = r.State == CheckDown
	c.fails, c.oks, c.slows, c.window = 0, 0, 0, 0
	c.presumedDown = false
	c.reported = true
}

func knownState(s CheckState) bool {
	switch s {
	case CheckUnknown, CheckUp, CheckSlow, CheckFlaky, CheckDown:
		return true
	}
	return false
}
