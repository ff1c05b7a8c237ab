package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/store"
)

func testUptimeSums(t *testing.T, db store.Store) {
	ctx := context.Background()
	h0 := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	local := time.FixedZone("CET", 3600)
	samples := []store.UptimeSample{
		{CheckID: "web.home", Hour: h0, Up: 10 * time.Second},
		// Any time inside the hour, in any zone, lands in that hour.
		{CheckID: "web.home", Hour: h0.Add(17 * time.Minute).In(local), Up: 100 * time.Millisecond, Down: 30 * time.Second},
		{CheckID: "web.home", Hour: h0.Add(time.Hour), Maintenance: time.Hour},
		{CheckID: "web.ping", Hour: h0, NoData: 5 * time.Second},
	}
	for range 3 {
		if err := db.AddUptime(ctx, samples); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Uptime(ctx, "web.home", h0, h0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UptimeHour{
		{CheckID: "web.home", Hour: h0, Up: 30300 * time.Millisecond, Down: 90 * time.Second},
		{CheckID: "web.home", Hour: h0.Add(time.Hour), Maintenance: 3 * time.Hour},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	// to is exclusive; zero ends are open.
	if got, _ := db.Uptime(ctx, "web.home", h0, h0.Add(time.Hour)); len(got) != 1 {
		t.Fatalf("[h0, h1): %+v", got)
	}
	if got, _ := db.Uptime(ctx, "web.home", time.Time{}, time.Time{}); len(got) != 2 {
		t.Fatalf("open range: %+v", got)
	}
	if got, _ := db.Uptime(ctx, "web.ping", time.Time{}, time.Time{}); len(got) != 1 || got[0].NoData != 15*time.Second {
		t.Fatalf("web.ping: %+v", got)
	}
	// A bad sample fails the whole batch.
	bad := append(samples[:1:1], store.UptimeSample{CheckID: "web.home", Hour: h0, Up: -time.Second})
	if err := db.AddUptime(ctx, bad); err == nil {
		t.Fatal("negative duration accepted")
	}
	if got, _ := db.Uptime(ctx, "web.home", h0, h0.Add(time.Hour)); got[0].Up != 30300*time.Millisecond {
		t.Fatalf("failed batch was partly applied: %+v", got)
	}
}
