package storetest

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

// testPersistedFields fails when a domain type gains a field, so that
// whoever adds it also teaches the store to keep it (and extends the
// round-trip tests below).
func testPersistedFields(t *testing.T, _ store.Store) {
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

func testComponentRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
	full := status.Component{
		ID: "website", Name: "Website", Description: "The shop", Group: "web",
		Status: status.PartialOutage, Checks: []string{"home", "tls-port", "ping"},
		Override: status.MajorOutage, OverrideUntil: At(5000), CreatedAt: At(0), UpdatedAt: At(1),
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

func testGroupRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
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

func testIncidentRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
	inc := Incident("i1", At(0), 3)
	inc.Status = status.Resolved
	inc.ResolvedAt = At(9000)
	inc.Backfilled = true
	inc.ByHand = true
	bare := status.Incident{ID: "i2", Name: "Manual", Status: status.Identified} // zero times, no updates
	if err := db.Apply(ctx, []status.Event{IncidentEvent(inc), IncidentEvent(bare)}, nil); err != nil {
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
	// The updates went with it: stored again without updates, the
	// incident does not get the old ones back.
	inc.Updates = nil
	if err := db.Apply(ctx, []status.Event{IncidentEvent(inc)}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Incident(ctx, "i1"); err != nil || got.Updates != nil {
		t.Fatalf("updates left after delete: %+v, %v", got.Updates, err)
	}
}

// testUpdatesNewestFirst stores updates whose times tie and whose ids sort
// the other way, and expects them back in the order they were given.
func testUpdatesNewestFirst(t *testing.T, db store.Store) {
	ctx := context.Background()
	inc := status.Incident{ID: "i", Name: "x", Status: status.Monitoring, CreatedAt: At(0)}
	inc.Updates = []status.IncidentUpdate{
		{ID: "a", IncidentID: "i", Status: status.Monitoring, CreatedAt: At(2000)},
		{ID: "b", IncidentID: "i", Status: status.Identified, CreatedAt: At(1000)},
		{ID: "c", IncidentID: "i", Status: status.Investigating, CreatedAt: At(1000)},
		{ID: "d", IncidentID: "i", Status: status.Investigating, CreatedAt: At(0)},
	}
	if err := db.Apply(ctx, []status.Event{IncidentEvent(inc)}, nil); err != nil {
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
	newer := status.IncidentUpdate{ID: "e", IncidentID: "i", Status: status.Resolved, CreatedAt: At(3000)}
	inc.Updates = append([]status.IncidentUpdate{newer}, inc.Updates...)
	if err := db.Apply(ctx, []status.Event{IncidentEvent(inc)}, nil); err != nil {
		t.Fatal(err)
	}
	partial := inc
	partial.Updates = inc.Updates[:1]
	if err := db.Apply(ctx, []status.Event{IncidentEvent(partial)}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Incident(ctx, "i")
	if !reflect.DeepEqual(got.Updates, inc.Updates) {
		t.Fatalf("after adding: got %+v\nwant %+v", got.Updates, inc.Updates)
	}
}

func testMaintenanceRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
	m := status.Maintenance{
		ID: "db-upgrade", Name: "Database upgrade", Description: "pg 18", Status: status.Completed,
		Impact: status.UnderMaintenance, Components: []string{"website"}, Start: At(0),
		Duration: 2*time.Hour + 1500*time.Millisecond, Backfilled: true, Cancelled: true, FromConfig: true, CreatedAt: At(-5000),
		UpdatedAt: At(7000), ResolvedAt: At(7000),
		Updates: []status.MaintenanceUpdate{
			{ID: "3", MaintenanceID: "db-upgrade", Body: "done", Status: status.Completed, CreatedAt: At(7000), UpdatedAt: At(7000)},
			{ID: "2", MaintenanceID: "db-upgrade", Body: "started", Status: status.InProgress, CreatedAt: At(0), UpdatedAt: At(0)},
			{ID: "1", MaintenanceID: "db-upgrade", Body: "planned", Status: status.NotStartedYet, CreatedAt: At(-5000)},
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

func testUserRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
	admin := store.User{ID: "admin", Name: "Admin", Email: "a@example.com", Role: store.Admin,
		TokenHash: []byte{1, 2, 3, 4}, CreatedAt: At(0), UpdatedAt: At(1), FromConfig: true}
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

func testSubscriberRoundTrip(t *testing.T, db store.Store) {
	ctx := context.Background()
	ops := store.Subscriber{ID: "ops", URL: "https://hooks.example/status", Secret: "s3cret",
		Events: []string{"incident", "component"}, Components: []string{"website"}, Token: "tok-ops",
		QuarantinedAt: At(10), FailingSince: At(5), Disabled: true, FromConfig: true, CreatedAt: At(0)}
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

func testMetricPointsRange(t *testing.T, db store.Store) {
	ctx := context.Background()
	m := store.Metric{ID: "website.home", Name: "Response time", Unit: "ms"}
	for i := range 10 {
		m.Points = append(m.Points, store.Point{Time: At(int64(i) * 1000), Value: float64(i) / 4})
	}
	if err := db.PutMetric(ctx, m); err != nil {
		t.Fatal(err)
	}
	// A second put renames, replaces a point and adds one.
	if err := db.PutMetric(ctx, store.Metric{ID: m.ID, Name: "Latency", Unit: "ms", Custom: true,
		Points: []store.Point{{Time: At(3000), Value: 42}, {Time: At(10_000), Value: 10}}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Metric(ctx, m.ID, At(2000), At(4000))
	if err != nil {
		t.Fatal(err)
	}
	want := store.Metric{ID: m.ID, Name: "Latency", Unit: "ms", Custom: true, Points: []store.Point{
		{Time: At(2000), Value: 0.5}, {Time: At(3000), Value: 42}, {Time: At(4000), Value: 1}}}
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
	if err := db.PutMetric(ctx, store.Metric{ID: "x", Points: []store.Point{{Time: At(0), Value: math.NaN()}}}); err == nil {
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

func testMeta(t *testing.T, db store.Store) {
	ctx := context.Background()
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

// testTimesMillisecondsUTC: every time comes back in UTC at millisecond
// precision, whatever zone and precision it was given in, and the zero
// time stays the zero time.
func testTimesMillisecondsUTC(t *testing.T, db store.Store) {
	ctx := context.Background()
	given := time.Date(2026, 11, 26, 22, 14, 42, 123_456_789, time.FixedZone("CET", 3600))
	want := time.Date(2026, 11, 26, 21, 14, 42, 123_000_000, time.UTC)
	if err := db.PutComponent(ctx, status.Component{ID: "c", Name: "C", CreatedAt: given, UpdatedAt: given}); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Components(ctx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("components: %+v, %v", cs, err)
	}
	if cs[0].CreatedAt != want || cs[0].UpdatedAt != want || !cs[0].OverrideUntil.IsZero() {
		t.Fatalf("times read back as %v, %v, %v; want %v, %v and zero",
			cs[0].CreatedAt, cs[0].UpdatedAt, cs[0].OverrideUntil, want, want)
	}
	// A delivery is due at its own NextAttempt, sub-milliseconds and all.
	d := Delivery("d", "ops")
	d.CreatedAt, d.NextAttempt = given, given
	if err := db.Apply(ctx, nil, []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Due(ctx, "ops", given, 0); err != nil || len(got) != 1 || got[0].NextAttempt != want {
		t.Fatalf("due at its NextAttempt: %+v, %v", got, err)
	}
	if next, ok, err := db.NextDue(ctx, "ops"); err != nil || !ok || next != want {
		t.Fatalf("next due %v %v %v, want %v", next, ok, err, want)
	}
	if err := db.PutMetric(ctx, store.Metric{ID: "m", Points: []store.Point{{Time: given, Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	if m, err := db.Metric(ctx, "m", given, given); err != nil || len(m.Points) != 1 || m.Points[0].Time != want {
		t.Fatalf("point read back as %+v, %v", m.Points, err)
	}
}
