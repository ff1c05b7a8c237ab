package status

import (
	"testing"
	"time"
)

func TestComponentStatusByHand(t *testing.T) {
	h := newHarness(t, maintSpec())
	set := func(id string, st ComponentStatus, until time.Time) (Component, error) {
		h.t.Helper()
		c, ev, err := h.e.SetComponentStatus(h.now, id, st, until)
		h.record(ev)
		return c, err
	}
	// Without checks: a plain set that stays.
	c, err := set("support", MajorOutage, time.Time{})
	if err != nil || c.Status != MajorOutage || c.Override != "" {
		t.Fatalf("%+v %v", c, err)
	}
	h.do("tick 1h")
	if h.status("support") != MajorOutage || len(h.openAuto("support")) != 0 {
		t.Errorf("support %s", h.status("support"))
	}
	if _, err := set("support", "", time.Time{}); !errorsIs(err, ErrInvalid) {
		t.Errorf("empty status on a check-less component: %v", err)
	}

	// With checks: an override that wins, opens nothing, and expires.
	h = newHarness(t, webSpec())
	h.do("home o", "ping o")
	until := h.now.Add(10 * time.Minute)
	c, err = set("website", MajorOutage, until)
	if err != nil || c.Status != MajorOutage || c.Override != MajorOutage || !c.OverrideUntil.Equal(until) {
		t.Fatalf("%+v %v", c, err)
	}
	if len(h.openAuto("website")) != 0 {
		t.Error("an override opened an incident")
	}
	h.do("home fff")
	if h.status("website") != MajorOutage {
		t.Error("checks beat the override")
	}
	h.until(until)
	c, _ = h.e.Component("website")
	if c.Status != PartialOutage || c.Override != "" || !c.OverrideUntil.IsZero() {
		t.Fatalf("after expiry %+v", c)
	}
	if h.only("website").Status != Investigating {
		t.Error("no incident once the checks decide again")
	}

	// Setting OPERATIONAL by hand while an incident is open: it follows.
	c, _ = set("website", Operational, time.Time{})
	if h.only("website").Status != Monitoring {
		t.Errorf("incident %s under an OPERATIONAL override", h.only("website").Status)
	}
	// Same override again changes nothing; clearing gives the checks back.
	if _, ev, _ := h.e.SetComponentStatus(h.now, "website", Operational, time.Time{}); len(ev) != 0 {
		t.Errorf("repeat gave %v", kinds(ev))
	}
	c, _ = set("website", "", time.Time{})
	if c.Status != PartialOutage || c.Override != "" {
		t.Errorf("cleared %+v", c)
	}
	if h.only("website").Status != Investigating {
		t.Error("incident did not follow the checks back")
	}

	// An override wins over maintenance too.
	h = newHarness(t, maintSpec())
	h.until(t0.Add(time.Hour))
	set("website", MajorOutage, time.Time{})
	if h.status("website") != MajorOutage {
		t.Errorf("maintenance beat the override")
	}

	// A status-only change (override equal to the current status) still
	// reaches the store.
	h = newHarness(t, webSpec())
	_, ev, _ := h.e.SetComponentStatus(h.now, "website", Operational, time.Time{})
	if len(ofKind(ev, ComponentChanged)) != 1 || ofKind(ev, ComponentChanged)[0].Component.Override != Operational {
		t.Errorf("override event %v", kinds(ev))
	}

	for name, f := range map[string]func() error{
		"unknown component": func() error { _, err := set("nope", Operational, time.Time{}); return err },
		"unknown status":    func() error { _, err := set("website", "BAD", time.Time{}); return err },
		"until in the past": func() error { _, err := set("website", MajorOutage, h.now.Add(-time.Second)); return err },
	} {
		err := f()
		if name == "unknown component" && !errorsIs(err, ErrNotFound) || name != "unknown component" && !errorsIs(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestComponentsAndGroupsByHand(t *testing.T) {
	h := newHarness(t, webSpec())
	c, ev, err := h.e.PutComponent(h.now, ComponentInput{ID: "cdn", Name: "CDN", Group: "web", Status: DegradedPerformance})
	h.record(ev)
	if err != nil || c.Status != DegradedPerformance || c.FromConfig || len(ofKind(ev, ComponentChanged)) != 1 || len(ofKind(ev, GroupChanged)) != 1 {
		t.Fatalf("%+v %v %v", c, kinds(ev), err)
	}
	if ev := ofKind(ev, ComponentChanged); ev[0].OldStatus != "" {
		t.Errorf("creation old status %q", ev[0].OldStatus)
	}
	// Sending back what was read pins nothing.
	c, ev, _ = h.e.PutComponent(h.now, ComponentInput{ID: "cdn", Description: "Edge caches", Status: DegradedPerformance})
	h.record(ev)
	if c.Description != "Edge caches" || len(ev) != 1 || ev[0].OldStatus != DegradedPerformance {
		t.Errorf("%+v %v", c, kinds(ev))
	}
	// A config component takes only a status.
	if _, _, err := h.e.PutComponent(h.now, ComponentInput{ID: "website", Name: "Web"}); !errorsIs(err, ErrConflict) {
		t.Errorf("rename config component: %v", err)
	}
	c, ev, err = h.e.PutComponent(h.now, ComponentInput{ID: "website", Name: "Website", Status: MajorOutage})
	h.record(ev)
	if err != nil || c.Override != MajorOutage || len(ofKind(ev, ComponentChanged)) != 1 {
		t.Errorf("%+v %v %v", c, kinds(ev), err)
	}
	if _, err := h.e.DeleteComponent(h.now, "website"); !errorsIs(err, ErrConflict) {
		t.Errorf("delete config component: %v", err)
	}
	if _, _, err := h.e.PutComponent(h.now, ComponentInput{ID: "x", Name: "x", Group: "nope"}); !errorsIs(err, ErrInvalid) {
		t.Errorf("unknown group: %v", err)
	}
	if _, _, err := h.e.PutComponent(h.now, ComponentInput{ID: "x"}); !errorsIs(err, ErrInvalid) {
		t.Errorf("no name: %v", err)
	}

	g, ev, err := h.e.PutGroup(h.now, GroupInput{ID: "edge", Name: "Edge"})
	h.record(ev)
	if err != nil || g.Status != Operational || len(ofKind(ev, GroupChanged)) != 1 {
		t.Fatalf("%+v %v", g, err)
	}
	_, ev, _ = h.e.PutComponent(h.now, ComponentInput{ID: "cdn", Group: "edge"})
	h.record(ev)
	s := h.e.Snapshot()
	if s.Groups[1].Status != DegradedPerformance || len(s.Groups[0].Components) != 2 {
		t.Errorf("groups after move %+v", s.Groups)
	}
	if _, err := h.e.DeleteGroup(h.now, "edge"); !errorsIs(err, ErrConflict) {
		t.Errorf("delete non-empty group: %v", err)
	}
	if _, _, err := h.e.PutGroup(h.now, GroupInput{ID: "web", Name: "Other"}); !errorsIs(err, ErrConflict) {
		t.Errorf("rename config group: %v", err)
	}
	ev, err = h.e.DeleteComponent(h.now, "cdn")
	h.record(ev)
	if err != nil || len(ofKind(ev, ComponentDeleted)) != 1 {
		t.Errorf("delete component %v %v", kinds(ev), err)
	}
	ev, err = h.e.DeleteGroup(h.now, "edge")
	h.record(ev)
	if err != nil || len(ofKind(ev, GroupDeleted)) != 1 {
		t.Errorf("delete group %v %v", kinds(ev), err)
	}
	for _, err := range []error{
		second(h.e.DeleteGroup(h.now, "edge")),
		second(h.e.DeleteGroup(h.now, "web")),
		second(h.e.DeleteComponent(h.now, "cdn")),
	} {
		if !errorsIs(err, ErrNotFound) && !errorsIs(err, ErrConflict) {
			t.Errorf("%v", err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestHandSetStatusBeatsMaintenance: on a component without checks, a
// status set by hand wins over a window in progress, as an override
// does on a component with checks; OPERATIONAL, what such a component
// says while nobody reported a problem, lets the window show. The same
// holds across a restart.
func TestHandSetStatusBeatsMaintenance(t *testing.T) {
	spec := webSpec()
	spec.Maintenance = []MaintenanceSpec{{ID: "phones", Name: "Phone system", Components: []string{"support"}, Start: t0.Add(time.Minute), Duration: time.Hour}}
	h := newHarness(t, spec)
	set := func(st ComponentStatus) {
		t.Helper()
		_, ev, err := h.e.SetComponentStatus(h.now, "support", st, time.Time{})
		h.record(ev)
		if err != nil {
			t.Fatal(err)
		}
	}
	h.tick(2 * time.Minute)
	if h.status("support") != UnderMaintenance {
		t.Fatalf("support %s in its window", h.status("support"))
	}
	set(MajorOutage)
	if h.status("support") != MajorOutage {
		t.Errorf("set to MAJOROUTAGE by hand during the window: shows %s", h.status("support"))
	}
	if len(ofKind(h.events, ComponentChanged)) != 1 || h.e.Page().Status != PageHasIssues {
		t.Errorf("events %v, page %+v", kinds(h.events), h.e.Page())
	}
	h.restart(spec, time.Minute)
	if h.status("support") != MajorOutage {
		t.Errorf("after a restart during the window: %s", h.status("support"))
	}
	set(Operational)
	if h.status("support") != UnderMaintenance {
		t.Errorf("set back to OPERATIONAL during the window: %s", h.status("support"))
	}
	set(DegradedPerformance)
	h.tick(time.Hour)
	if m := h.window("phones"); m.Status != Completed || h.status("support") != DegradedPerformance {
		t.Errorf("after the window (%s): support %s", m.Status, h.status("support"))
	}
}
