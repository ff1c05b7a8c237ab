// Package quorum combines the states that several regions see of one
// check into the check's state: DOWN only when a quorum of the regions
// agrees, UNKNOWN when too few of them have said anything lately.
//
// It is pure: no I/O, no clock. The caller gives the time, each region's
// last state of the check with the time it was reported, and the check's
// quorum and interval (config.Check.Quorum and Interval). The rules are
// those of docs/regions.md:
//
//   - A region's state counts while it is fresh: reported within
//     FreshIntervals intervals of the check, and never less than
//     MinFresh. A region that never reported, or whose last report is
//     older, is stale; a region that reports UNKNOWN (no result of its
//     own yet) knows nothing either. Neither counts.
//   - Fewer than k regions count: the check is UNKNOWN.
//   - Otherwise a region counts for its own state and every milder one,
//     worst first DOWN, FLAKY, SLOW, UP (a region that sees DOWN sees the
//     check at least FLAKY and at least SLOW), and the check takes the
//     worst state that at least k regions see: DOWN when k regions are
//     DOWN, else FLAKY when k are FLAKY or DOWN, else SLOW when k are
//     SLOW or worse, else UP.
package quorum

import (
	"time"

	"github.com/up-status/up/status"
)

// How long a region's report counts: FreshIntervals intervals of the
// check, and at least MinFresh, so that a check run every few seconds
// does not go UNKNOWN over one slow write of its results.
const (
	FreshIntervals = 3
	MinFresh       = 30 * time.Second
)

// View is what one region last reported about a check.
type View struct {
	Region string
	State  status.CheckState
	// At is when the region reported State; the zero time means it never
	// did. A time after now (clocks a little apart) counts as now.
	At time.Time
}

// Rule is what a check asks of its regions.
type Rule struct {
	// Quorum is k, how many regions must agree: config.Check.Quorum. A
	// quorum below 1 counts as 1; one above the number of regions is
	// never reached, and the check stays UNKNOWN.
	Quorum int
	// Interval is the check's interval, which sets how long a report
	// counts (see Window).
	Interval time.Duration
}

// Window is how old a report may be and still count: FreshIntervals
// intervals, at least MinFresh.
func (r Rule) Window() time.Duration {
	return max(FreshIntervals*r.Interval, MinFresh)
}

// Fresh reports whether a report made at at still counts at now: made
// (at is not zero) within Window before now. A time after now counts as
// now.
func (r Rule) Fresh(at, now time.Time) bool {
	return !at.IsZero() && now.Sub(at) <= r.Window()
}

// Result is the combined state of one check, and which regions see what.
type Result struct {
	State status.CheckState
	// K is the quorum that was applied, N the number of regions.
	K, N int
	// Window is how recent a report had to be to count.
	Window time.Duration
	// Regions are the regions of the views, in their order.
	Regions []string
	// Seen lists, by state, the regions whose report is fresh, UNKNOWN
	// included; Stale the regions whose report is not. Each region is in
	// exactly one list, and every list keeps the order of the views.
	Seen  map[status.CheckState][]string
	Stale []string
}

// severity ranks the states a region can agree on, mildest first; 0 is
// a state that says nothing (UNKNOWN, or anything unexpected).
func severity(s status.CheckState) int {
	switch s {
	case status.CheckUp:
		return 1
	case status.CheckSlow:
		return 2
	case status.CheckFlaky:
		return 3
	case status.CheckDown:
		return 4
	}
	return 0
}

// worstFirst are the states a quorum can agree on, in the order they are
// tried.
var worstFirst = [...]status.CheckState{status.CheckDown, status.CheckFlaky, status.CheckSlow, status.CheckUp}

// Combine applies rule to views, one per region of the check, given in
// the order of the file's regions, at now.
func Combine(rule Rule, views []View, now time.Time) Result {
	res := Result{
		State:  status.CheckUnknown,
		K:      max(rule.Quorum, 1),
		N:      len(views),
		Window: rule.Window(),
		Seen:   map[status.CheckState][]string{},
	}
	// atLeast[s] counts the fresh regions that see severity s or worse.
	var atLeast [5]int
	for _, v := range views {
		res.Regions = append(res.Regions, v.Region)
		if !rule.Fresh(v.At, now) {
			res.Stale = append(res.Stale, v.Region)
			continue
		}
		res.Seen[v.State] = append(res.Seen[v.State], v.Region)
		for s := severity(v.State); s > 0; s-- {
			atLeast[s]++
		}
	}
	// atLeast[1] counts every region that knows a state: too few, and no
	// state can be agreed on, UP included.
	if atLeast[1] < res.K {
		return res
	}
	for _, s := range worstFirst {
		if atLeast[severity(s)] >= res.K {
			res.State = s
			break
		}
	}
	return res
}

// Agree lists the regions that make the combined state, in the order of
// the views: for DOWN, FLAKY and SLOW those that see it or worse, for UP
// those that see UP, for UNKNOWN none.
func (r Result) Agree() []string {
	sev := severity(r.State)
	if sev == 0 {
		return nil
	}
	var out []string
	for _, id := range r.Regions {
		s, ok := r.stateOf(id)
		switch {
		case !ok:
		case r.State == status.CheckUp && s == status.CheckUp,
			r.State != status.CheckUp && severity(s) >= sev:
			out = append(out, id)
		}
	}
	return out
}

// stateOf is the fresh state of region id, if it has one.
func (r Result) stateOf(id string) (status.CheckState, bool) {
	for s, ids := range r.Seen {
		for _, x := range ids {
			if x == id {
				return s, true
			}
		}
	}
	return "", false
}
