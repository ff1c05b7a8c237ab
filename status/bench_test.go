package status

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkObserve feeds results of 10 000 checks (2 500 components of 4)
// in turn, the steady state of a large installation: nothing changes.
func BenchmarkObserve(b *testing.B) {
	spec := Spec{OpenAt: PartialOutage}
	var ids []string
	for c := range 2500 {
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
	now := t0
	for _, id := range ids {
		e.Observe(now, Observation{CheckID: id, Outcome: OK})
	}
	obs := make([]Observation, len(ids))
	for i, id := range ids {
		obs[i] = Observation{CheckID: id, Outcome: OK, Latency: 20 * time.Millisecond}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%len(obs) == 0 {
			now = now.Add(time.Second)
		}
		e.Observe(now, obs[i%len(obs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
}

// BenchmarkObserveFlapping has every result change a check's state and
// its component's status, so events are built each time (no incident:
// open_at is above what the flapping reaches).
func BenchmarkObserveFlapping(b *testing.B) {
	flappy := checkSpec("c.1")
	flappy.FailureThreshold, flappy.SuccessThreshold = 1, 1
	spec := Spec{OpenAt: MajorOutage, Components: []ComponentSpec{{ID: "c", Name: "C", Checks: []CheckSpec{flappy, checkSpec("c.2")}}}}
	e, err := New(t0, spec, seqIDs())
	if err != nil {
		b.Fatal(err)
	}
	e.Observe(t0, Observation{CheckID: "c.2", Outcome: OK})
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Second)
		o := OK
		if i%2 == 0 {
			o = Fail
		}
		e.Observe(now, Observation{CheckID: "c.1", Outcome: o})
	}
}

// BenchmarkSnapshot copies the state of 10 000 checks in 2 500 components:
// what the daemon does after each committed change.
func BenchmarkSnapshot(b *testing.B) {
	spec := Spec{OpenAt: PartialOutage}
	for c := range 2500 {
		cs := ComponentSpec{ID: fmt.Sprintf("c%d", c), Name: "C"}
		for k := range 4 {
			cs.Checks = append(cs.Checks, checkSpec(fmt.Sprintf("c%d.k%d", c, k)))
		}
		spec.Components = append(spec.Components, cs)
	}
	e, err := New(t0, spec, seqIDs())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Snapshot()
	}
}
