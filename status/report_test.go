package status

import (
	"math/rand/v2"
	"testing"
	"time"
)

// report sends one report d after the last call.
func (h *harness) report(d time.Duration, r Report) []Event {
	h.t.Helper()
	h.now = h.now.Add(d)
	return h.record(h.e.Report(h.now, r))
}

const regionsDown = "down in 2 of 3 regions: eu-west, us-east: status 500, want 200-299; up in ap-south"

// TestReportDownOpensAnIncident: a DOWN decided by the regions moves the
// check, the component and the incident as a DOWN from results does,
// and the incident says what the regions see.
func TestReportDownOpensAnIncident(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("ping o")
	ev := h.report(time.Second, Report{CheckID: "website.home", State: CheckDown, Err: regionsDown, Latency: 2 * time.Second})
	changed := ofKind(ev, CheckChanged)
	if len(changed) != 1 || changed[0].OldCheck != CheckUnknown || changed[0].Check.State != CheckDown {
		t.Fatalf("events %v: want one CheckChanged UNKNOWN → DOWN", kinds(ev))
	}
	if h.status("website") != PartialOutage {
		t.Fatalf("website is %s, want PARTIALOUTAGE", h.status("website"))
	}
	inc := h.only("website")
	if want := "website.home is DOWN: " + regionsDown; inc.Updates[0].Body != want || inc.Status != Investigating {
		t.Errorf("incident %s %q, want INVESTIGATING %q", inc.Status, inc.Updates[0].Body, want)
	}
	ch := found(h.e.Check("website.home"))
	if !ch.Since.Equal(h.now) || !ch.LastResult.Equal(h.now) || !ch.LastFailAt.Equal(h.now) ||
		ch.LastError != regionsDown || ch.LastFailure != regionsDown || ch.LastLatency != 2*time.Second || ch.LastOutcome != Fail {
		t.Errorf("after the report: %+v", ch)
	}

	// The same state again: details only.
	since := h.now
	other := "down in 3 of 3 regions: eu-west, us-east, ap-south: timeout after 10s"
	if ev := h.report(time.Second, Report{CheckID: "website.home", State: CheckDown, Err: other}); len(ev) != 0 {
		t.Errorf("a second DOWN told %v", kinds(ev))
	}
	ch = found(h.e.Check("website.home"))
	if !ch.Since.Equal(since) || !ch.LastResult.Equal(h.now) || ch.LastError != other || ch.LastFailure != other || ch.LastLatency != 0 {
		t.Errorf("after a second DOWN: %+v", ch)
	}
	if n := len(h.only("website").Updates); n != 1 {
		t.Errorf("a second DOWN added updates: %d", n)
	}
}

// TestReportUpResolves: UP reported, the incident is MONITORING, then
// RESOLVED after resolve_after, as with results.
func TestReportUpResolves(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("ping o")
	h.report(time.Second, Report{CheckID: "website.home", State: CheckDown, Err: regionsDown})
	id := h.only("website").ID
	h.report(time.Second, Report{CheckID: "website.home", State: CheckUp, Err: "ignored"})
	if ch := found(h.e.Check("website.home")); ch.LastError != "" || ch.LastFailure != regionsDown || ch.LastOutcome != OK {
		t.Errorf("UP reported: %+v", ch)
	}
	if inc := h.only("website"); inc.Status != Monitoring || h.status("website") != Operational {
		t.Fatalf("UP reported: website %s, incident %s", h.status("website"), inc.Status)
	}
	h.tick(5*time.Minute - time.Second)
	if inc := h.only("website"); inc.Status != Monitoring {
		t.Fatalf("before resolve_after: incident %s", inc.Status)
	}
	h.tick(time.Second)
	if inc := found(h.e.Incident(id)); inc.Status != Resolved {
		t.Fatalf("after resolve_after: incident %s", inc.Status)
	}
}

// TestReportUnknownIsNoData: a check reported UNKNOWN drops out of its
// component's status, as one that never had a result: no outage, and no
// evidence of recovery either.
func TestReportUnknownIsNoData(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("ping o")
	h.report(time.Second, Report{CheckID: "website.home", State: CheckDown, Err: regionsDown})
	h.only("website")

	unknown := "unknown: a state from 1 of 3 regions, 2 needed; down in eu-west; no report within 30s from us-east, ap-south"
	ev := h.report(time.Second, Report{CheckID: "website.home", State: CheckUnknown, Err: unknown})
	if c := ofKind(ev, CheckChanged); len(c) != 1 || c[0].Check.State != CheckUnknown || !c[0].Check.Since.Equal(h.now) {
		t.Fatalf("events %v: want the check UNKNOWN since now", kinds(ev))
	}
	if h.status("website") != Operational {
		t.Errorf("website is %s with its other check UP, want OPERATIONAL", h.status("website"))
	}
	if inc := h.only("website"); inc.Status != Investigating {
		t.Errorf("no data is no recovery: incident %s", inc.Status)
	}
	if ch := found(h.e.Check("website.home")); ch.LastError != unknown || ch.LastOutcome != "" || ch.LastFailure != regionsDown {
		t.Errorf("UNKNOWN reported: %+v", ch)
	}
	h.report(time.Second, Report{CheckID: "website.home", State: CheckUp})
	if inc := h.only("website"); inc.Status != Monitoring {
		t.Errorf("UP once known again: incident %s, want MONITORING", inc.Status)
	}

	// All checks without data: OPERATIONAL, as before any result.
	h.report(time.Second, Report{CheckID: "website.home", State: CheckUnknown})
	h.report(time.Second, Report{CheckID: "website.ping", State: CheckUnknown})
	if h.status("website") != Operational {
		t.Errorf("no check with data: website %s", h.status("website"))
	}
}

// TestReportUptime: each report stands for the check's interval before
// it, by the state reported; UNKNOWN is no data.
func TestReportUptime(t *testing.T) {
	h := newHarness(t, webSpec()) // interval 10s
	h.e.DrainUptime()
	rep := func(d time.Duration, s CheckState) {
		h.report(d, Report{CheckID: "website.home", State: s})
	}
	rep(time.Minute, CheckDown)    // 10s down
	rep(10*time.Second, CheckDown) // 10s down
	rep(10*time.Second, CheckUnknown)
	rep(10*time.Second, CheckUp)   // 10s up
	rep(3*time.Second, CheckFlaky) // 3s up: what the last one counted is not counted again
	var up, down time.Duration
	for _, b := range h.e.DrainUptime() {
		if b.CheckID == "website.home" {
			up, down = up+b.Up, down+b.Down
		}
	}
	if up != 13*time.Second || down != 20*time.Second {
		t.Errorf("up %s, down %s; want 13s, 20s", up, down)
	}
}

// TestReportWords: FLAKY and SLOW say what the report says, since the
// window and latencies that made them are in the regions.
func TestReportWords(t *testing.T) {
	spec := webSpec()
	spec.OpenAt = DegradedPerformance
	h := newHarness(t, spec)
	h.do("ping o")
	slow := "slow in 2 of 3 regions: eu-west, us-east: 1.5s; up in ap-south"
	h.report(time.Second, Report{CheckID: "website.home", State: CheckSlow, Err: slow, Latency: 1500 * time.Millisecond})
	if body := h.only("website").Updates[0].Body; body != "website.home is SLOW: "+slow {
		t.Errorf("SLOW: %q", body)
	}
	if ch := found(h.e.Check("website.home")); ch.LastError != "" || ch.LastOutcome != Slow {
		t.Errorf("SLOW is no error: %+v", ch)
	}
	flaky := "flaky in 2 of 3 regions: eu-west, us-east: status 502, want 200-299; up in ap-south"
	h.report(time.Second, Report{CheckID: "website.home", State: CheckFlaky, Err: flaky})
	if body := h.only("website").Updates[0].Body; body != "website.home is FLAKY: "+flaky {
		t.Errorf("FLAKY: %q", body)
	}
	if h.status("website") != PartialOutage {
		t.Errorf("FLAKY: website %s", h.status("website"))
	}
}

// TestReportIgnored: reports of checks the engine does not know, or of
// states that are not states, change nothing.
func TestReportIgnored(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o")
	before := h.e.Snapshot()
	for _, r := range []Report{
		{CheckID: "website.gone", State: CheckDown},
		{CheckID: "website.home", State: "BROKEN"},
		{CheckID: "website.home"},
	} {
		if ev := h.report(time.Second, r); ev != nil {
			t.Errorf("%+v told %v", r, kinds(ev))
		}
	}
	if ch := found(h.e.Check("website.home")); ch.State != CheckUp || !ch.LastResult.Equal(before.Checks[0].LastResult) {
		t.Errorf("ignored reports moved the check: %+v", ch)
	}
}

// TestResultsAfterReports: a check that takes results again after
// reports goes on from the state reported.
func TestResultsAfterReports(t *testing.T) {
	h := newHarness(t, webSpec()) // failure_threshold 3, success_threshold 2
	h.do("ping o")
	h.report(time.Second, Report{CheckID: "website.home", State: CheckDown, Err: regionsDown})
	h.do("home o")
	if s := h.state("website.home"); s != CheckDown {
		t.Fatalf("one success after DOWN: %s", s)
	}
	h.do("home o")
	if s := h.state("website.home"); s != CheckUp {
		t.Fatalf("success_threshold successes after DOWN: %s", s)
	}
	h.report(time.Second, Report{CheckID: "website.home", State: CheckFlaky, Err: "flaky"})
	h.do("home o")
	if s := h.state("website.home"); s != CheckUp {
		t.Fatalf("a success after a FLAKY report: %s", s)
	}
	h.do("home ff")
	if s := h.state("website.home"); s != CheckUp {
		t.Fatalf("two failures under failure_threshold: %s", s)
	}
}

// TestRandomReports mixes reports with results, ticks, reloads and
// restarts, and holds the engine to its invariants after each call.
func TestRandomReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	states := []CheckState{CheckUnknown, CheckUp, CheckSlow, CheckFlaky, CheckDown, CheckDown}
	checks := []string{"a.1", "a.2", "b.1", "gone"}
	runs := 40
	if testing.Short() {
		runs = 5
	}
	for run := range runs {
		shape := propShape{withA2: true, withB: true, window: run%2 == 0, fail: 2}
		h := newHarness(t, shape.spec())
		h.record(h.e.Restore(h.now, State{}))
		for range 200 {
			h.now = h.now.Add(time.Duration(rng.IntN(20)) * time.Second)
			id := checks[rng.IntN(len(checks))]
			switch op := rng.IntN(10); {
			case op < 5:
				h.record(h.e.Report(h.now, Report{CheckID: id, State: states[rng.IntN(len(states))], Err: "regions"}))
			case op < 8:
				h.record(h.e.Observe(h.now, Observation{CheckID: id, Outcome: []Outcome{OK, Fail}[rng.IntN(2)], Err: "boom"}))
			case op == 8:
				h.tick(time.Duration(1+rng.IntN(20)) * time.Second)
			default:
				shape.withA2 = !shape.withA2
				if rng.IntN(2) == 0 {
					h.restart(shape.spec(), time.Minute)
				} else {
					h.reconfigure(shape.spec())
				}
			}
			consistent(t, h.e)
			if t.Failed() {
				t.Fatalf("run %d failed", run)
			}
		}
	}
}
