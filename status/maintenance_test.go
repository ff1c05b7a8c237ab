package status

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func maintSpec() Spec {
	s := webSpec()
	s.Maintenance = []MaintenanceSpec{{
		ID: "db-upgrade", Name: "Database upgrade", Components: []string{"website"},
		Start: t0.Add(time.Hour), Duration: 2 * time.Hour,
	}}
	return s
}

func (h *harness) window(id string) Maintenance {
	h.t.Helper()
	m, ok := h.e.Maintenance(id)
	if !ok {
		h.t.Fatalf("no maintenance %q", id)
	}
	return m
}

// until ticks once a second up to t.
func (h *harness) until(t time.Time) {
	h.t.Helper()
	h.tick(t.Sub(h.now))
}

func TestMaintenanceLifecycle(t *testing.T) {
	h := newHarness(t, maintSpec())
	m := h.window("db-upgrade")
	if m.Status != NotStartedYet || len(m.Updates) != 1 || !m.FromConfig || m.Impact != UnderMaintenance {
		t.Fatalf("new window %+v", m)
	}
	h.do("home o", "ping o")
	h.until(t0.Add(time.Hour))
	if got := kinds(h.events); !slices.Equal(got, []EventKind{MaintenanceChanged, ComponentChanged, GroupChanged, PageChanged}) {
		t.Fatalf("start events %v", got)
	}
	if m := h.window("db-upgrade"); m.Status != InProgress || len(m.Updates) != 2 || m.Updates[0].Status != InProgress {
		t.Fatalf("started window %+v", m)
	}
	if h.status("website") != UnderMaintenance || h.e.Page().Status != PageUnderMaintenance {
		t.Fatalf("website %s page %+v", h.status("website"), h.e.Page())
	}
	h.until(t0.Add(3 * time.Hour))
	m = h.window("db-upgrade")
	if m.Status != Completed || len(m.Updates) != 3 || !m.ResolvedAt.Equal(t0.Add(3*time.Hour)) || m.Cancelled {
		t.Fatalf("ended window %+v", m)
	}
	if h.status("website") != Operational || h.e.Page().Status != PageUp {
		t.Fatalf("website %s page %+v after the window", h.status("website"), h.e.Page())
	}
}

func TestMaintenanceAndIncidents(t *testing.T) {
	start, end := t0.Add(time.Hour), t0.Add(3*time.Hour)
	tests := []struct {
		name  string
		steps []func(h *harness)
		check func(t *testing.T, h *harness)
	}{
		{"failing during maintenance opens nothing, checks still move", []func(h *harness){
			func(h *harness) { h.do("home o", "ping o"); h.until(start) },
			func(h *harness) { h.do("home fff", "ping fff") },
		}, func(t *testing.T, h *harness) {
			if h.state("website.home") != CheckDown || h.status("website") != UnderMaintenance || len(h.openAuto("website")) != 0 {
				t.Errorf("home %s website %s incidents %d", h.state("website.home"), h.status("website"), len(h.openAuto("website")))
			}
		}},
		{"still failing when the window ends opens an incident", []func(h *harness){
			func(h *harness) { h.do("home o", "ping o"); h.until(start) },
			func(h *harness) { h.do("home fff"); h.until(end) },
		}, func(t *testing.T, h *harness) {
			if h.status("website") != PartialOutage || h.only("website").Status != Investigating {
				t.Errorf("website %s", h.status("website"))
			}
		}},
		{"a result after the start, before any tick, sees the window", []func(h *harness){
			func(h *harness) { h.do("home o", "ping o"); h.now = start.Add(-time.Second) },
			func(h *harness) { h.do("home fff") },
		}, func(t *testing.T, h *harness) {
			if h.status("website") != UnderMaintenance || len(h.openAuto("website")) != 0 {
				t.Errorf("website %s", h.status("website"))
			}
		}},
		{"an open incident is paused by a window and resumed after", []func(h *harness){
			func(h *harness) { h.do("home o", "ping o", "home fff"); h.until(start) },
			func(h *harness) {
				inc := h.only("website")
				if inc.Status != Investigating || inc.Updates[0].Body != "Website is under maintenance (Database upgrade)." {
					h.t.Fatalf("incident at start %s %q", inc.Status, inc.Updates[0].Body)
				}
				h.do("home oo", "tick 30m")
				if h.only("website").Status != Investigating {
					h.t.Fatal("incident moved during maintenance")
				}
				h.until(end)
				if inc := h.only("website"); inc.Status != Monitoring {
					h.t.Fatalf("after the window: %s", inc.Status)
				}
				h.do("tick 5m")
			},
		}, func(t *testing.T, h *harness) {
			if len(h.openAuto("website")) != 0 {
				t.Error("not resolved 5m after the window")
			}
		}},
		{"monitoring is not resolved during a window", []func(h *harness){
			func(h *harness) {
				h.do("home o", "ping o", "home fff", "home oo")
				h.now = start.Add(-2 * time.Minute)
				h.do("tick 1m")
			},
			func(h *harness) { h.until(end) },
		}, func(t *testing.T, h *harness) {
			if inc := h.only("website"); inc.Status != Monitoring {
				t.Errorf("incident %s", inc.Status)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, maintSpec())
			for _, s := range tt.steps {
				s(h)
			}
			tt.check(t, h)
		})
	}
}

func TestMaintenanceByHand(t *testing.T) {
	h := newHarness(t, webSpec())
	put := func(in MaintenanceInput) (Maintenance, error) {
		h.t.Helper()
		m, ev, err := h.e.PutMaintenance(h.now, in)
		h.record(ev)
		return m, err
	}
	// Scheduled, then cancelled.
	m, err := put(MaintenanceInput{Name: "Move racks", Components: []string{"website"}, Start: t0.Add(time.Hour), Duration: time.Hour})
	if err != nil || m.Status != NotStartedYet || m.ID == "" || m.Impact != UnderMaintenance || len(m.Updates) != 1 {
		t.Fatalf("%+v %v", m, err)
	}
	if _, _, err := h.e.CompleteMaintenance(h.now, m.ID, ""); !errorsIs(err, ErrConflict) {
		t.Errorf("complete before start: %v", err)
	}
	m, ev, err := h.e.CancelMaintenance(h.now, m.ID, "Postponed to next week.")
	h.record(ev)
	if err != nil || m.Status != Completed || !m.Cancelled || m.Updates[0].Body != "Postponed to next week." || m.ResolvedAt.IsZero() {
		t.Fatalf("cancelled %+v %v", m, err)
	}
	if _, _, err := h.e.CancelMaintenance(h.now, m.ID, ""); !errorsIs(err, ErrConflict) {
		t.Errorf("cancel twice: %v", err)
	}
	if _, _, err := h.e.CancelMaintenance(h.now, "nope", ""); !errorsIs(err, ErrNotFound) {
		t.Errorf("cancel unknown: %v", err)
	}

	// Starting now: in progress at once; completed by hand.
	m, err = put(MaintenanceInput{ID: "now", Name: "Hotfix", Components: []string{"website", "support"}, Start: h.now, Duration: time.Hour})
	if err != nil || m.Status != InProgress || len(m.Updates) != 1 || h.status("website") != UnderMaintenance || h.status("support") != UnderMaintenance {
		t.Fatalf("%+v %v", m, err)
	}
	if _, _, err := h.e.CancelMaintenance(h.now, "now", ""); !errorsIs(err, ErrConflict) {
		t.Errorf("cancel in progress: %v", err)
	}
	h.now = h.now.Add(time.Minute)
	m, ev, err = h.e.CompleteMaintenance(h.now, "now", "")
	h.record(ev)
	if err != nil || m.Status != Completed || m.Cancelled || !m.ResolvedAt.Equal(h.now) || h.status("website") != Operational {
		t.Fatalf("completed %+v %v", m, err)
	}

	// Backfilled: over already, one update, nobody flips.
	m, err = put(MaintenanceInput{Name: "Last night", Start: t0.Add(-5 * time.Hour), Duration: time.Hour, Components: []string{"website"}, Backfilled: true})
	if err != nil || m.Status != Completed || !m.ResolvedAt.Equal(t0.Add(-4*time.Hour)) || len(m.Updates) != 1 || !m.Backfilled {
		t.Fatalf("backfilled %+v %v", m, err)
	}
	if len(ofKind(h.events, ComponentChanged)) != 0 {
		t.Error("a backfilled window changed a component")
	}

	// Rescheduling, retries and status words.
	m, _ = put(MaintenanceInput{ID: "later", Name: "Later", Start: t0.Add(5 * time.Hour), Duration: time.Hour})
	m, err = put(MaintenanceInput{ID: "later", Start: t0.Add(6 * time.Hour)})
	if err != nil || !m.Start.Equal(t0.Add(6*time.Hour)) || len(m.Updates) != 2 {
		t.Fatalf("rescheduled %+v %v", m, err)
	}
	m, _ = put(MaintenanceInput{ID: "later", Body: "Bring coffee."})
	m, _ = put(MaintenanceInput{ID: "later", Body: "Bring coffee."})
	if len(m.Updates) != 3 {
		t.Errorf("a retried body added %d updates", len(m.Updates)-2)
	}
	if _, err = put(MaintenanceInput{ID: "later", Status: InProgress}); !errorsIs(err, ErrInvalid) {
		t.Errorf("status INPROGRESS by hand: %v", err)
	}
	m, err = put(MaintenanceInput{ID: "later", Status: Completed})
	if err != nil || m.Status != Completed || !m.Cancelled {
		t.Errorf("COMPLETED before start: %+v %v", m, err)
	}
	if _, err = put(MaintenanceInput{ID: "later", Start: t0.Add(8 * time.Hour)}); !errorsIs(err, ErrConflict) {
		t.Errorf("rescheduling a completed window: %v", err)
	}

	// A started window cannot start in the future; deleting it ends its cover.
	put(MaintenanceInput{ID: "run", Name: "Run", Components: []string{"website"}, Start: h.now, Duration: time.Hour})
	if _, err = put(MaintenanceInput{ID: "run", Start: h.now.Add(time.Hour)}); !errorsIs(err, ErrInvalid) {
		t.Errorf("moving a started window into the future: %v", err)
	}
	ev, err = h.e.DeleteMaintenance(h.now, "run")
	h.record(ev)
	if err != nil || h.status("website") != Operational || len(ofKind(ev, MaintenanceDeleted)) != 1 {
		t.Errorf("delete: %v %v", kinds(ev), err)
	}
	if _, err = h.e.DeleteMaintenance(h.now, "run"); !errorsIs(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}

	// Bad requests.
	for name, in := range map[string]MaintenanceInput{
		"no name":           {Start: t0, Duration: time.Hour},
		"no start":          {Name: "x", Duration: time.Hour},
		"no duration":       {Name: "x", Start: t0},
		"unknown component": {Name: "x", Start: t0, Duration: time.Hour, Components: []string{"nope"}},
		"unknown status":    {Name: "x", Start: t0, Duration: time.Hour, Status: "DONE"},
		"unknown impact":    {Name: "x", Start: t0, Duration: time.Hour, Impact: "BAD"},
	} {
		if _, err := put(in); !errorsIs(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestConfigWindowBelongsToTheFile(t *testing.T) {
	h := newHarness(t, maintSpec())
	_, _, err := h.e.PutMaintenance(h.now, MaintenanceInput{ID: "db-upgrade", Start: t0.Add(5 * time.Hour)})
	if !errorsIs(err, ErrConflict) {
		t.Errorf("reschedule: %v", err)
	}
	m, ev, err := h.e.PutMaintenance(h.now, MaintenanceInput{ID: "db-upgrade", Body: "Expect a short blip."})
	h.record(ev)
	if err != nil || len(m.Updates) != 2 {
		t.Errorf("comment: %+v %v", m, err)
	}
	if _, err := h.e.DeleteMaintenance(h.now, "db-upgrade"); !errorsIs(err, ErrConflict) {
		t.Errorf("delete: %v", err)
	}
}

func TestWindowMissedWhileDown(t *testing.T) {
	// Created after its end: completed at once, one update.
	h := newHarness(t, Spec{OpenAt: PartialOutage, Components: []ComponentSpec{{ID: "website"}}, Maintenance: []MaintenanceSpec{{
		ID: "old", Components: []string{"website"}, Start: t0.Add(-3 * time.Hour), Duration: time.Hour,
	}}})
	if m := h.window("old"); m.Status != Completed || len(m.Updates) != 1 {
		t.Errorf("old window %+v", m)
	}
	// Jumped over: one transition, nothing flips.
	h = newHarness(t, maintSpec())
	h.do("jump 4h")
	m := h.window("db-upgrade")
	if m.Status != Completed || len(m.Updates) != 2 || len(ofKind(h.events, ComponentChanged)) != 0 {
		t.Errorf("jumped window %+v, events %v", m, kinds(h.events))
	}
}

// TestWindowAlreadyOver: a window that ended before it was created is
// refused unless it is a backfill; a backfill, like a window of the file
// that ended before up saw it, is dated by its own times, so no event
// says it was created after it was resolved.
func TestWindowAlreadyOver(t *testing.T) {
	h := newHarness(t, webSpec())
	h.tick(time.Minute)
	start := h.now.Add(-3 * time.Hour)
	_, ev, err := h.e.PutMaintenance(h.now, MaintenanceInput{ID: "past", Name: "Router swap", Start: start, Duration: time.Hour, Components: []string{"website"}})
	h.record(ev)
	var e *Error
	if !errors.As(err, &e) || !errorsIs(err, ErrInvalid) || !strings.Contains(e.Msg, "already over") || !strings.Contains(e.Msg, "backfilled") {
		t.Fatalf("a window created after its end: %v", err)
	}
	if _, ok := h.e.Maintenance("past"); ok || len(ev) != 0 {
		t.Fatalf("a refused window was recorded: events %v", kinds(ev))
	}
	// Ending exactly now is over too.
	if _, _, err := h.e.PutMaintenance(h.now, MaintenanceInput{Name: "x", Start: h.now.Add(-time.Hour), Duration: time.Hour}); !errorsIs(err, ErrInvalid) {
		t.Errorf("a window ending now: %v", err)
	}

	dated := func(m Maintenance) {
		t.Helper()
		if m.Status != Completed || !m.Backfilled || !m.CreatedAt.Equal(m.Start) || !m.ResolvedAt.Equal(m.End()) ||
			len(m.Updates) != 1 || !m.Updates[0].CreatedAt.Equal(m.End()) || m.CreatedAt.After(m.ResolvedAt) {
			t.Errorf("window %s: status %s backfilled %v, created %v, start %v, resolved %v, end %v, updates %+v",
				m.ID, m.Status, m.Backfilled, m.CreatedAt, m.Start, m.ResolvedAt, m.End(), m.Updates)
		}
	}
	m, ev, err := h.e.PutMaintenance(h.now, MaintenanceInput{ID: "past", Name: "Router swap", Start: start, Duration: time.Hour, Components: []string{"website"}, Backfilled: true})
	h.record(ev)
	if err != nil {
		t.Fatal(err)
	}
	dated(m)
	if got := ofKind(ev, MaintenanceChanged); len(got) != 1 || got[0].Maintenance.CreatedAt.After(got[0].Maintenance.ResolvedAt) {
		t.Errorf("events %v", kinds(ev))
	} else {
		dated(*got[0].Maintenance)
	}

	// A window of the file that ended before up first saw it.
	spec := webSpec()
	spec.Maintenance = []MaintenanceSpec{{ID: "old", Name: "Old", Components: []string{"website"}, Start: t0.Add(-5 * time.Hour), Duration: time.Hour}}
	h = newHarness(t, spec)
	ev = h.record(h.e.Restore(h.now, State{}))
	dated(h.window("old"))
	for _, x := range ofKind(ev, MaintenanceChanged) {
		dated(*x.Maintenance)
	}
}
