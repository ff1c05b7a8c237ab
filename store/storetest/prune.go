package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

func testPruneLetsGoOfOldHistoryOnly(t *testing.T, d store.Store) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-10*24*time.Hour), now.Add(-time.Hour)

	if err := d.PutMetrics(ctx, []store.Metric{
		{ID: "web.home", Name: "web.home response time", Unit: "ms",
			Points: []store.Point{{Time: old, Value: 1}, {Time: recent, Value: 2}}},
		{ID: "signups", Name: "Signups", Custom: true,
			Points: []store.Point{{Time: old, Value: 3}, {Time: recent, Value: 4}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddUptime(ctx, []store.UptimeSample{
		{CheckID: "web.home", Hour: old.Truncate(time.Hour), Up: time.Hour},
		{CheckID: "web.home", Hour: recent.Truncate(time.Hour), Up: time.Hour},
	}); err != nil {
		t.Fatal(err)
	}
	mk := func(id string, created time.Time) store.Delivery {
		return store.Delivery{ID: id, Subscriber: "ops", Event: "incident", Payload: []byte("{}"),
			CreatedAt: created, NextAttempt: created}
	}
	if err := d.Apply(ctx, nil, []store.Delivery{mk("old-delivered", old), mk("old-dead", old),
		mk("old-dropped", old), mk("new-delivered", recent), mk("old-pending", old)}); err != nil {
		t.Fatal(err)
	}
	for id, st := range map[string]store.DeliveryState{"old-delivered": store.Delivered, "old-dead": store.Dead,
		"old-dropped": store.Dropped, "new-delivered": store.Delivered} {
		ds, _ := d.Deliveries(ctx, "", 100)
		for _, del := range ds {
			if del.ID == id {
				del.State = st
				if err := d.MarkDelivery(ctx, del); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	cut := now.Add(-7 * 24 * time.Hour)
	got, err := d.Prune(ctx, store.Prune{PointsBefore: cut, UptimeBefore: cut, DeliveriesBefore: cut})
	if err != nil {
		t.Fatal(err)
	}
	if got != (store.Pruned{Points: 1, Uptime: 1, Deliveries: 2}) {
		t.Fatalf("Prune deleted %+v, want 1 point, 1 hour, 2 deliveries", got)
	}
	if m, _ := d.Metric(ctx, "web.home", time.Time{}, time.Time{}); len(m.Points) != 1 || m.Points[0].Value != 2 {
		t.Errorf("response-time points after prune: %+v", m.Points)
	}
	if m, _ := d.Metric(ctx, "signups", time.Time{}, time.Time{}); len(m.Points) != 2 {
		t.Errorf("a custom metric lost points: %+v", m.Points)
	}
	if h, _ := d.Uptime(ctx, "web.home", time.Time{}, now); len(h) != 1 {
		t.Errorf("uptime hours after prune: %+v", h)
	}
	left := map[string]bool{}
	ds, _ := d.Deliveries(ctx, "", 100)
	for _, del := range ds {
		left[del.ID] = true
	}
	for id, want := range map[string]bool{"old-delivered": false, "old-dropped": false, "old-dead": true, "old-pending": true, "new-delivered": true} {
		if left[id] != want {
			t.Errorf("delivery %s kept = %v, want %v", id, left[id], want)
		}
	}
}

func testLatestCustomPoints(t *testing.T, d store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if err := d.PutMetrics(ctx, []store.Metric{
		{ID: "signups", Custom: true, Points: []store.Point{{Time: t0.Add(time.Hour), Value: 7}, {Time: t0, Value: 3}}},
		{ID: "queue", Custom: true},
		{ID: "web.home", Points: []store.Point{{Time: t0, Value: 12}}},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := d.LatestCustomPoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["signups"].Value != 7 || !got["signups"].Time.Equal(t0.Add(time.Hour)) {
		t.Fatalf("latest custom points = %+v, want only signups at 7", got)
	}
}

// A metric or a point given twice in one PutMetrics keeps the last, as
// two calls in a row would, and several thousand metrics go in one call.
func testPutMetricsLastOneWins(t *testing.T, d store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ms := []store.Metric{
		{ID: "web.home", Name: "old", Unit: "ms", Points: []store.Point{{Time: t0, Value: 1}, {Time: t0, Value: 2}}},
		{ID: "web.home", Name: "Home response time", Unit: "ms", Points: []store.Point{{Time: t0, Value: 3}, {Time: t0.Add(time.Minute), Value: 4}}},
	}
	for i := range 3000 {
		ms = append(ms, store.Metric{ID: fmt.Sprintf("c%d", i), Name: "x", Unit: "ms", Points: []store.Point{{Time: t0, Value: float64(i)}}})
	}
	if err := d.PutMetrics(ctx, ms); err != nil {
		t.Fatal(err)
	}
	m, err := d.Metric(ctx, "web.home", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Home response time" || len(m.Points) != 2 || m.Points[0].Value != 3 || m.Points[1].Value != 4 {
		t.Fatalf("web.home = %+v, want the last name and points 3 and 4", m)
	}
	last, err := d.Metric(ctx, "c2999", t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil || len(last.Points) != 1 || last.Points[0].Value != 2999 {
		t.Fatalf("c2999 = %+v, %v", last, err)
	}
}
