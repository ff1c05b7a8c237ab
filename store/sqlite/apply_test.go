package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

func TestApplyAtomic(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.Apply(ctx, nil, []store.Delivery{delivery("d1", "ops")}); err != nil {
		t.Fatal(err)
	}
	comp := status.Component{ID: "website", Name: "Website", Status: status.MajorOutage}
	events := []status.Event{
		incidentEvent(incident("i1", ms(0), 2)),
		{Kind: status.ComponentChanged, Component: &comp},
		{Kind: status.PageChanged, Page: status.Page{Status: status.PageHasIssues}},
	}
	// d1 is already in the outbox: the whole step must be refused.
	err := db.Apply(ctx, events, []store.Delivery{delivery("d2", "ops"), delivery("d1", "ops")})
	if err == nil {
		t.Fatal("duplicate delivery id accepted")
	}
	if _, err := db.Incident(ctx, "i1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("incident kept after a failed Apply: %v", err)
	}
	if cs, _ := db.Components(ctx); len(cs) != 0 {
		t.Errorf("component kept after a failed Apply: %+v", cs)
	}
	if _, err := db.Meta(ctx, PageStatusKey); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("page status kept after a failed Apply: %v", err)
	}
	if ds, _ := db.Deliveries(ctx, "", 0); len(ds) != 1 || ds[0].ID != "d1" {
		t.Errorf("outbox after a failed Apply: %+v", ds)
	}
	// A bad event fails the step too, deliveries included.
	err = db.Apply(ctx, []status.Event{{Kind: status.IncidentChanged}}, []store.Delivery{delivery("d3", "ops")})
	if err == nil {
		t.Fatal("incident event without incident accepted")
	}
	if ds, _ := db.Deliveries(ctx, "", 0); len(ds) != 1 {
		t.Errorf("outbox after a failed Apply: %+v", ds)
	}
}

func TestApplyIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	inc := incident("i1", ms(0), 3)
	comp := status.Component{ID: "website", Name: "Website", Status: status.MajorOutage, Checks: []string{"home"}}
	m := status.Maintenance{ID: "m1", Name: "M", Status: status.InProgress, Start: ms(0),
		Updates: []status.MaintenanceUpdate{{ID: "u1", MaintenanceID: "m1", Status: status.InProgress}}}
	events := []status.Event{
		incidentEvent(inc),
		{Kind: status.ComponentChanged, Component: &comp, OldStatus: status.Operational},
		{Kind: status.MaintenanceChanged, Maintenance: &m},
		{Kind: status.PageChanged, Page: status.Page{Status: status.PageUnderMaintenance}, OldPage: status.PageUp},
		{Kind: status.CheckChanged, Check: &status.CheckStatus{ID: "home"}}, // not stored
		{Kind: "something.new"}, // a kind this store does not know is skipped
	}
	for range 3 {
		if err := db.Apply(ctx, events, nil); err != nil {
			t.Fatal(err)
		}
	}
	incs, err := db.Incidents(ctx, store.IncidentFilter{})
	if err != nil || len(incs) != 1 || !reflect.DeepEqual(incs[0], inc) {
		t.Fatalf("incidents: %+v, %v", incs, err)
	}
	cs, err := db.Components(ctx)
	if err != nil || len(cs) != 1 || !reflect.DeepEqual(cs[0], comp) {
		t.Fatalf("components: %+v, %v", cs, err)
	}
	mws, err := db.Maintenances(ctx, store.MaintenanceFilter{})
	if err != nil || len(mws) != 1 || !reflect.DeepEqual(mws[0], m) {
		t.Fatalf("maintenances: %+v, %v", mws, err)
	}
	if v, err := db.Meta(ctx, PageStatusKey); err != nil || v != string(status.PageUnderMaintenance) {
		t.Fatalf("page status %q, %v", v, err)
	}
}

func TestApplyGroupsAndDeletes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	g := status.Group{ID: "web", Name: "Website", Status: status.Operational, Components: []string{"website"}}
	c := status.Component{ID: "website", Name: "Website", Group: "web"}
	inc := incident("i1", ms(0), 2)
	m := status.Maintenance{ID: "m1", Status: status.NotStartedYet,
		Updates: []status.MaintenanceUpdate{{ID: "u1", MaintenanceID: "m1"}}}
	if err := db.Apply(ctx, []status.Event{
		{Kind: status.GroupChanged, Group: &g},
		{Kind: status.ComponentChanged, Component: &c},
		incidentEvent(inc),
		{Kind: status.MaintenanceChanged, Maintenance: &m},
	}, nil); err != nil {
		t.Fatal(err)
	}
	if gs, _ := db.Groups(ctx); len(gs) != 1 || !reflect.DeepEqual(gs[0], g) {
		t.Fatalf("groups: %+v", gs)
	}
	deletes := []status.Event{
		{Kind: status.GroupDeleted, Group: &g},
		{Kind: status.ComponentDeleted, Component: &c},
		{Kind: status.IncidentDeleted, Incident: &inc},
		{Kind: status.MaintenanceDeleted, Maintenance: &m},
	}
	for range 2 { // deleting again is not an error
		if err := db.Apply(ctx, deletes, nil); err != nil {
			t.Fatal(err)
		}
	}
	gs, _ := db.Groups(ctx)
	cs, _ := db.Components(ctx)
	incs, _ := db.Incidents(ctx, store.IncidentFilter{})
	mws, _ := db.Maintenances(ctx, store.MaintenanceFilter{})
	if len(gs)+len(cs)+len(incs)+len(mws) != 0 {
		t.Fatalf("left after deletes: %v %v %v %v", gs, cs, incs, mws)
	}
	var n int
	if err := db.r.QueryRow(`SELECT (SELECT count(*) FROM incident_updates) + (SELECT count(*) FROM maintenance_updates)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d updates left (%v)", n, err)
	}
	for _, kind := range []status.EventKind{status.GroupChanged, status.GroupDeleted, status.ComponentDeleted,
		status.IncidentDeleted, status.MaintenanceChanged, status.MaintenanceDeleted, status.ComponentChanged} {
		if err := db.Apply(ctx, []status.Event{{Kind: kind}}, nil); err == nil {
			t.Errorf("%s event without its object accepted", kind)
		}
	}
}

func TestApplyDeliveryDefaults(t *testing.T) {
	ctx := context.Background()
	now := ms(60_000)
	db := openTest(t, WithClock(func() time.Time { return now }))
	d := delivery("d1", "ops")
	if err := db.Apply(ctx, nil, []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Deliveries(ctx, store.Pending, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v, %v", got, err)
	}
	d.Seq, d.State, d.CreatedAt, d.NextAttempt = got[0].Seq, store.Pending, now, now
	if !reflect.DeepEqual(got[0], d) || d.Seq == 0 {
		t.Fatalf("got %+v\nwant %+v", got[0], d)
	}
	for _, bad := range []store.Delivery{{Subscriber: "ops"}, {ID: "x"}, {ID: "y", Subscriber: "ops", State: "lost"}} {
		if err := db.Apply(ctx, nil, []store.Delivery{bad}); err == nil {
			t.Errorf("delivery %+v accepted", bad)
		}
	}
}

func TestIncidentFilters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	open := incident("open", ms(3000), 1)
	open.Components = []string{"website"}
	old := incident("old", ms(1000), 1)
	old.Status, old.ResolvedAt, old.Components = status.Resolved, ms(2000), []string{"website"}
	recent := incident("recent", ms(2000), 1)
	recent.Status, recent.ResolvedAt, recent.Components = status.Resolved, ms(5000), []string{"api"}
	if err := db.Apply(ctx, []status.Event{incidentEvent(old), incidentEvent(open), incidentEvent(recent)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    store.IncidentFilter
		want []string
	}{
		{"all, newest first", store.IncidentFilter{}, []string{"open", "recent", "old"}},
		{"open only", store.IncidentFilter{OpenOnly: true}, []string{"open"}},
		{"component", store.IncidentFilter{Component: "website"}, []string{"open", "old"}},
		{"component matches whole ids", store.IncidentFilter{Component: "web"}, nil},
		{"since", store.IncidentFilter{Since: ms(3000)}, []string{"open", "recent"}},
		{"limit", store.IncidentFilter{Limit: 2}, []string{"open", "recent"}},
		{"combined", store.IncidentFilter{Component: "website", Since: ms(3000)}, []string{"open"}},
	} {
		got, err := db.Incidents(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, i := range got {
			ids = append(ids, i.ID)
			if len(i.Updates) != 1 {
				t.Errorf("%s: %s has %d updates", tc.name, i.ID, len(i.Updates))
			}
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func TestMaintenanceFilters(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var events []status.Event
	for _, m := range []status.Maintenance{
		{ID: "past", Status: status.Completed, Start: ms(0)},
		{ID: "now", Status: status.InProgress, Start: ms(1000)},
		{ID: "next", Status: status.NotStartedYet, Start: ms(2000)},
	} {
		events = append(events, status.Event{Kind: status.MaintenanceChanged, Maintenance: &m})
	}
	if err := db.Apply(ctx, events, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    store.MaintenanceFilter
		want []string
	}{
		{store.MaintenanceFilter{}, []string{"next", "now", "past"}},
		{store.MaintenanceFilter{NotCompleted: true}, []string{"next", "now"}},
		{store.MaintenanceFilter{Limit: 1}, []string{"next"}},
	} {
		got, err := db.Maintenances(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.f, ids, tc.want)
		}
	}
}
