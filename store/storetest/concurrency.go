package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// testConcurrentUse writes from several goroutines while others read:
// no writer may fail for the others (a busy or deadlocked database is the
// store's to handle), and readers see whole steps only (an incident never
// without its updates).
func testConcurrentUse(t *testing.T, db store.Store) {
	ctx := context.Background()
	const writers, steps = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*steps+16)
	for w := range writers {
		wg.Go(func() {
			for i := range steps {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := db.Apply(ctx, []status.Event{IncidentEvent(Incident(id, At(int64(i)), 3))},
					[]store.Delivery{Delivery(id, fmt.Sprintf("s%d", w))})
				if err == nil {
					err = db.AddUptime(ctx, []store.UptimeSample{{CheckID: "c", Hour: At(0), Up: time.Second}})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for n := 0; n < 10_000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				incs, err := db.Incidents(ctx, store.IncidentFilter{Limit: 20})
				if err != nil {
					errs <- err
					return
				}
				for _, i := range incs {
					if len(i.Updates) != 3 {
						errs <- fmt.Errorf("read %s with %d updates", i.ID, len(i.Updates))
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, _ := db.PendingSubscribers(ctx); len(got) != writers || got["s0"] != steps {
		t.Fatalf("pending: %v", got)
	}
	if h, _ := db.Uptime(ctx, "c", time.Time{}, time.Time{}); len(h) != 1 || h[0].Up != writers*steps*time.Second {
		t.Fatalf("uptime: %+v", h)
	}
}

// testOutboxOrderUnderConcurrentApply enqueues one subscriber's webhooks
// from several goroutines while a dispatcher delivers what Due gives it:
// the dispatcher must never be handed a delivery with a lower Seq than
// one it already delivered. A store whose Seq order is not its commit
// order (a plain database sequence) lets that happen, and a webhook
// would go out of order.
func testOutboxOrderUnderConcurrentApply(t *testing.T, db store.Store) {
	ctx := context.Background()
	const writers, steps = 4, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range steps {
				id := fmt.Sprintf("w%d-%d", w, i)
				inc := Incident(id, At(int64(i)), 1)
				if err := db.Apply(ctx, []status.Event{IncidentEvent(inc)}, []store.Delivery{Delivery(id, "ops")}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	var last int64
	delivered := map[string]bool{}
	far := time.Now().Add(24 * time.Hour) // deliveries are stamped with the real clock
	deadline := time.Now().Add(time.Minute)
	for len(delivered) < writers*steps {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of %d in a minute", len(delivered), writers*steps)
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		due, err := db.Due(ctx, "ops", far, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range due {
			if d.Seq <= last {
				t.Fatalf("Due gave %s (seq %d) after seq %d was delivered", d.ID, d.Seq, last)
			}
			last = d.Seq
			d.State, d.Attempts, d.LastAttempt = store.Delivered, 1, far
			if err := db.MarkDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
			delivered[d.ID] = true
		}
		if len(due) == 0 {
			select {
			case <-done:
				if got, _ := db.PendingSubscribers(ctx); len(got) != 0 {
					continue // the last commits landed after this Due
				}
				if len(delivered) < writers*steps {
					t.Fatalf("writers done, %d of %d delivered, nothing pending", len(delivered), writers*steps)
				}
			case <-time.After(time.Millisecond):
			}
		}
	}
	<-done
}
