package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/up-status/up/notify"
	"github.com/up-status/up/probe"
	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
	"github.com/up-status/up/store/sqlite"
)

// slowStore is the real store with a fixed delay on every commit, like a
// disk that takes its time.
type slowStore struct {
	*sqlite.DB
	delay time.Duration
}

func (s *slowStore) Apply(ctx context.Context, events []status.Event, deliveries []store.Delivery) error {
	time.Sleep(s.delay)
	return s.DB.Apply(ctx, events, deliveries)
}

func benchPipeline(b *testing.B, checks int, delay time.Duration) (*Pipeline, func()) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "up.db"))
	if err != nil {
		b.Fatal(err)
	}
	var sp status.Spec
	sp.OpenAt, sp.ResolveAfter = status.PartialOutage, time.Minute
	for c := range checks / 10 {
		cs := status.ComponentSpec{ID: fmt.Sprintf("c%d", c), Name: "C"}
		for k := range 10 {
			cs.Checks = append(cs.Checks, status.CheckSpec{ID: fmt.Sprintf("c%d.k%d", c, k), FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second})
		}
		sp.Components = append(sp.Components, cs)
	}
	p, err := New(ctx, sp, Options{
		Store:   &slowStore{DB: db, delay: delay},
		Planner: notify.Planner{PageID: "p", PageURL: "http://127.0.0.1:5010"},
	})
	if err != nil {
		b.Fatal(err)
	}
	stop := running(p)
	return p, func() {
		stop()
		db.Close()
	}
}

// BenchmarkObserve is the cost of one result through the engine stage,
// at 10 000 checks, without state changes.
func BenchmarkObserve(b *testing.B) {
	p, stop := benchPipeline(b, 10000, 0)
	defer stop()
	r := probe.Result{CheckID: "c7.k3", Success: true, Duration: 20 * time.Millisecond}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.Observe(r)
	}
	b.StopTimer()
}

// BenchmarkObserveSlowStore feeds results that open and resolve incidents
// while every commit takes 50 ms, and reports how long Observe keeps a
// probe worker (p99): a slow disk must not stall the probes.
func BenchmarkObserveSlowStore(b *testing.B) {
	p, stop := benchPipeline(b, 1000, 50*time.Millisecond)
	defer stop()
	waits := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		// Component i%100 flaps: every result changes its status and
		// makes a commit.
		r := probe.Result{CheckID: fmt.Sprintf("c%d.k0", i%100), Success: i%200 >= 100, Duration: time.Millisecond}
		if !r.Success {
			r.Err = "connection refused"
		}
		t0 := time.Now()
		p.Observe(r)
		waits = append(waits, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(waits)
	b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds()), "p99-µs/observe")
	b.ReportMetric(float64(waits[len(waits)-1].Microseconds()), "max-µs/observe")
}
