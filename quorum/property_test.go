package quorum

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

var allStates = []status.CheckState{up, slow, flaky, down, unknown}

// caseOf reads a rule and up to 7 regions' views from arbitrary bytes:
// the quorum (0 to 8, so some lie outside 1..n), the interval, then for
// each region a state and an age in 10 s steps, 0 to 250 s, or never.
func caseOf(data []byte) (Rule, []View) {
	at := func(i int) int {
		if i < len(data) {
			return int(data[i])
		}
		return 0
	}
	rule := Rule{Quorum: at(0) % 9, Interval: []time.Duration{0, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute}[at(1)%5]}
	var vs []View
	for i := 2; i+1 < len(data) && len(vs) < 7; i += 2 {
		v := View{Region: string(rune('a' + len(vs))), State: allStates[at(i)%len(allStates)]}
		if age := at(i+1) % 27; age < 26 {
			v.At = now.Add(-time.Duration(age) * 10 * time.Second)
		}
		vs = append(vs, v)
	}
	return rule, vs
}

// checkProperties holds one case to the rules and to how its result
// moves when the case changes a little.
func checkProperties(t *testing.T, rule Rule, vs []View) {
	t.Helper()
	r := Combine(rule, vs, now)
	checkPartition(t, r, vs)

	downs, knowing := 0, 0
	for _, v := range vs {
		if !v.At.IsZero() && now.Sub(v.At) <= rule.Window() {
			if v.State == down {
				downs++
			}
			if v.State != unknown {
				knowing++
			}
		}
	}
	k := max(rule.Quorum, 1)
	if (r.State == down) != (downs >= k) {
		t.Fatalf("%v %v: %s with %d fresh regions down", rule, vs, r.State, downs)
	}
	if (r.State == unknown) != (knowing < k) {
		t.Fatalf("%v %v: %s with %d fresh regions knowing a state", rule, vs, r.State, knowing)
	}

	// One more region seeing the check DOWN never makes it better: in
	// particular a DOWN check stays DOWN.
	for i := range vs {
		worse := slices.Clone(vs)
		worse[i] = View{Region: vs[i].Region, State: down, At: now}
		w := Combine(rule, worse, now)
		if r.State != unknown && (w.State == unknown || severity(w.State) < severity(r.State)) {
			t.Fatalf("%v %v: %s, but %s once %s is down", rule, vs, r.State, w.State, vs[i].Region)
		}
	}
	// A stricter quorum never makes it worse.
	stricter := Combine(Rule{Quorum: k + 1, Interval: rule.Interval}, vs, now)
	if stricter.State != unknown && severity(stricter.State) > severity(r.State) {
		t.Fatalf("%v %v: %s, but %s with a quorum of %d", rule, vs, r.State, stricter.State, k+1)
	}
	// The order of the regions decides nothing but the order of lists.
	reversed := slices.Clone(vs)
	slices.Reverse(reversed)
	if rv := Combine(rule, reversed, now); rv.State != r.State || len(rv.Stale) != len(r.Stale) {
		t.Fatalf("%v %v: %s, but %s in reverse order", rule, vs, r.State, rv.State)
	}
	// Later, no stale region is fresh again.
	later := Combine(rule, vs, now.Add(time.Duration(len(vs))*7*time.Second))
	for _, id := range r.Stale {
		if !slices.Contains(later.Stale, id) {
			t.Fatalf("%v %v: %s stale now, fresh later", rule, vs, id)
		}
	}
	if r.String() == "" {
		t.Fatal("no words")
	}
}

// TestProperties draws cases from a fixed seed; FuzzCombine explores
// beyond them.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		data := make([]byte, 2+2*rng.IntN(8))
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		rule, vs := caseOf(data)
		checkProperties(t, rule, vs)
	}
}

// go test -run '^$' -fuzz FuzzCombine ./quorum
func FuzzCombine(f *testing.F) {
	f.Add([]byte{2, 3, 3, 0, 3, 0, 0, 0})    // down, down, up: DOWN
	f.Add([]byte{2, 3, 3, 0, 0, 0, 0, 0})    // down, up, up: UP
	f.Add([]byte{3, 0, 3, 0, 3, 3, 3, 26})   // all, one stale: UNKNOWN
	f.Add([]byte{1, 4, 1, 17, 2, 18, 4, 18}) // any, at the window's edge
	f.Add([]byte{0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		rule, vs := caseOf(data)
		checkProperties(t, rule, vs)
	})
}
