package status

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// rewindIDs makes ids like seqIDs, but its counter can be set back, so
// that an engine and its clone handed the same calls make the same ids.
type rewindIDs struct{ n int }

func (r *rewindIDs) next() string {
	r.n++
	return fmt.Sprintf("id-%d", r.n)
}

// cloneOp is one engine call, drawn up front so that it can be applied
// to two engines alike.
type cloneOp struct {
	kind    int
	step    time.Duration // the clock moves this much first
	a, b, c int           // picks, read against the engine's own state
	shape   propShape
}

func drawCloneOp(rng *rand.Rand, shape *propShape) cloneOp {
	op := cloneOp{kind: rng.IntN(16), a: rng.IntN(1000), b: rng.IntN(1000), c: rng.IntN(1000)}
	switch rng.IntN(10) {
	case 0:
		op.step = []time.Duration{time.Hour, -time.Hour, 3 * time.Minute, -10 * time.Second}[rng.IntN(4)]
	case 1, 2:
		op.step = time.Duration(1+rng.IntN(60)) * time.Second
	default:
		op.step = time.Duration(rng.IntN(3)) * time.Second
	}
	if op.kind == 13 {
		switch rng.IntN(4) {
		case 0:
			shape.withA2 = !shape.withA2
		case 1:
			shape.withB = !shape.withB
		case 2:
			shape.window = !shape.window
		case 3:
			shape.fail = 1 + rng.IntN(3)
		}
	}
	op.shape = *shape
	return op
}

// apply runs the operation on e at now and returns what the call
// returned: its events, and for some calls an error or uptime buckets.
func (op cloneOp) apply(e *Engine, now time.Time) (ev []Event, err error, buckets []UptimeBucket) {
	checks := []string{"a.1", "a.2", "b.1", "gone"}
	comps := []string{"a", "b", "c"}
	statuses := append([]ComponentStatus{""}, ComponentStatuses...)
	switch op.kind {
	case 0, 1, 2, 3, 4, 5:
		o := []Outcome{OK, OK, Slow, Fail, Fail}[op.a%5]
		ev = e.Observe(now, Observation{CheckID: checks[op.b%len(checks)], Outcome: o, Err: fmt.Sprint("err ", op.c), Latency: time.Duration(op.c) * time.Millisecond})
	case 6:
		ev = e.Tick(now)
	case 7:
		_, ev, err = e.PutMaintenance(now, MaintenanceInput{
			ID: []string{"m1", "m2", ""}[op.a%3], Name: "M", Components: []string{comps[op.b%3]},
			Start: now.Add(time.Duration(op.c%120-30) * time.Second), Duration: time.Duration(1+op.a%120) * time.Second,
			Backfilled: op.b%7 == 0,
		})
	case 8:
		id := []string{"m1", "m2", "w"}[op.a%3]
		if op.b%2 == 0 {
			_, ev, err = e.CompleteMaintenance(now, id, "")
		} else {
			_, ev, err = e.CancelMaintenance(now, id, "")
		}
	case 9:
		var until time.Time
		if op.a%2 == 0 {
			until = now.Add(time.Duration(1+op.a%60) * time.Second)
		}
		_, ev, err = e.SetComponentStatus(now, comps[op.b%3], statuses[op.c%len(statuses)], until)
	case 10:
		incs := e.Snapshot().Incidents
		if len(incs) == 0 {
			return nil, nil, nil
		}
		in := IncidentInput{ID: incs[op.a%len(incs)].ID, Body: []string{"", "comment", "more"}[op.b%3]}
		in.Status = append([]IncidentStatus{""}, IncidentStatuses...)[op.c%5]
		_, ev, err = e.PutIncident(now, in)
	case 11:
		incs := e.Snapshot().Incidents
		if len(incs) > 0 {
			ev, err = e.DeleteIncident(now, incs[op.a%len(incs)].ID)
		}
	case 12:
		_, ev, err = e.PutIncident(now, IncidentInput{Name: "by hand", Components: []string{comps[op.a%3]}})
	case 13:
		ev, err = e.Reconfigure(now, op.shape.spec())
	case 14:
		ev = e.Restore(now, stateOf(e.Snapshot()))
	default:
		_, ev, err = e.PutComponent(now, ComponentInput{ID: []string{"x", "c", ""}[op.a%3], Name: "X", Status: statuses[op.b%len(statuses)]})
		buckets = e.DrainUptime()
	}
	return ev, err, buckets
}

// TestCloneIsDeepAndIndependent runs random operations on an engine; at
// random points it clones it, hands the clone and the original the same
// calls and wants the same answers and snapshots from both; then it
// calls each alone and wants the other's snapshot untouched. Half the
// time the clone carries on as the engine, as a daemon keeps the copy a
// write was tried on.
func TestCloneIsDeepAndIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	runs := 60
	if testing.Short() {
		runs = 10
	}
	for run := range runs {
		ids := &rewindIDs{}
		shape := propShape{withA2: true, withB: true, window: true, fail: 2}
		e, err := New(t0, shape.spec(), ids.next)
		if err != nil {
			t.Fatal(err)
		}
		e.Restore(t0, State{})
		now := t0
		for step := range 400 {
			if rng.IntN(25) != 0 {
				op := drawCloneOp(rng, &shape)
				now = now.Add(op.step)
				op.apply(e, now)
				continue
			}
			c := e.Clone()
			consistent(t, c)
			if !reflect.DeepEqual(e.Snapshot(), c.Snapshot()) {
				t.Fatalf("run %d step %d: the clone's snapshot differs at once", run, step)
			}
			for k := range 1 + rng.IntN(30) {
				op := drawCloneOp(rng, &shape)
				now = now.Add(op.step)
				from := ids.n
				evA, errA, upA := op.apply(e, now)
				to := ids.n
				ids.n = from
				evB, errB, upB := op.apply(c, now)
				if ids.n != to {
					t.Fatalf("run %d step %d+%d op %d: the clone made %d ids, the original %d", run, step, k, op.kind, ids.n-from, to-from)
				}
				if !reflect.DeepEqual(evA, evB) || fmt.Sprint(errA) != fmt.Sprint(errB) || !reflect.DeepEqual(upA, upB) {
					t.Fatalf("run %d step %d+%d op %d: original told %v %v %d buckets, the clone %v %v %d buckets",
						run, step, k, op.kind, kinds(evA), errA, len(upA), kinds(evB), errB, len(upB))
				}
				if !reflect.DeepEqual(e.Snapshot(), c.Snapshot()) {
					t.Fatalf("run %d step %d+%d op %d: snapshots differ", run, step, k, op.kind)
				}
				consistent(t, c)
			}
			// Each alone: the other does not move. The clone goes first
			// and is then dropped, with the ids and shape it used, as a
			// write the store refused would be; the original's own calls
			// after that count.
			alone := func(busy, still *Engine) {
				before := still.Snapshot()
				for range 1 + rng.IntN(20) {
					op := drawCloneOp(rng, &shape)
					now = now.Add(op.step)
					op.apply(busy, now)
				}
				if after := still.Snapshot(); !reflect.DeepEqual(before, after) {
					t.Fatalf("run %d step %d: calls on one copy changed the other's snapshot", run, step)
				}
				consistent(t, busy)
			}
			saveIDs, saveShape, saveNow := ids.n, shape, now
			alone(c, e)
			ids.n, shape, now = saveIDs, saveShape, saveNow
			c = e.Clone()
			alone(e, c)
			if rng.IntN(2) == 0 {
				e = e.Clone() // carry on with a copy, as the daemon keeps one
			}
		}
	}
}

// TestCloneCoversEveryField: Clone copies the engine's types field by
// field; a field added to one of them must be copied there too (then
// listed here), or a clone would share it with the original.
func TestCloneCoversEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[Engine](): {"ids", "maxStep", "retention", "spec", "openAt", "resolveAfter", "reopenWithin", "keepResolved", "keepPerComponent",
			"groups", "groupOrder", "comps", "order", "checks", "incidents", "windows", "windowList", "active",
			"overridden", "stable", "counts", "page", "deadline", "last", "elapsed", "uptime",
			"now", "oldPage", "quiet", "events"},
		reflect.TypeFor[component](): {"c", "order", "group", "manual", "checks", "nUnknown", "nDown", "nFlaky", "nSlow",
			"inMaint", "held", "heldStatus", "fromChecks", "auto", "last", "stableFrom", "monitoringSince"},
		reflect.TypeFor[check](): {"id", "comp", "failAt", "recoverAt", "interval", "slowAfter", "state", "down", "reported", "presumedDown",
			"fails", "oks", "slows", "window", "lastOutcome", "lastErr", "lastLatency", "slowReason", "lastAt",
			"lastFailure", "lastFailureAt", "since", "uptime"},
		reflect.TypeFor[group]():       {"g", "counts"},
		reflect.TypeFor[window]():      {"m"},
		reflect.TypeFor[Uptime]():      {"checks", "closed"},
		reflect.TypeFor[uptimeCheck](): {"id", "last", "open", "cur", "hour"},
		reflect.TypeFor[Component]():   {"ID", "Name", "Description", "Group", "Status", "Checks", "Override", "OverrideUntil", "CreatedAt", "UpdatedAt", "FromConfig"},
		reflect.TypeFor[Incident]():    {"ID", "Name", "Status", "Impact", "Components", "Auto", "ByHand", "Backfilled", "CreatedAt", "UpdatedAt", "ResolvedAt", "Updates"},
		reflect.TypeFor[Maintenance](): {"ID", "Name", "Description", "Status", "Impact", "Components", "Start", "Duration", "Backfilled", "CreatedAt", "UpdatedAt", "ResolvedAt", "Updates", "Cancelled", "FromConfig"},
	}
	for typ, want := range known {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has fields %v; Clone knows %v: copy the new ones in Clone (clone.go, or the type's clone method), then list them here", typ, got, want)
		}
	}
}

// BenchmarkClone copies an engine of 1 000 and of 10 000 checks (4 per
// component): the price of trying an API write on a copy.
func BenchmarkClone(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			spec := Spec{OpenAt: PartialOutage}
			var ids []string
			for c := range n / 4 {
				cs := ComponentSpec{ID: fmt.Sprintf("c%d", c), Name: "C"}
				for k := range 4 {
					id := fmt.Sprintf("c%d.k%d", c, k)
					cs.Checks = append(cs.Checks, checkSpec(id))
					ids = append(ids, id)
				}
				spec.Components = append(spec.Components, cs)
			}
			e, err := New(t0, spec, seqIDs())
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range ids {
				e.Observe(t0, Observation{CheckID: id, Outcome: OK})
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = e.Clone()
			}
		})
	}
}
