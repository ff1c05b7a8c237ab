package regional

import (
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

var t0 = time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)

const (
	e500    = "status 500, want 200-299"
	timeout = "timeout after 10s"
)

// home is a check probed from three regions, 2 of which must agree,
// every 30 s: a region's state counts for 90 s.
func home() Spec {
	return Spec{
		Check:   status.CheckSpec{ID: "website.home", FailureThreshold: 2, SuccessThreshold: 2, Interval: 30 * time.Second},
		Regions: []string{"eu-west", "us-east", "ap-south"},
		Quorum:  2,
	}
}

// run drives Checks with a clock that moves one second per result.
type run struct {
	t   *testing.T
	c   *Checks
	now time.Time
	// cur is the check's latest Report, changed or not; told the
	// changed ones of the last step.
	cur  status.Report
	told []status.Report
}

func newRun(t *testing.T, specs ...Spec) *run {
	return &run{t: t, c: New(specs), now: t0}
}

// do runs steps: "<region> <results>" (o OK, s SLOW, f FAIL with e500, x
// FAIL with timeout, one a second), "tick <duration>" (the clock moves
// on by the duration, then one Tick).
func (r *run) do(steps ...string) {
	r.t.Helper()
	r.told = nil
	for _, s := range steps {
		f := strings.Fields(s)
		if len(f) != 2 {
			r.t.Fatalf("bad step %q", s)
		}
		if f[0] == "tick" {
			d, err := time.ParseDuration(f[1])
			if err != nil {
				r.t.Fatal(err)
			}
			r.now = r.now.Add(d)
			for _, rep := range r.c.Tick(r.now) {
				r.cur = rep
				r.told = append(r.told, rep)
			}
			continue
		}
		for _, c := range f[1] {
			o := status.Observation{CheckID: "website.home", Outcome: status.OK, Latency: 20 * time.Millisecond}
			switch c {
			case 's':
				o.Outcome, o.Latency = status.Slow, 1500*time.Millisecond
			case 'f':
				o.Outcome, o.Err = status.Fail, e500
			case 'x':
				o.Outcome, o.Err = status.Fail, timeout
			}
			r.now = r.now.Add(time.Second)
			rep, changed := r.c.Observe(r.now, f[0], o)
			if rep.CheckID != "website.home" {
				r.t.Fatalf("%s: result ignored", s)
			}
			r.cur = rep
			if changed {
				r.told = append(r.told, rep)
			}
		}
	}
}

// is holds the check's current state and error to want.
func (r *run) is(state status.CheckState, err string) {
	r.t.Helper()
	if r.cur.State != state || r.cur.Err != err {
		r.t.Fatalf("%s %q\nwant %s %q", r.cur.State, r.cur.Err, state, err)
	}
}

func TestCombination(t *testing.T) {
	type step struct {
		do    []string
		state status.CheckState
		err   string
	}
	allUp := step{[]string{"eu-west oo", "us-east oo", "ap-south oo"}, status.CheckUp, ""}
	tests := []struct {
		name  string
		spec  func(*Spec)
		steps []step
	}{
		{"one region failing in three is outvoted", nil, []step{
			allUp,
			{[]string{"eu-west ffff"}, status.CheckUp, ""},
		}},
		{"two regions failing make it DOWN, saying how the first fails", nil, []step{
			allUp,
			{[]string{"eu-west fx"}, status.CheckUp, ""},
			{[]string{"us-east ff"}, status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: " + timeout + "; up in ap-south"},
			{[]string{"ap-south ff"}, status.CheckDown, "down in 3 of 3 regions: eu-west, us-east, ap-south: " + timeout},
			{[]string{"eu-west f"}, status.CheckDown, "down in 3 of 3 regions: eu-west, us-east, ap-south: " + e500},
		}},
		{"recovery: a region counts as UP after its own success_threshold", nil, []step{
			allUp,
			{[]string{"eu-west ff", "us-east ff"}, status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: " + e500 + "; up in ap-south"},
			{[]string{"eu-west o"}, status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: " + e500 + "; up in ap-south"},
			{[]string{"eu-west o"}, status.CheckUp, ""},
		}},
		{"thresholds run per region: one failure in each of two regions is no DOWN", nil, []step{
			allUp,
			{[]string{"eu-west f", "us-east f"}, status.CheckUp, ""},
			{[]string{"eu-west f"}, status.CheckUp, ""},
			{[]string{"us-east f"}, status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: " + e500 + "; up in ap-south"},
		}},
		{"failures of different regions do not add up", func(s *Spec) { s.Check.FailureThreshold = 3 }, []step{
			allUp,
			{[]string{"eu-west ff", "us-east ff", "ap-south ff"}, status.CheckUp, ""},
		}},
		{"regions going stale leave too few: UNKNOWN", nil, []step{
			allUp,
			{[]string{"tick 80s", "eu-west o"}, status.CheckUp, ""},
			{[]string{"tick 7s"}, status.CheckUp, ""}, // us-east's last result is 90s old: it still counts
			{[]string{"tick 1s"}, status.CheckUp, ""}, // us-east no longer counts; two regions are left
			{[]string{"tick 1s"}, status.CheckUp, ""},
			{[]string{"tick 1s"}, status.CheckUnknown, "unknown: a state from 1 of 3 regions, 2 needed; up in eu-west; no report within 1m30s from us-east, ap-south"},
			{[]string{"us-east o"}, status.CheckUp, ""},
		}},
		{"a stale region stops counting toward DOWN", nil, []step{
			allUp,
			{[]string{"eu-west ff", "us-east ff", "ap-south ff"}, status.CheckDown, "down in 3 of 3 regions: eu-west, us-east, ap-south: " + e500},
			{[]string{"tick 60s", "us-east f", "ap-south f", "tick 30s"}, status.CheckDown, "down in 2 of 3 regions: us-east, ap-south: " + e500 + "; no report within 1m30s from eu-west"},
			{[]string{"tick 90s"}, status.CheckUnknown, "unknown: a state from 0 of 3 regions, 2 needed; no report within 1m30s from eu-west, us-east, ap-south"},
		}},
		{"a check every 5 s counts a region's state for 30 s", func(s *Spec) { s.Check.Interval = 5 * time.Second }, []step{
			allUp,
			{[]string{"tick 24s"}, status.CheckUp, ""},
			{[]string{"tick 10s"}, status.CheckUnknown, "unknown: a state from 0 of 3 regions, 2 needed; no report within 30s from eu-west, us-east, ap-south"},
		}},
		{"SLOW says by how much", nil, []step{
			allUp,
			{[]string{"eu-west ss", "us-east ss"}, status.CheckSlow, "slow in 2 of 3 regions: eu-west, us-east: 1.5s; up in ap-south"},
		}},
		{"FLAKY says how the first flaky region fails", func(s *Spec) { s.Check.FailureThreshold = 3 }, []step{
			allUp,
			{[]string{"eu-west fofo", "us-east xoxo"}, status.CheckFlaky, "flaky in 2 of 3 regions: eu-west, us-east: " + e500 + "; up in ap-south"},
		}},
		{"any: one region is enough", func(s *Spec) { s.Quorum = 1 }, []step{
			allUp,
			{[]string{"ap-south xx"}, status.CheckDown, "down in 1 of 3 regions: ap-south: " + timeout + "; up in eu-west, us-east"},
		}},
		{"all: one region without results leaves it UNKNOWN", func(s *Spec) { s.Quorum = 3 }, []step{
			{[]string{"eu-west ff", "us-east ff"}, status.CheckUnknown, "unknown: a state from 2 of 3 regions, 3 needed; down in eu-west, us-east; no report within 1m30s from ap-south"},
			{[]string{"ap-south o"}, status.CheckUp, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := home()
			if tt.spec != nil {
				tt.spec(&spec)
			}
			r := newRun(t, spec)
			for i, s := range tt.steps {
				r.do(s.do...)
				if r.cur.State != s.state || r.cur.Err != s.err {
					t.Fatalf("step %d %v: %s %q\nwant %s %q", i, s.do, r.cur.State, r.cur.Err, s.state, s.err)
				}
			}
		})
	}
}

// TestChangesOnly: Observe says changed only when the state or its
// words move, and Tick returns only those; a new check's UNKNOWN is no
// news.
func TestChangesOnly(t *testing.T) {
	r := newRun(t, home())
	if rep := r.c.Tick(t0.Add(time.Hour)); rep != nil {
		t.Fatalf("a check without results: Tick told %+v", rep)
	}
	r.do("eu-west o")
	if len(r.told) != 1 || r.told[0].State != status.CheckUnknown {
		t.Fatalf("first result of three: told %+v", r.told)
	}
	r.do("us-east o")
	if len(r.told) != 1 || r.told[0].State != status.CheckUp || r.told[0].Latency != 20*time.Millisecond {
		t.Fatalf("second region: told %+v", r.told)
	}
	r.do("us-east oooo", "eu-west oo", "tick 30s")
	if len(r.told) != 0 {
		t.Fatalf("nothing changed, told %+v", r.told)
	}
	r.do("ap-south o")
	if len(r.told) != 1 || r.told[0].State != status.CheckUp || r.told[0].Err != "" {
		t.Fatalf("a third region's UP changes the words only: told %+v", r.told)
	}
	r.do("eu-west f")
	if len(r.told) != 0 {
		t.Fatalf("a failure under failure_threshold changes nothing, told %+v", r.told)
	}
	r.do("eu-west f")
	if len(r.told) != 1 || r.told[0].State != status.CheckUp || r.told[0].Err != "" {
		t.Fatalf("one region DOWN changes the words only: told %+v", r.told)
	}
	r.do("us-east ff")
	if len(r.told) != 1 || r.told[0].State != status.CheckDown {
		t.Fatalf("two regions DOWN: told %+v", r.told)
	}
	r.do("us-east x")
	if len(r.told) != 0 {
		t.Fatalf("an error of a region not named first changes nothing, told %+v", r.told)
	}
	r.do("eu-west x")
	if len(r.told) != 1 || !strings.HasSuffix(r.told[0].Err, timeout+"; up in ap-south") {
		t.Fatalf("a new error of the region named first: told %+v", r.told)
	}
}

// TestStrays: results from a region the check does not have are ignored
// and counted; results of checks it does not have are ignored.
func TestStrays(t *testing.T) {
	c := New([]Spec{home()})
	if rep, changed := c.Observe(t0, "sa-east", status.Observation{CheckID: "website.home", Outcome: status.Fail}); changed || rep != (status.Report{}) {
		t.Errorf("a result from sa-east: %+v, %t", rep, changed)
	}
	if rep, changed := c.Observe(t0, "eu-west", status.Observation{CheckID: "website.ping", Outcome: status.Fail}); changed || rep != (status.Report{}) {
		t.Errorf("a result of an unknown check: %+v, %t", rep, changed)
	}
	if c.Strays() != 1 {
		t.Errorf("strays %d, want 1", c.Strays())
	}
}

// TestReconfigureKeepsState: the machines of the (check, region) pairs
// that stay keep their runs, new thresholds apply from the next result,
// new regions start without results, and the next Tick tells what the
// change makes of the check.
func TestReconfigureKeepsState(t *testing.T) {
	spec := home()
	r := newRun(t, spec)
	r.do("eu-west oo", "us-east oo", "ap-south oo", "eu-west ff", "us-east ff")
	r.is(status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: "+e500+"; up in ap-south")

	spec.Regions = []string{"eu-west", "us-east", "sa-east"}
	spec.Check.SuccessThreshold = 3
	r.c.Reconfigure([]Spec{spec})
	r.do("tick 1s")
	r.is(status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: "+e500+"; no report within 1m30s from sa-east")

	// eu-west is still DOWN, now needing three successes.
	r.do("eu-west oo")
	r.is(status.CheckDown, "down in 2 of 3 regions: eu-west, us-east: "+e500+"; no report within 1m30s from sa-east")
	r.do("eu-west o")
	r.is(status.CheckUp, "")

	// A region that went and came back starts without results; a check
	// that went is no longer told.
	spec.Regions = home().Regions
	r.c.Reconfigure([]Spec{spec})
	r.do("tick 1s")
	r.is(status.CheckUp, "")
	if r.told[0].State != status.CheckUp || r.c.checks["website.home"].region("ap-south").m.State() != status.CheckUnknown {
		t.Errorf("ap-south back: told %+v, its machine %s", r.told, r.c.checks["website.home"].region("ap-south").m.State())
	}
	r.c.Reconfigure(nil)
	if rep := r.c.Tick(r.now.Add(time.Hour)); rep != nil {
		t.Errorf("a removed check told %+v", rep)
	}
	if rep, _ := r.c.Observe(r.now, "eu-west", status.Observation{CheckID: "website.home"}); rep.CheckID != "" {
		t.Errorf("a removed check took a result: %+v", rep)
	}
}
