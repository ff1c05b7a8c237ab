package sqlite

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

// TestPersistedFields fails when a domain type gains a field, so that
// whoever adds it also teaches the store to keep it (and extends the
// round-trip tests below).
func TestPersistedFields(t *testing.T) {
	want := map[reflect.Type]int{
		reflect.TypeFor[status.Component]():         11,
		reflect.TypeFor[status.Group]():             6,
		reflect.TypeFor[status.Incident]():          12,
		reflect.TypeFor[status.IncidentUpdate]():    6,
		reflect.TypeFor[status.Maintenance]():       15,
		reflect.TypeFor[status.MaintenanceUpdate](): 6,
		reflect.TypeFor[store.User]():               8,
		reflect.TypeFor[store.Subscriber]():         11,
		reflect.TypeFor[store.Delivery]():           11,
		reflect.TypeFor[store.Metric]():             5,
	}
	for typ, n := range want {
		if typ.NumField() != n {
			t.Errorf("%v has %d fields, the store persists %d: update the schema and the tests", typ, typ.NumField(), n)
		}
	}
}

func TestComponentRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	full := status.Component{
		ID: "website", Name: "Website", Description: "The shop", Group: "web",
		Status: status.PartialOutage, Checks: []string{"home", "tls-port", "ping"},
		Override: status.MajorOutage, OverrideUntil: ms(5000), CreatedAt: ms(0), UpdatedAt: ms(1),
		FromConfig: true,
	}
	bare := status.Component{ID: "api", Name: "API", Status: status.Operational} // zero times, no checks
	for _, c := range []status.Component{full, bare} {
		if err := db.PutComponent(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Components(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []status.Component{full, bare}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// An update keeps the component's place in the list.
	full.Status = status.Operational
	full.Checks = nil
	if err := db.PutComponent(ctx, full); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Components(ctx)
	if want := []status.Component{full, bare}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after update: got %+v\nwant %+v", got, want)
	}

	if err := db.DeleteComponent(ctx, "website"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteComponent(ctx, "website"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if err := db.PutComponent(ctx, status.Component{}); err == nil {
		t.Fatal("component without id was stored")
	}
}

func TestGroupRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	gs := []status.Group{
		{ID: "web", Name: "Website", Description: "public", Status: status.DegradedPerformance, Components: []string{"website", "api"}, FromConfig: true},
		{ID: "empty", Name: "Empty"},
	}
	for _, g := range gs {
		if err := db.PutGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, gs) {
		t.Fatalf("got %+v\nwant %+v", got, gs)
	}
	if err := db.DeleteGroup(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteGroup(ctx, "web"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestIncidentRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	inc := incident("i1", ms(0), 3)
	inc.Status = status.Resolved
	inc.ResolvedAt = ms(9000)
	inc.Backfilled = true
	inc.ByHand = true
	bare := status.Incident{ID: "i2", Name: "Manual", Status: status.Identified} // zero times, no updates
	if err := db.Apply(ctx, []status.Event{incidentEvent(inc), incidentEvent(bare)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []status.Incident{inc, bare} {
		got, err := db.Incident(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got  %+v\nwant %+v", got, want)
		}
	}
	if _, err := db.Incident(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing incident: %v", err)
	}
	if err := db.DeleteIncident(ctx, "i1"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteIncident(ctx, "i1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// The cascade took the updates with it.
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM incident_updates`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d updates left after delete (%v)", n, err)
	}
}

// TestUpdatesNewestFirst stores updates whose times tie and whose ids sort
// the other way, and expects them back in the order they were given.
func TestUpdatesNewestFirst(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	inc := status.Incident{ID: "i", Name: "x", Status: status.Monitoring, CreatedAt: ms(0)}
	inc.Updates = []status.IncidentUpdate{
		{ID: "a", IncidentID: "i", Status: status.Monitoring, CreatedAt: ms(2000)},
		{ID: "b", IncidentID: "i", Status: status.Identified, CreatedAt: ms(1000)},
		{ID: "c", IncidentID: "i", Status: status.Investigating, CreatedAt: ms(1000)},
		{ID: "d", IncidentID: "i", Status: status.Investigating, CreatedAt: ms(0)},
	}
	if err := db.Apply(ctx, []status.Event{incidentEvent(inc)}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.Incident(ctx, "i")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Updates, inc.Updates) {
		t.Fatalf("got %+v\nwant %+v", got.Updates, inc.Updates)
	}

	// A later event adds one in front; an event that carries only the
	// newest update keeps the older ones.
	newer := status.IncidentUpdate{ID: "e", IncidentID: "i", Status: status.Resolved, CreatedAt: ms(3000)}
	inc.Updates = append([]status.IncidentUpdate{newer}, inc.Updates...)
	if err := db.Apply(ctx, []status.Event{incidentEvent(inc)}, nil); err != nil {
		t.Fatal(err)
	}
	partial := inc
	partial.Updates = inc.Updates[:1]
	if err := db.Apply(ctx, []status.Event{incidentEvent(partial)}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Incident(ctx, "i")
	if !reflect.DeepEqual(got.Updates, inc.Updates) {
		t.Fatalf("after adding: got %+v\nwant %+v", got.Updates, inc.Updates)
	}
}

func TestMaintenanceRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := status.Maintenance{
		ID: "db-upgrade", Name: "Database upgrade", Description: "pg 18", Status: status.Completed,
		Impact: status.UnderMaintenance, Components: []string{"website"}, Start: ms(0),
		Duration: 2*time.Hour + 1500*time.Millisecond, Backfilled: true, Cancelled: true, FromConfig: true, CreatedAt: ms(-5000),
		UpdatedAt: ms(7000), ResolvedAt: ms(7000),
		Updates: []status.MaintenanceUpdate{
			{ID: "3", MaintenanceID: "db-upgrade", Body: "done", Status: status.Completed, CreatedAt: ms(7000), UpdatedAt: ms(7000)},
			{ID: "2", MaintenanceID: "db-upgrade", Body: "started", Status: status.InProgress, CreatedAt: ms(0), UpdatedAt: ms(0)},
			{ID: "1", MaintenanceID: "db-upgrade", Body: "planned", Status: status.NotStartedYet, CreatedAt: ms(-5000)},
		},
	}
	bare := status.Maintenance{ID: "later", Name: "Later", Status: status.NotStartedYet}
	ev := func(m status.Maintenance) status.Event {
		return status.Event{Kind: status.MaintenanceChanged, Maintenance: &m}
	}
	if err := db.Apply(ctx, []status.Event{ev(m), ev(bare)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []status.Maintenance{m, bare} {
		got, err := db.Maintenance(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got  %+v\nwant %+v", got, want)
		}
	}
	if _, err := db.Maintenance(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing maintenance: %v", err)
	}
	if err := db.DeleteMaintenance(ctx, "db-upgrade"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMaintenance(ctx, "db-upgrade"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestUserRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	admin := store.User{ID: "admin", Name: "Admin", Email: "a@example.com", Role: store.Admin,
		TokenHash: []byte{1, 2, 3, 4}, CreatedAt: ms(0), UpdatedAt: ms(1), FromConfig: true}
	viewer := store.User{ID: "v", Role: store.Viewer}
	other := store.User{ID: "w", Role: store.Viewer} // a second user without a token is fine
	for _, u := range []store.User{admin, viewer, other} {
		if err := db.PutUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.User{admin, viewer, other}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	u, err := db.UserByTokenHash(ctx, []byte{1, 2, 3, 4})
	if err != nil || u.ID != "admin" {
		t.Fatalf("by token: %+v, %v", u, err)
	}
	for _, h := range [][]byte{nil, {9}} {
		if _, err := db.UserByTokenHash(ctx, h); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("by token %v: %v, want ErrNotFound", h, err)
		}
	}
	if err := db.PutUser(ctx, store.User{ID: "thief", Role: store.Admin, TokenHash: []byte{1, 2, 3, 4}}); err == nil {
		t.Fatal("two users with one token hash")
	}
	if err := db.DeleteUser(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, "admin"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestSubscriberRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ops := store.Subscriber{ID: "ops", URL: "https://hooks.example/status", Secret: "s3cret",
		Events: []string{"incident", "component"}, Components: []string{"website"}, Token: "tok-ops",
		QuarantinedAt: ms(10), FailingSince: ms(5), Disabled: true, FromConfig: true, CreatedAt: ms(0)}
	bare := store.Subscriber{ID: "bare", URL: "http://localhost/x"}
	for _, s := range []store.Subscriber{ops, bare} {
		if err := db.PutSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Subscriber{ops, bare}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	s, err := db.SubscriberByToken(ctx, "tok-ops")
	if err != nil || !reflect.DeepEqual(s, ops) {
		t.Fatalf("by token: %+v, %v", s, err)
	}
	for _, tok := range []string{"", "nope"} {
		if _, err := db.SubscriberByToken(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("by token %q: %v", tok, err)
		}
	}
	// Clearing the quarantine round-trips to the zero time.
	ops.QuarantinedAt, ops.FailingSince = time.Time{}, time.Time{}
	if err := db.PutSubscriber(ctx, ops); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.SubscriberByToken(ctx, "tok-ops"); !reflect.DeepEqual(s, ops) {
		t.Fatalf("after clearing: %+v", s)
	}
}

func TestMetricPointsRange(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	m := store.Metric{ID: "website.home", Name: "Response time", Unit: "ms"}
	for i := range 10 {
		m.Points = append(m.Points, store.Point{Time: ms(int64(i) * 1000), Value: float64(i) / 4})
	}
	if err := db.PutMetric(ctx, m); err != nil {
		t.Fatal(err)
	}
	// A second put renames, replaces a point and adds one.
	if err := db.PutMetric(ctx, store.Metric{ID: m.ID, Name: "Latency", Unit: "ms", Custom: true,
		Points: []store.Point{{Time: ms(3000), Value: 42}, {Time: ms(10_000), Value: 10}}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Metric(ctx, m.ID, ms(2000), ms(4000))
	if err != nil {
		t.Fatal(err)
	}
	want := store.Metric{ID: m.ID, Name: "Latency", Unit: "ms", Custom: true, Points: []store.Point{
		{Time: ms(2000), Value: 0.5}, {Time: ms(3000), Value: 42}, {Time: ms(4000), Value: 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	all, err := db.Metric(ctx, m.ID, time.Time{}, time.Time{})
	if err != nil || len(all.Points) != 11 {
		t.Fatalf("open range: %d points, %v", len(all.Points), err)
	}
	list, err := db.Metrics(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "Latency" || list[0].Points != nil {
		t.Fatalf("metrics: %+v, %v", list, err)
	}
	if err := db.PutMetric(ctx, store.Metric{ID: "x", Points: []store.Point{{Time: ms(0), Value: math.NaN()}}}); err == nil {
		t.Fatal("NaN point stored")
	}
	if _, err := db.Metric(ctx, "x", time.Time{}, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a failed put left metric x behind: %v", err)
	}
	if err := db.DeleteMetric(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Metric(ctx, m.ID, time.Time{}, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted metric: %v", err)
	}
}

func TestMeta(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.Meta(ctx, "last_seen"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unset key: %v", err)
	}
	for _, v := range []string{"a", "b"} {
		if err := db.SetMeta(ctx, "last_seen", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := db.Meta(ctx, "last_seen"); err != nil || v != "b" {
		t.Fatalf("got %q, %v", v, err)
	}
}
