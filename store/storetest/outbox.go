package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

// testOutboxOrder interleaves two subscribers' deliveries over several
// Apply calls and reads each queue back in enqueue order.
func testOutboxOrder(t *testing.T, db store.Store) {
	ctx := context.Background()
	now := At(0)
	var wantA, wantB []string
	for i := range 5 {
		a := Delivery("a"+string(rune('0'+i)), "a")
		b := Delivery("b"+string(rune('0'+i)), "b")
		a.CreatedAt, b.CreatedAt = now, now
		wantA, wantB = append(wantA, a.ID), append(wantB, b.ID)
		if err := db.Apply(ctx, nil, []store.Delivery{b, a}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Due(ctx, "a", now, 0)
	if err != nil || !reflect.DeepEqual(ids(got), wantA) {
		t.Fatalf("a: %v, %v; want %v", ids(got), err, wantA)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Fatalf("seq not increasing: %+v", got)
		}
	}
	if got, _ := db.Due(ctx, "b", now, 3); !reflect.DeepEqual(ids(got), wantB[:3]) {
		t.Fatalf("b: %v, want %v", ids(got), wantB[:3])
	}
	if got, _ := db.PendingSubscribers(ctx); !reflect.DeepEqual(got, map[string]int{"a": 5, "b": 5}) {
		t.Fatalf("pending: %v", got)
	}
	if got, _ := db.Deliveries(ctx, "", 2); !reflect.DeepEqual(ids(got), []string{"a4", "b4"}) {
		t.Fatalf("newest first: %v", ids(got))
	}
}

// testOutboxHeadOfLine: a delivery waiting for its retry holds back the
// later ones of its subscriber, and only those.
func testOutboxHeadOfLine(t *testing.T, db store.Store) {
	ctx := context.Background()
	now := At(0)
	var batch []store.Delivery
	for _, id := range []string{"a1", "a2", "a3"} {
		d := Delivery(id, "a")
		d.CreatedAt = now
		batch = append(batch, d)
	}
	other := Delivery("b1", "b")
	other.CreatedAt = now
	if err := db.Apply(ctx, nil, append(batch, other)); err != nil {
		t.Fatal(err)
	}

	// a1 fails; its retry is due in 2s.
	head := batch[0]
	head.Attempts, head.LastAttempt, head.NextAttempt, head.LastError = 1, now, now.Add(2*time.Second), "HTTP 503"
	head.State = store.Pending
	if err := db.MarkDelivery(ctx, head); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Due(ctx, "a", now.Add(time.Second), 0); len(got) != 0 {
		t.Fatalf("due behind a waiting head: %v", ids(got))
	}
	if got, _ := db.Due(ctx, "b", now.Add(time.Second), 0); !reflect.DeepEqual(ids(got), []string{"b1"}) {
		t.Fatalf("b held back by a: %v", ids(got))
	}
	if next, ok, err := db.NextDue(ctx, "a"); err != nil || !ok || !next.Equal(now.Add(2*time.Second)) {
		t.Fatalf("next due: %v %v %v", next, ok, err)
	}
	got, _ := db.Due(ctx, "a", now.Add(2*time.Second), 0)
	if !reflect.DeepEqual(ids(got), []string{"a1", "a2", "a3"}) {
		t.Fatalf("after the retry time: %v", ids(got))
	}
	head.Seq = got[0].Seq
	if !reflect.DeepEqual(got[0], head) {
		t.Fatalf("marked delivery read back as %+v\nwant %+v", got[0], head)
	}

	// a1 is delivered, a2 given up: a3 is next, and the outbox keeps them.
	head.State = store.Delivered
	if err := db.MarkDelivery(ctx, head); err != nil {
		t.Fatal(err)
	}
	dead := batch[1]
	dead.State, dead.Attempts, dead.LastError = store.Dead, 20, "timeout"
	if err := db.MarkDelivery(ctx, dead); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Due(ctx, "a", now, 0); !reflect.DeepEqual(ids(got), []string{"a3"}) {
		t.Fatalf("after delivery: %v", ids(got))
	}
	if got, _ := db.Deliveries(ctx, store.Dead, 0); !reflect.DeepEqual(ids(got), []string{"a2"}) {
		t.Fatalf("dead: %v", ids(got))
	}

	// Replay puts a2 back in its place, due now, attempts reset.
	if err := db.Replay(ctx, "a2", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Due(ctx, "a", now.Add(time.Minute), 0)
	if !reflect.DeepEqual(ids(got), []string{"a2", "a3"}) || got[0].Attempts != 0 ||
		!got[0].NextAttempt.Equal(now.Add(time.Minute)) || got[0].LastError != "timeout" {
		t.Fatalf("after replay: %+v", got)
	}
	if err := db.Replay(ctx, "a2", now); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("replay of a pending delivery: %v", err)
	}
	if err := db.Replay(ctx, "nope", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("replay of a missing delivery: %v", err)
	}
	if err := db.MarkDelivery(ctx, store.Delivery{ID: "nope", State: store.Dead}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("mark of a missing delivery: %v", err)
	}
	if err := db.MarkDelivery(ctx, store.Delivery{ID: "a3"}); err == nil {
		t.Fatal("mark without a state accepted")
	}
	if _, ok, err := db.NextDue(ctx, "nobody"); ok || err != nil {
		t.Fatalf("next due of nobody: %v %v", ok, err)
	}
}

func testDeleteSubscriberDropsBacklog(t *testing.T, db store.Store) {
	ctx := context.Background()
	if err := db.PutSubscriber(ctx, store.Subscriber{ID: "ops", URL: "http://x"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Apply(ctx, nil, []store.Delivery{Delivery("d1", "ops"), Delivery("d2", "dev")}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscriber(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscriber(ctx, "ops"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if got, _ := db.Deliveries(ctx, store.Dropped, 0); !reflect.DeepEqual(ids(got), []string{"d1"}) {
		t.Fatalf("dropped: %v", ids(got))
	}
	if got, _ := db.PendingSubscribers(ctx); !reflect.DeepEqual(got, map[string]int{"dev": 1}) {
		t.Fatalf("pending: %v", got)
	}
}
