package status

import (
	"math/bits"
	"time"
)

// A check is FLAKY when flakyFails of its last flakyWindow results failed
// without reaching DOWN: 20% of 10. Results it has not had yet count as
// successes, so a single early failure never makes a new check FLAKY.
// A run of failures counts once it has ended short of failure_threshold;
// while it goes on it may still reach DOWN, and counting it early would
// turn every outage into a PARTIALOUTAGE after two failures, defeating
// failure_threshold.
const (
	flakyWindow = 10
	flakyFails  = 2
	windowMask  = 1<<flakyWindow - 1
)

// check is the state machine of one check. It is O(1) per result: run
// lengths and a bit window replace a result history.
type check struct {
	id        string
	comp      *component
	failAt    int // failure_threshold
	recoverAt int // success_threshold
	interval  time.Duration
	slowAfter time.Duration // degraded_latency; 0: never SLOW

	state CheckState
	down  bool
	// reported is set while the state came from Report: thresholds ran
	// elsewhere (one machine per region), so the runs and window here say
	// nothing, and describe takes its words from the report.
	reported bool
	// presumedDown is set when a check is restored for a component that
	// was in an outage: the restart lost its run of failures, so its first
	// failure counts as the last of that run and keeps it DOWN at once,
	// instead of showing a recovery that never happened while it counts
	// failure_threshold failures again. A first success clears it.
	presumedDown bool

	fails, oks, slows int // lengths of the current runs
	// window has bit i set when the result i places back failed and did
	// not belong to a run that made the check DOWN: those failures are an
	// outage, already told, not flakiness. The low bits of the current
	// run are left out when counting (see flakyCount).
	window uint16

	lastOutcome Outcome
	lastErr     string // of the latest result; "" when it succeeded
	lastLatency time.Duration
	// slowReason is why the latest result was SLOW when the caller said
	// so (Observation.Err), "" when its latency made it SLOW.
	slowReason string
	lastAt     time.Time
	// lastFailure outlives successes: a FLAKY check, or a DOWN one
	// counting successes, still has to say how it fails.
	lastFailure   string
	lastFailureAt time.Time
	since         time.Time
	uptime        *uptimeCheck
}

// configure takes the thresholds of spec. Below 1 they count as 1: the
// engine refuses such a Spec, and a Machine must not read 0 as "DOWN at
// once, SLOW always".
func (c *check) configure(spec CheckSpec) {
	c.failAt, c.recoverAt = max(spec.FailureThreshold, 1), max(spec.SuccessThreshold, 1)
	c.interval, c.slowAfter = spec.Interval, spec.DegradedLatency
}

// record applies one result: a success slower than degraded_latency
// counts as SLOW, the details of the latest result are kept, and the
// thresholds run. The engine and Machine both go through here, so a
// region's machine follows the engine's rules to the letter. Times are
// the caller's: a Machine has no clock.
func (c *check) record(r Observation) CheckState {
	if r.Outcome == OK && c.slowAfter > 0 && r.Latency > c.slowAfter {
		r.Outcome = Slow
	}
	c.lastLatency, c.lastErr, c.slowReason = r.Latency, "", ""
	switch r.Outcome {
	case OK:
	case Slow:
		c.slowReason = r.Err
	default:
		c.lastErr, c.lastFailure = r.Err, r.Err
	}
	c.reported = false
	return c.observe(r.Outcome)
}

// observe feeds one result and returns the check's new state. Thresholds
// changed by a reload take effect here, at the next result, so a reload
// alone never moves a check.
func (c *check) observe(o Outcome) CheckState {
	if o != OK && o != Slow {
		o = Fail
	}
	c.lastOutcome = o
	if o == Fail {
		c.fails++
		c.oks, c.slows = 0, 0
		c.window = (c.window<<1 | 1) & windowMask
		if c.presumedDown || c.fails >= c.failAt {
			c.down = true
		}
		if c.down {
			c.window &^= 1<<min(c.fails, flakyWindow) - 1
		}
	} else {
		c.oks++
		c.fails = 0
		if o == Slow {
			c.slows++
		} else {
			c.slows = 0
		}
		c.window = c.window << 1 & windowMask
		if c.down && c.oks >= c.recoverAt {
			c.down = false
		}
	}
	c.presumedDown = false
	c.state = c.derive()
	return c.state
}

// derive orders the states worst first, so that a check both FLAKY and
// SLOW shows FLAKY: it is the one that makes the component worse.
func (c *check) derive() CheckState {
	switch {
	case c.down:
		return CheckDown
	case c.flakyCount() >= flakyFails:
		return CheckFlaky
	case c.slows >= c.failAt:
		return CheckSlow
	}
	return CheckUp
}

func (c *check) status() CheckStatus {
	s := CheckStatus{
		ID:          c.id,
		State:       c.state,
		Since:       c.since,
		LastOutcome: c.lastOutcome,
		LastResult:  c.lastAt,
		LastLatency: c.lastLatency,
		LastError:   c.lastErr,
		LastFailure: c.lastFailure,
		LastFailAt:  c.lastFailureAt,
	}
	if c.comp != nil {
		s.Component = c.comp.c.ID
	}
	return s
}

// flakyCount is how many of the last results failed in runs that ended
// short of DOWN.
func (c *check) flakyCount() int {
	return bits.OnesCount16(c.window &^ (1<<min(c.fails, flakyWindow) - 1))
}
