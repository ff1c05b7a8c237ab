package regional

import (
	"fmt"
	"testing"
	"time"

	"github.com/up-status/up/status"
)

// benchChecks is 10 000 checks of three regions, each region with a
// recent OK: the steady state of a large cluster.
func benchChecks(b *testing.B) (*Checks, []string) {
	b.Helper()
	var specs []Spec
	var ids []string
	for i := range 10000 {
		s := home()
		s.Check.ID = fmt.Sprintf("c%d", i)
		specs = append(specs, s)
		ids = append(ids, s.Check.ID)
	}
	c := New(specs)
	for _, id := range ids {
		for _, r := range home().Regions {
			c.Observe(t0, r, status.Observation{CheckID: id, Outcome: status.OK})
		}
	}
	return c, ids
}

// BenchmarkTick combines 10 000 checks again, nothing changing: what
// Tick costs every second.
func BenchmarkTick(b *testing.B) {
	c, _ := benchChecks(b)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if len(c.Tick(now)) != 0 {
			b.Fatal("a change")
		}
	}
}

// BenchmarkObserve feeds OK results in turn, nothing changing.
func BenchmarkObserve(b *testing.B) {
	c, ids := benchChecks(b)
	regions := home().Regions
	now := t0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		c.Observe(now, regions[i%3], status.Observation{CheckID: ids[i%len(ids)], Outcome: status.OK})
	}
}
