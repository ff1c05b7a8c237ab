package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// BenchmarkApply measures one engine step as the daemon writes it (an
// incident event with five updates and two webhook deliveries), the
// figure to set beside the SQLite store's BenchmarkApply. The test
// server runs with fsync=off, so this is the store's and the protocol's
// cost, not a disk's.
func BenchmarkApply(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	payload := make([]byte, 2048)
	i := 0
	for b.Loop() {
		inc := incident(fmt.Sprintf("inc-%d", i%1000), ms(int64(i)), 5)
		ds := []store.Delivery{
			{ID: fmt.Sprintf("d-%d-a", i), Subscriber: "a", Event: "incident", Payload: payload},
			{ID: fmt.Sprintf("d-%d-b", i), Subscriber: "b", Event: "incident", Payload: payload},
		}
		if err := db.Apply(ctx, []status.Event{incidentEvent(inc)}, ds); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAddUptime measures adding one probe interval to a check's hour,
// alone and in batches of 100 checks.
func BenchmarkAddUptime(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			db := openTest(b)
			hour := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
			samples := make([]store.UptimeSample, batch)
			n := 0
			for b.Loop() {
				for j := range samples {
					samples[j] = store.UptimeSample{
						CheckID: fmt.Sprintf("c%d.check", (n+j)%1000),
						Hour:    hour.Add(time.Duration(n/100_000) * time.Hour),
						Up:      10 * time.Second,
					}
				}
				if err := db.AddUptime(ctx, samples); err != nil {
					b.Fatal(err)
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
