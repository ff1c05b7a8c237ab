package status

import (
	"reflect"
	"testing"
	"time"
)

// follower mirrors a harness's engine the way another instance does:
// from a snapshot, then by the stored events and the checks' states.
type follower struct {
	t *testing.T
	f *Follow
}

func (fl *follower) catchUp(h *harness, events []Event) {
	fl.t.Helper()
	var stored []Event
	for _, ev := range events {
		if ev.Kind != CheckChanged && ev.Kind != CheckDeleted {
			stored = append(stored, ev)
		}
	}
	fl.f.Apply(h.now, stored, h.e.Snapshot().Checks)
	want, got := h.e.Snapshot(), fl.f.Snapshot()
	if !reflect.DeepEqual(got, want) {
		fl.t.Fatalf("follower disagrees with the engine\n got %+v\nwant %+v", got, want)
	}
}

func TestFollowAgreesWithTheEngine(t *testing.T) {
	spec := webSpec()
	spec.KeepResolved = 2
	h := newHarness(t, spec)
	fl := &follower{t: t, f: NewFollow(h.e.Snapshot(), spec)}

	// An outage opens an incident; recovery resolves it.
	h.observe("website.home", Fail, Fail, Fail)
	h.observe("website.ping", Fail, Fail, Fail)
	fl.catchUp(h, h.all)
	h.all = nil
	h.observe("website.home", OK, OK)
	h.observe("website.ping", OK, OK)
	h.tick(6 * time.Minute)
	fl.catchUp(h, h.all)
	h.all = nil

	// People's changes: an incident, a component, a window, deletes.
	_, ev, err := h.e.PutIncident(h.now, IncidentInput{Name: "Slow logins", Components: []string{"support"}})
	if err != nil {
		t.Fatal(err)
	}
	c, ev2, err := h.e.PutComponent(h.now, ComponentInput{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	m, ev3, err := h.e.PutMaintenance(h.now, MaintenanceInput{Name: "Upgrade", Components: []string{"website"}, Start: h.now.Add(time.Minute), Duration: time.Minute, Impact: UnderMaintenance})
	if err != nil {
		t.Fatal(err)
	}
	fl.catchUp(h, append(append(ev, ev2...), ev3...))
	h.tick(90 * time.Second) // the window starts and completes
	fl.catchUp(h, h.all)
	h.all = nil
	ev, err = h.e.DeleteComponent(h.now, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev2, err = h.e.DeleteMaintenance(h.now, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	fl.catchUp(h, append(ev, ev2...))

	// More incidents than the cap: the follower lets go of the same ones.
	for range 3 {
		h.observe("website.home", Fail, Fail, Fail)
		h.observe("website.ping", Fail, Fail, Fail)
		h.observe("website.home", OK, OK)
		h.observe("website.ping", OK, OK)
		h.tick(6 * time.Minute)
		h.tick(time.Hour) // past reopen_within, so each outage is a new incident
	}
	fl.catchUp(h, h.all)
}

func TestFollowDerivesCheckEventsAndIgnoresUnknownChecks(t *testing.T) {
	spec := webSpec()
	h := newHarness(t, spec)
	f := NewFollow(h.e.Snapshot(), spec)
	before := f.Snapshot()
	ev := f.Apply(t0, nil, []CheckStatus{
		{ID: "website.home", Component: "website", State: CheckDown, LastResult: t0},
		{ID: "website.other", Component: "website", State: CheckDown},
	})
	if len(ev) != 1 || ev[0].Kind != CheckChanged || ev[0].Check.ID != "website.home" || ev[0].OldCheck != CheckUnknown {
		t.Fatalf("derived %+v, want one CheckChanged for website.home", ev)
	}
	if got := f.Snapshot().Checks; len(got) != len(before.Checks) || got[0].State != CheckDown {
		t.Fatalf("checks = %+v", got)
	}
	if before.Checks[0].State != CheckUnknown {
		t.Fatal("Apply changed an earlier snapshot")
	}
	if ev := f.Apply(t0, nil, []CheckStatus{{ID: "website.home", Component: "website", State: CheckDown, LastResult: t0.Add(time.Second)}}); len(ev) != 0 {
		t.Fatalf("a result without a state change derived %+v", ev)
	}
}
