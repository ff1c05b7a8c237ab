package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/up-status/up/store"
	"github.com/up-status/up/store/storetest"
)

// TestContract runs the behaviour every store.Store shares on a fresh
// database file per test.
func TestContract(t *testing.T) {
	if PageStatusKey != storetest.PageStatusKey {
		t.Fatalf("PageStatusKey %q, the contract's is %q", PageStatusKey, storetest.PageStatusKey)
	}
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t) })
}

// TestWithClockStampsDeliveries: a delivery enqueued without CreatedAt is
// stamped by the clock given to Open.
func TestWithClockStampsDeliveries(t *testing.T) {
	ctx := context.Background()
	now := ms(60_000)
	db := openTest(t, WithClock(func() time.Time { return now }))
	if err := db.Apply(ctx, nil, []store.Delivery{delivery("d1", "ops")}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Deliveries(ctx, "", 0)
	if err != nil || len(got) != 1 || !got[0].CreatedAt.Equal(now) || !got[0].NextAttempt.Equal(now) {
		t.Fatalf("%+v, %v; want created and due at %v", got, err, now)
	}
}
