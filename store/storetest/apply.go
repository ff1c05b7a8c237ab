package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/up-status/up/status"
	"github.com/up-status/up/store"
)

func testApplyAtomic(t *testing.T, db store.Store) {
	ctx := context.Background()
	if err := db.Apply(ctx, nil, []store.Delivery{Delivery("d1", "ops")}); err != nil {
		t.Fatal(err)
	}
	comp := status.Component{ID: "website", Name: "Website", Status: status.MajorOutage}
	events := []status.Event{
		IncidentEvent(Incident("i1", At(0), 2)),
		{Kind: status.ComponentChanged, Component: &comp},
		{Kind: status.PageChanged, Page: status.Page{Status: status.PageHasIssues}},
	}
	// d1 is already in the outbox: the whole step must be refused.
	err := db.Apply(ctx, events, []store.Delivery{Delivery("d2", "ops"), Delivery("d1", "ops")})
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
	err = db.Apply(ctx, []status.Event{{Kind: status.IncidentChanged}}, []store.Delivery{Delivery("d3", "ops")})
	if err == nil {
		t.Fatal("incident event without incident accepted")
	}
	if ds, _ := db.Deliveries(ctx, "", 0); len(ds) != 1 {
		t.Errorf("outbox after a failed Apply: %+v", ds)
	}
}

func testApplyIdempotent(t *testing.T, db store.Store) {
	ctx := context.Background()
	inc := Incident("i1", At(0), 3)
	comp := status.Component{ID: "website", Name: "Website", Status: status.MajorOutage, Checks: []string{"home"}}
	m := status.Maintenance{ID: "m1", Name: "M", Status: status.InProgress, Start: At(0),
		Updates: []status.MaintenanceUpdate{{ID: "u1", MaintenanceID: "m1", Status: status.InProgress}}}
	events := []status.Event{
		IncidentEvent(inc),
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

func testApplyGroupsAndDeletes(t *testing.T, db store.Store) {
	ctx := context.Background()
	g := status.Group{ID: "web", Name: "Website", Status: status.Operational, Components: []string{"website"}}
	c := status.Component{ID: "website", Name: "Website", Group: "web"}
	inc := Incident("i1", At(0), 2)
	m := status.Maintenance{ID: "m1", Status: status.NotStartedYet,
		Updates: []status.MaintenanceUpdate{{ID: "u1", MaintenanceID: "m1"}}}
	if err := db.Apply(ctx, []status.Event{
		{Kind: status.GroupChanged, Group: &g},
		{Kind: status.ComponentChanged, Component: &c},
		IncidentEvent(inc),
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
	// The updates went with their objects: stored again without
	// updates, neither brings the old ones back (an upsert keeps the
	// updates it finds stored).
	inc.Updates, m.Updates = nil, nil
	if err := db.Apply(ctx, []status.Event{IncidentEvent(inc), {Kind: status.MaintenanceChanged, Maintenance: &m}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Incident(ctx, inc.ID); err != nil || got.Updates != nil {
		t.Fatalf("incident stored again after its delete: %d updates, %v", len(got.Updates), err)
	}
	if got, err := db.Maintenance(ctx, m.ID); err != nil || got.Updates != nil {
		t.Fatalf("maintenance stored again after its delete: %d updates, %v", len(got.Updates), err)
	}
	for _, kind := range []status.EventKind{status.GroupChanged, status.GroupDeleted, status.ComponentDeleted,
		status.IncidentDeleted, status.MaintenanceChanged, status.MaintenanceDeleted, status.ComponentChanged} {
		if err := db.Apply(ctx, []status.Event{{Kind: kind}}, nil); err == nil {
			t.Errorf("%s event without its object accepted", kind)
		}
	}
}

// testApplyDeliveryDefaults: a delivery without state, creation time
// and next attempt is pending, created now and due at once.
func testApplyDeliveryDefaults(t *testing.T, db store.Store) {
	ctx := context.Background()
	d := Delivery("d1", "ops")
	before := time.Now().Truncate(time.Millisecond)
	if err := db.Apply(ctx, nil, []store.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, err := db.Deliveries(ctx, store.Pending, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v, %v", got, err)
	}
	now := got[0].CreatedAt
	if now.Before(before) || now.After(after) || now.Location() != time.UTC {
		t.Fatalf("CreatedAt %v, want now (between %v and %v) in UTC", now, before, after)
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

func testIncidentFilters(t *testing.T, db store.Store) {
	ctx := context.Background()
	open := Incident("open", At(3000), 1)
	open.Components = []string{"website"}
	old := Incident("old", At(1000), 1)
	old.Status, old.ResolvedAt, old.Components = status.Resolved, At(2000), []string{"website"}
	recent := Incident("recent", At(2000), 1)
	recent.Status, recent.ResolvedAt, recent.Components = status.Resolved, At(5000), []string{"api"}
	if err := db.Apply(ctx, []status.Event{IncidentEvent(old), IncidentEvent(open), IncidentEvent(recent)}, nil); err != nil {
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
		{"since", store.IncidentFilter{Since: At(3000)}, []string{"open", "recent"}},
		{"limit", store.IncidentFilter{Limit: 2}, []string{"open", "recent"}},
		{"combined", store.IncidentFilter{Component: "website", Since: At(3000)}, []string{"open"}},
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

func testMaintenanceFilters(t *testing.T, db store.Store) {
	ctx := context.Background()
	var events []status.Event
	for _, m := range []status.Maintenance{
		{ID: "past", Status: status.Completed, Start: At(0)},
		{ID: "now", Status: status.InProgress, Start: At(1000)},
		{ID: "next", Status: status.NotStartedYet, Start: At(2000)},
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

// testIncidentPages walks all incidents a page at a time with Before, as
// GET /incidents?before= does: every incident once, newest first, also
// where two were created in the same millisecond.
func testIncidentPages(t *testing.T, db store.Store) {
	ctx := context.Background()
	var events []status.Event
	var want []string
	for i := 9; i >= 0; i-- {
		// i and i+1 share a creation time in pairs, so the id breaks ties.
		inc := Incident(fmt.Sprintf("i%02d", i), At(int64(i/2)*1000), 1)
		events = append(events, IncidentEvent(inc))
	}
	if err := db.Apply(ctx, events, nil); err != nil {
		t.Fatal(err)
	}
	for i := 9; i >= 0; i-- {
		want = append(want, fmt.Sprintf("i%02d", i))
	}
	var got []string
	var key store.IncidentKey
	for page := 0; page < 10; page++ {
		list, err := db.Incidents(ctx, store.IncidentFilter{Before: key, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range list {
			got = append(got, inc.ID)
		}
		if len(list) < 3 {
			break
		}
		last := list[len(list)-1]
		key = store.IncidentKey{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pages gave %v, want %v", got, want)
	}
}
