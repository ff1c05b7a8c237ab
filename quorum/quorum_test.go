package quorum

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

// now is the time every table case is combined at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// never is the age of a region that never reported.
const never = time.Duration(-1 << 63)

// seen is one region's report, by age at now.
type seen struct {
	id    string
	state status.CheckState
	age   time.Duration
}

const (
	up      = status.CheckUp
	slow    = status.CheckSlow
	flaky   = status.CheckFlaky
	down    = status.CheckDown
	unknown = status.CheckUnknown
)

func views(in []seen) []View {
	out := make([]View, len(in))
	for i, s := range in {
		out[i] = View{Region: s.id, State: s.state}
		if s.age != never {
			out[i].At = now.Add(-s.age)
		}
	}
	return out
}

// three reports the three regions of most cases, all fresh.
func three(eu, us, ap status.CheckState) []seen {
	return []seen{{"eu-west", eu, time.Second}, {"us-east", us, time.Second}, {"ap-south", ap, time.Second}}
}

func TestCombine(t *testing.T) {
	const interval = 30 * time.Second
	tests := []struct {
		name  string
		k     int
		in    []seen
		want  status.CheckState
		stale []string
	}{
		{"every region up", 2, three(up, up, up), up, nil},
		{"down in 2 of 3", 2, three(down, down, up), down, nil},
		{"down in 3 of 3", 2, three(down, down, down), down, nil},
		{"one region down is outvoted", 2, three(down, up, up), up, nil},
		{"any: one region down is enough", 1, three(up, down, up), down, nil},
		{"all: two of three down is not", 3, three(down, down, up), up, nil},
		{"all: three of three down", 3, three(down, down, down), down, nil},
		{"one region of one", 1, []seen{{"default", down, 0}}, down, nil},

		// A region counts for its state and every milder one.
		{"down and slow make slow", 2, three(down, slow, up), slow, nil},
		{"down and flaky make flaky", 2, three(down, flaky, up), flaky, nil},
		{"flaky and slow make slow", 2, three(flaky, slow, up), slow, nil},
		{"two slow and a down", 2, three(slow, slow, down), slow, nil},
		{"all: flaky, flaky, down make flaky", 3, three(flaky, flaky, down), flaky, nil},
		{"all: slow, down, down make slow", 3, three(slow, down, down), slow, nil},
		{"any: the worst state seen", 1, three(slow, down, flaky), down, nil},
		{"any: slow and up", 1, three(up, slow, up), slow, nil},

		// Stale and silent regions.
		{"a stale region's down does not count", 2,
			[]seen{{"eu-west", down, 0}, {"us-east", down, 2 * time.Minute}, {"ap-south", up, 0}}, up, []string{"us-east"}},
		{"too few fresh regions", 2,
			[]seen{{"eu-west", down, 0}, {"us-east", down, 2 * time.Minute}, {"ap-south", up, never}}, unknown, []string{"us-east", "ap-south"}},
		{"a region that never reported", 2,
			[]seen{{"eu-west", up, 0}, {"us-east", down, never}, {"ap-south", up, 0}}, up, []string{"us-east"}},
		{"all: one stale region leaves it unknown", 3,
			[]seen{{"eu-west", down, 0}, {"us-east", down, 0}, {"ap-south", down, time.Hour}}, unknown, []string{"ap-south"}},
		{"regions that report unknown know nothing", 2, three(down, unknown, unknown), unknown, nil},
		{"unknown beside a quorum", 2, three(down, down, unknown), down, nil},
		{"up needs a quorum too", 2, three(up, unknown, unknown), unknown, nil},
		{"nobody reported", 1, []seen{{"eu-west", up, never}, {"us-east", up, never}}, unknown, []string{"eu-west", "us-east"}},
		{"a report from a little ahead counts", 1, []seen{{"eu-west", down, -5 * time.Second}}, down, nil},

		// Quorums outside 1..n.
		{"a quorum above n is never reached", 4, three(down, down, down), unknown, nil},
		{"a quorum of 0 counts as 1", 0, three(up, down, up), down, nil},
		{"no regions", 1, nil, unknown, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Combine(Rule{Quorum: tt.k, Interval: interval}, views(tt.in), now)
			if r.State != tt.want {
				t.Errorf("state %s, want %s (%s)", r.State, tt.want, r)
			}
			if !slices.Equal(r.Stale, tt.stale) {
				t.Errorf("stale %v, want %v", r.Stale, tt.stale)
			}
			if r.N != len(tt.in) || r.K != max(tt.k, 1) || r.Window != 90*time.Second {
				t.Errorf("k %d n %d window %v", r.K, r.N, r.Window)
			}
			checkPartition(t, r, views(tt.in))
		})
	}
}

// checkPartition: every region is in exactly one list of the result, in
// the order of the views.
func checkPartition(t *testing.T, r Result, in []View) {
	t.Helper()
	var ids []string
	for _, v := range in {
		ids = append(ids, v.Region)
	}
	if !slices.Equal(r.Regions, ids) {
		t.Errorf("regions %v, want %v", r.Regions, ids)
	}
	count := len(r.Stale)
	lists := append(slices.Collect(maps.Values(r.Seen)), r.Stale)
	for _, l := range lists {
		if l == nil {
			continue
		}
		if !isSubsequence(l, ids) {
			t.Errorf("list %v is not in the order of %v", l, ids)
		}
	}
	for _, l := range r.Seen {
		count += len(l)
	}
	if count != len(ids) {
		t.Errorf("%d regions in the lists %v %v, want %d", count, r.Seen, r.Stale, len(ids))
	}
}

func isSubsequence(sub, all []string) bool {
	i := 0
	for _, s := range sub {
		for i < len(all) && all[i] != s {
			i++
		}
		if i == len(all) {
			return false
		}
		i++
	}
	return true
}

// TestFreshness holds the window at its edges: 3 intervals, never under
// 30 s, a report exactly at the edge still counting.
func TestFreshness(t *testing.T) {
	tests := []struct {
		interval, age time.Duration
		fresh         bool
	}{
		{5 * time.Second, 30 * time.Second, true}, // 3 × 5 s is 15 s: the 30 s floor
		{5 * time.Second, 30*time.Second + time.Nanosecond, false},
		{5 * time.Second, 16 * time.Second, true},
		{10 * time.Second, 30 * time.Second, true}, // 3 × 10 s is the floor exactly
		{10 * time.Second, 30*time.Second + time.Nanosecond, false},
		{20 * time.Second, 45 * time.Second, true}, // past the floor, within 3 intervals
		{20 * time.Second, 60 * time.Second, true},
		{20 * time.Second, 60*time.Second + time.Nanosecond, false},
		{time.Minute, 3 * time.Minute, true},
		{time.Minute, 3*time.Minute + time.Nanosecond, false},
		{0, 30 * time.Second, true}, // no interval: the floor alone
		{0, 31 * time.Second, false},
		{time.Minute, 0, true},
		{time.Minute, -time.Minute, true}, // a clock a little ahead: now
	}
	for _, tt := range tests {
		r := Combine(Rule{Quorum: 1, Interval: tt.interval}, []View{{Region: "eu-west", State: down, At: now.Add(-tt.age)}}, now)
		if fresh := r.State == down; fresh != tt.fresh {
			t.Errorf("interval %v, report %v old: fresh %v, want %v (window %v)", tt.interval, tt.age, fresh, tt.fresh, r.Window)
		}
		if fresh := (Rule{Interval: tt.interval}).Fresh(now.Add(-tt.age), now); fresh != tt.fresh {
			t.Errorf("interval %v, report %v old: Fresh says %v, want %v", tt.interval, tt.age, fresh, tt.fresh)
		}
		if want := max(3*tt.interval, 30*time.Second); r.Window != want {
			t.Errorf("interval %v: window %v, want %v", tt.interval, r.Window, want)
		}
	}
	if (Rule{Interval: time.Minute}).Fresh(time.Time{}, now) {
		t.Error("a region that never reported is fresh")
	}
}

func TestSeenListsTheRegionsOfEachState(t *testing.T) {
	in := []seen{{"eu-west", down, 0}, {"us-east", up, 0}, {"ap-south", down, 0}, {"sa-east", unknown, 0}, {"af-south", up, never}}
	r := Combine(Rule{Quorum: 2, Interval: time.Minute}, views(in), now)
	want := map[status.CheckState][]string{down: {"eu-west", "ap-south"}, up: {"us-east"}, unknown: {"sa-east"}}
	if !maps.EqualFunc(r.Seen, want, slices.Equal) || !slices.Equal(r.Stale, []string{"af-south"}) {
		t.Errorf("seen %v stale %v", r.Seen, r.Stale)
	}
	if got := r.Agree(); !slices.Equal(got, []string{"eu-west", "ap-south"}) {
		t.Errorf("agree %v", got)
	}
}
