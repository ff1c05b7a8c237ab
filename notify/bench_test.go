package notify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

// BenchmarkFanout delivers 100 events to each of 100 loopback receivers
// per iteration: 10 000 webhooks through the outbox. It reports the
// delivery rate, the time of a whole batch (goal: under 5 s), and the
// latency from Notify to the first request reaching each receiver.
func BenchmarkFanout(b *testing.B) {
	const subscribers, events = 100, 100
	ctx := b.Context()
	st := newTestStore(b)

	type sink struct {
		count atomic.Int64
		first atomic.Int64 // unix nanos of the batch's first request
	}
	sinks := make([]*sink, subscribers)
	var batch sync.WaitGroup
	for i := range sinks {
		s := &sink{}
		sinks[i] = s
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			now := time.Now().UnixNano()
			s.first.CompareAndSwap(0, now)
			if s.count.Add(1) == events {
				batch.Done()
			}
		}))
		b.Cleanup(srv.Close)
		err := st.PutSubscriber(ctx, store.Subscriber{
			ID: fmt.Sprintf("sub-%03d", i), URL: srv.URL, Secret: "s", Token: fmt.Sprintf("tok-%03d", i),
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	d, err := New(Config{Planner: testPlanner}, st, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	b.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			b.Error("Run did not stop")
		}
	})
	subs, err := st.Subscribers(ctx)
	if err != nil {
		b.Fatal(err)
	}
	evs := componentEvents(events)

	var firsts []time.Duration
	var delivering time.Duration
	batches := 0
	for b.Loop() {
		for _, s := range sinks {
			s.count.Store(0)
			s.first.Store(0)
		}
		ds := d.Plan(evs, subs, time.Now())
		if err := st.Apply(ctx, nil, ds); err != nil {
			b.Fatal(err)
		}
		batch.Add(subscribers)
		start := time.Now()
		d.Notify()
		waitGroup(b, &batch, time.Minute)
		delivering += time.Since(start)
		batches++
		for _, s := range sinks {
			firsts = append(firsts, time.Duration(s.first.Load()-start.UnixNano()))
		}
	}
	slices.Sort(firsts)
	b.ReportMetric(float64(batches*subscribers*events)/delivering.Seconds(), "deliveries/s")
	b.ReportMetric(delivering.Seconds()/float64(batches), "s/batch")
	b.ReportMetric(float64(firsts[len(firsts)/2].Microseconds())/1000, "first-p50-ms")
	b.ReportMetric(float64(firsts[len(firsts)*99/100].Microseconds())/1000, "first-p99-ms")
}

// waitGroup waits for wg for at most d.
func waitGroup(b *testing.B, wg *sync.WaitGroup, d time.Duration) {
	b.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		b.Fatalf("batch not delivered within %v", d)
	}
}
