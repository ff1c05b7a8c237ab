// Package regional decides the state of checks probed from several
// regions: each region's results run through the check's thresholds on
// their own (a status.Machine per region), and the regions' states are
// combined by the check's quorum (package quorum) into the check's
// state, handed out as a status.Report for status.Engine.Report.
//
// It is pure: no I/O, no goroutines, no clock. Time comes in with every
// call. Checks is not safe for concurrent use; the daemon calls it from
// the goroutine that owns the engine.
package regional

import (
	"slices"
	"time"

	"github.com/up-status/up/quorum"
	"github.com/up-status/up/status"
)

// Spec is a check probed from several regions.
type Spec struct {
	// Check is the check as the status rules see it: its thresholds run
	// in each region, its interval sets how long a region's state counts.
	Check status.CheckSpec
	// Regions are the check's region ids in the order of the file's
	// regions (config.Check.Regions); the words of a Report follow it.
	Regions []string
	// Quorum is how many regions must agree (config.Check.Quorum).
	Quorum int
}

// Checks holds the regions' machines of every check it was given and
// the state it last handed out for each.
type Checks struct {
	checks map[string]*check
	order  []*check // as the specs came, for Tick's order
	strays uint64
}

type check struct {
	spec    Spec
	regions []*region
	// latency is that of the latest result from any region: what the
	// check's LastLatency shows.
	latency time.Duration
	// last is the Report handed out most recently and words the wording
	// it came from, to tell changes.
	last  status.Report
	words string
	// sig holds, per region, its state and whether it counted when last
	// combined: the quorum's result depends on nothing else, so while sig
	// stays, an UP or UNKNOWN (whose words name no region's error) stays
	// as it was, and combine need not word it again. nil: combine.
	sig []byte
}

type region struct {
	id string
	m  *status.Machine
	at time.Time // of its latest result; zero: none yet
}

// New returns Checks for specs, every region without results yet (see
// Reconfigure).
func New(specs []Spec) *Checks {
	c := &Checks{checks: map[string]*check{}}
	c.Reconfigure(specs)
	return c
}

// Reconfigure follows a reload. A (check, region) pair that stays keeps
// its machine and its latest result's time: new thresholds apply from
// its next result, as in the engine. Regions and checks that go are
// forgotten; new ones start without results. A check that stays keeps
// the state last handed out, and the next Tick or result reports what
// the change makes of it; a new check starts UNKNOWN, which is reported
// only once it changes. Check ids are unique in specs (the configuration
// makes them so); a repeated one is skipped, as is a repeated region.
func (c *Checks) Reconfigure(specs []Spec) {
	next := make(map[string]*check, len(specs))
	order := make([]*check, 0, len(specs))
	for _, s := range specs {
		id := s.Check.ID
		if next[id] != nil {
			continue
		}
		old := c.checks[id]
		ch := &check{spec: s}
		ch.spec.Regions = nil
		for _, rid := range s.Regions {
			if slices.Contains(ch.spec.Regions, rid) {
				continue
			}
			ch.spec.Regions = append(ch.spec.Regions, rid)
			var r *region
			if old != nil {
				r = old.region(rid)
			}
			if r != nil {
				r.m.Reconfigure(s.Check)
			} else {
				r = &region{id: rid, m: status.NewMachine(s.Check)}
			}
			ch.regions = append(ch.regions, r)
		}
		if old != nil {
			// Not its sig: the regions, the rule or the window may have
			// changed, so the next combine words it again.
			ch.latency, ch.last, ch.words = old.latency, old.last, old.words
		} else {
			// Without results every region is stale at any time: the
			// UNKNOWN the engine starts with, which is no news.
			ch.combine(time.Time{})
		}
		next[id] = ch
		order = append(order, ch)
	}
	c.checks, c.order = next, order
}

// Observe feeds one result of o.CheckID probed from region at now into
// that region's machine, combines the regions, and returns the check's
// state after it, with changed set when its state, the words of the
// combination or the error differ from the Report handed out before.
//
// The Report is current whether or not it changed: passing every one to
// Engine.Report counts each result's interval in uptime and moves the
// check's last result, as results of a check with one region do.
// Results of a check Checks does not have are ignored (a zero Report),
// as are those from a region the check is not probed from, which are
// counted too (see Strays).
func (c *Checks) Observe(now time.Time, region string, o status.Observation) (r status.Report, changed bool) {
	ch := c.checks[o.CheckID]
	if ch == nil {
		return status.Report{}, false
	}
	reg := ch.region(region)
	if reg == nil {
		c.strays++
		return status.Report{}, false
	}
	reg.m.Observe(o)
	if now.After(reg.at) {
		reg.at = now
	}
	ch.latency = o.Latency
	return ch.combine(now)
}

// Tick combines every check again at now and returns the Reports that
// changed, in the order of the specs: regions whose latest result grew
// older than the quorum's window stop counting (see quorum.Rule.Window),
// which changes the words, or the state, to UNKNOWN when fewer than the
// quorum are left. Call it about every second.
func (c *Checks) Tick(now time.Time) []status.Report {
	var out []status.Report
	for _, ch := range c.order {
		if r, changed := ch.combine(now); changed {
			out = append(out, r)
		}
	}
	return out
}

// Strays counts the results Observe ignored since New because their
// region is not one of the check's: results from an instance whose
// configuration differs, during a reload that has not reached every
// instance yet, or a region misnamed.
func (c *Checks) Strays() uint64 { return c.strays }

func (ch *check) region(id string) *region {
	for _, r := range ch.regions {
		if r.id == id {
			return r
		}
	}
	return nil
}

// combine applies the quorum to the regions' states at now and keeps the
// result as the state handed out.
func (ch *check) combine(now time.Time) (status.Report, bool) {
	rule := quorum.Rule{Quorum: ch.spec.Quorum, Interval: ch.spec.Check.Interval}
	if ch.same(rule, now) && (ch.last.State == status.CheckUp || ch.last.State == status.CheckUnknown) {
		ch.last.Latency = ch.latency
		return ch.last, false
	}
	views := make([]quorum.View, len(ch.regions))
	for i, r := range ch.regions {
		views[i] = quorum.View{Region: r.id, State: r.m.State(), At: r.at}
	}
	res := quorum.Combine(rule, views, now)
	rep := status.Report{CheckID: ch.spec.Check.ID, State: res.State, Err: ch.reason(res), Latency: ch.latency}
	words := res.String()
	changed := rep.State != ch.last.State || rep.Err != ch.last.Err || words != ch.words
	ch.last, ch.words = rep, words
	return rep, changed
}

// same reports whether every region has the state and freshness it had
// when last combined, and records them as they are now.
func (ch *check) same(rule quorum.Rule, now time.Time) bool {
	same := len(ch.sig) == len(ch.regions)
	if !same {
		ch.sig = make([]byte, len(ch.regions))
	}
	for i, r := range ch.regions {
		var b byte
		switch r.m.State() {
		case status.CheckUp:
			b = 1
		case status.CheckSlow:
			b = 2
		case status.CheckFlaky:
			b = 3
		case status.CheckDown:
			b = 4
		}
		if rule.Fresh(r.at, now) {
			b |= 8
		}
		same = same && ch.sig[i] == b
		ch.sig[i] = b
	}
	return same
}

// reason words why the check has the combined state, for incident
// bodies and the check's error: the quorum's words, and after the
// regions that make the state the latest error of the first of them
// that has one, e.g. "down in 2 of 3 regions: eu-west, us-east: status
// 500, want 200-299; up in ap-south". UP needs no reason.
func (ch *check) reason(res quorum.Result) string {
	switch res.State {
	case status.CheckUp:
		return ""
	case status.CheckUnknown:
		return res.String()
	}
	for _, id := range res.Agree() {
		if why := ch.region(id).why(); why != "" {
			return res.Lead() + ": " + why + res.Rest()
		}
	}
	return res.String()
}

// why is what the region's own state comes from: how it fails, or why
// it is slow.
func (r *region) why() string {
	switch r.m.State() {
	case status.CheckDown, status.CheckFlaky:
		return r.m.LastFailure()
	case status.CheckSlow:
		if s := r.m.SlowReason(); s != "" {
			return s
		}
		return r.m.Latency().Round(time.Millisecond).String()
	}
	return ""
}

// View is what the regions of one check see, for the metrics.
type View struct {
	CheckID string
	Quorum  int
	Regions []RegionView
}

// RegionView is one region's state of a check: Fresh says whether its
// latest result still counts toward the quorum.
type RegionView struct {
	Region string
	State  status.CheckState
	Fresh  bool
}

// Views lists what every check's regions see at now, in the order of the
// specs.
func (c *Checks) Views(now time.Time) []View {
	out := make([]View, 0, len(c.order))
	for _, ch := range c.order {
		rule := quorum.Rule{Quorum: ch.spec.Quorum, Interval: ch.spec.Check.Interval}
		v := View{CheckID: ch.spec.Check.ID, Quorum: ch.spec.Quorum, Regions: make([]RegionView, len(ch.regions))}
		for i, r := range ch.regions {
			v.Regions[i] = RegionView{Region: r.id, State: r.m.State(), Fresh: rule.Fresh(r.at, now)}
		}
		out = append(out, v)
	}
	return out
}
