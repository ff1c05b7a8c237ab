package status

import (
	"strings"
	"testing"
	"time"
)

func (h *harness) put(in IncidentInput) (Incident, error) {
	h.t.Helper()
	inc, ev, err := h.e.PutIncident(h.now, in)
	h.record(ev)
	return inc, err
}

func TestManualIncidentLifecycle(t *testing.T) {
	h := newHarness(t, webSpec())
	inc, err := h.put(IncidentInput{Name: "Login problems", Components: []string{"website"}, Body: "Some users cannot log in."})
	if err != nil || inc.Status != Investigating || inc.Impact != PartialOutage || inc.Auto || len(inc.Updates) != 1 || inc.Updates[0].Body != "Some users cannot log in." {
		t.Fatalf("%+v %v", inc, err)
	}
	steps := []struct {
		in   IncidentInput
		want IncidentStatus
		body string
	}{
		{IncidentInput{Status: Identified, Body: "A bad deploy."}, Identified, "A bad deploy."},
		{IncidentInput{Body: "Rolling back."}, Identified, "Rolling back."},
		{IncidentInput{Status: Monitoring}, Monitoring, "A fix is in place; monitoring."},
		{IncidentInput{Impact: MajorOutage, Name: "Login outage"}, Monitoring, `Renamed to "Login outage". Impact set to MAJOROUTAGE.`},
		{IncidentInput{Status: Resolved}, Resolved, "Resolved."},
		{IncidentInput{Status: Investigating, Body: "It is back."}, Investigating, "It is back."},
	}
	for i, s := range steps {
		h.now = h.now.Add(time.Minute)
		s.in.ID = inc.ID
		got, err := h.put(s.in)
		if err != nil || got.Status != s.want || got.Updates[0].Body != s.body || got.Updates[0].Status != s.want || len(got.Updates) != i+2 {
			t.Fatalf("step %d: %s %q (%d updates) %v", i, got.Status, got.Updates[0].Body, len(got.Updates), err)
		}
		if got.Open() != got.ResolvedAt.IsZero() {
			t.Fatalf("step %d: status %s resolved at %v", i, got.Status, got.ResolvedAt)
		}
		if !got.Updates[0].CreatedAt.Equal(h.now) || !got.UpdatedAt.Equal(h.now) {
			t.Fatalf("step %d: update at %v", i, got.Updates[0].CreatedAt)
		}
	}
	// The engine never moves a manual incident.
	h.do("home o", "ping o", "tick 1h")
	if got, _ := h.e.Incident(inc.ID); got.Status != Investigating || len(got.Updates) != 7 {
		t.Errorf("engine moved a manual incident: %s, %d updates", got.Status, len(got.Updates))
	}
	// A retry changes nothing.
	got, _ := h.put(IncidentInput{ID: inc.ID, Body: "It is back."})
	if len(got.Updates) != 7 || len(h.events) != 0 {
		t.Errorf("retry added an update")
	}
	ev, err := h.e.DeleteIncident(h.now, inc.ID)
	if err != nil || len(ofKind(ev, IncidentDeleted)) != 1 {
		t.Fatalf("delete %v %v", kinds(ev), err)
	}
	if _, ok := h.e.Incident(inc.ID); ok {
		t.Error("still there after delete")
	}
	if _, err := h.e.DeleteIncident(h.now, inc.ID); !errorsIs(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestManualIncidentWithID(t *testing.T) {
	h := newHarness(t, webSpec())
	inc, err := h.put(IncidentInput{ID: "chosen", Name: "x"})
	if err != nil || inc.ID != "chosen" {
		t.Fatalf("%+v %v", inc, err)
	}
}

func TestBackfilledIncident(t *testing.T) {
	h := newHarness(t, webSpec())
	from, to := t0.Add(-3*time.Hour), t0.Add(-2*time.Hour)
	inc, err := h.put(IncidentInput{Name: "Outage last night", Status: Resolved, Backfilled: true, CreatedAt: from, ResolvedAt: to, Body: "DNS was down."})
	if err != nil || !inc.Backfilled || !inc.CreatedAt.Equal(from) || !inc.ResolvedAt.Equal(to) || !inc.Updates[0].CreatedAt.Equal(to) {
		t.Fatalf("%+v %v", inc, err)
	}
	// A later comment lands on top; an earlier backfilled one below.
	inc, _ = h.put(IncidentInput{ID: inc.ID, Body: "Post-mortem published."})
	if inc.Updates[0].Body != "Post-mortem published." || !inc.Updates[0].CreatedAt.Equal(h.now) {
		t.Errorf("updates %+v", inc.Updates)
	}
	bad := map[string]IncidentInput{
		"starts in the future":   {Name: "x", Backfilled: true, CreatedAt: t0.Add(time.Hour)},
		"resolved in the future": {Name: "x", Backfilled: true, Status: Resolved, CreatedAt: from, ResolvedAt: t0.Add(time.Hour)},
		"resolved before start":  {Name: "x", Backfilled: true, Status: Resolved, CreatedAt: to, ResolvedAt: from},
		"resolved_at but open":   {Name: "x", Backfilled: true, CreatedAt: from, ResolvedAt: to},
		"no name":                {Body: "x"},
		"unknown status":         {Name: "x", Status: "DONE"},
		"unknown impact":         {Name: "x", Impact: "BAD"},
		"unknown component":      {Name: "x", Components: []string{"nope"}},
	}
	for name, in := range bad {
		if _, err := h.put(in); !errorsIs(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Times sent back on a live incident are ignored.
	inc, err = h.put(IncidentInput{Name: "live", CreatedAt: from, ResolvedAt: to})
	if err != nil || !inc.CreatedAt.Equal(h.now) || !inc.ResolvedAt.IsZero() {
		t.Errorf("live incident took client times: %+v %v", inc, err)
	}
}

func TestAutoIncidentByHand(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness, id string)
	}{
		{"a comment keeps the engine in charge", func(t *testing.T, h *harness, id string) {
			inc, _ := h.put(IncidentInput{ID: id, Body: "We are on it."})
			if inc.ByHand || inc.Status != Investigating {
				t.Fatalf("%+v", inc)
			}
			h.do("home oo")
			if h.only("website").Status != Monitoring {
				t.Error("engine stopped after a comment")
			}
		}},
		{"a status change takes the incident over", func(t *testing.T, h *harness, id string) {
			inc, _ := h.put(IncidentInput{ID: id, Status: Identified, Body: "Disk full."})
			if !inc.ByHand || !inc.Auto {
				t.Fatalf("%+v", inc)
			}
			h.do("ping fff", "home oo", "ping oo", "tick 10m", "home fff")
			inc = h.only("website")
			if inc.Status != Identified || len(inc.Updates) != 2 {
				t.Errorf("engine moved a taken-over incident: %s, %d updates", inc.Status, len(inc.Updates))
			}
		}},
		{"resolving by hand frees the component; the next worsening opens a new one", func(t *testing.T, h *harness, id string) {
			h.put(IncidentInput{ID: id, Status: Resolved})
			h.do("tick 1m")
			if len(h.openAuto("website")) != 0 {
				t.Fatal("reopened while still failing")
			}
			h.do("ping fff")
			inc := h.only("website")
			if inc.ID == id || inc.Impact != MajorOutage {
				t.Errorf("new incident %+v", inc)
			}
			// Reopening the old one now would make two.
			if _, err := h.put(IncidentInput{ID: id, Status: Investigating}); !errorsIs(err, ErrConflict) {
				t.Errorf("reopen beside an open one: %v", err)
			}
		}},
		{"reopening by hand when none is open", func(t *testing.T, h *harness, id string) {
			h.put(IncidentInput{ID: id, Status: Resolved})
			inc, err := h.put(IncidentInput{ID: id, Status: Investigating})
			if err != nil || !inc.Open() || !inc.ResolvedAt.IsZero() {
				t.Fatalf("%+v %v", inc, err)
			}
			h.do("ping fff") // worse, but the reopened one is its component's
			if n := len(h.openAuto("website")); n != 1 {
				t.Errorf("%d open", n)
			}
		}},
		{"components of an auto incident are fixed", func(t *testing.T, h *harness, id string) {
			if _, err := h.put(IncidentInput{ID: id, Components: []string{"support"}}); !errorsIs(err, ErrConflict) {
				t.Errorf("%v", err)
			}
		}},
		{"deleting frees the component", func(t *testing.T, h *harness, id string) {
			h.record(must(h.e.DeleteIncident(h.now, id)))
			h.do("ping fff")
			if inc := h.only("website"); inc.ID == id {
				t.Error("deleted incident came back")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, webSpec())
			h.do("home o", "ping o", "home fff")
			tt.run(t, h, h.only("website").ID)
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRecall(t *testing.T) {
	h := newHarness(t, webSpec(), WithRetention(time.Hour))
	inc, _ := h.put(IncidentInput{Name: "old", Status: Resolved})
	h.do("tick 2h")
	if _, ok := h.e.Incident(inc.ID); ok {
		t.Fatal("not let go after the retention")
	}
	if err := h.e.Recall(inc); err != nil {
		t.Fatal(err)
	}
	got, err := h.put(IncidentInput{ID: inc.ID, Body: "Post-mortem."})
	if err != nil || got.Name != "old" || len(got.Updates) != 2 {
		t.Errorf("%+v %v", got, err)
	}
	open := inc
	open.ID, open.Status = "x", Investigating
	if err := h.e.Recall(open); !errorsIs(err, ErrConflict) {
		t.Errorf("recall open: %v", err)
	}
	m, _, _ := h.e.PutMaintenance(h.now, MaintenanceInput{Name: "m", Start: t0, Duration: time.Minute, Backfilled: true})
	h.do("tick 2h")
	if _, ok := h.e.Maintenance(m.ID); ok {
		t.Fatal("window not let go")
	}
	if err := h.e.RecallMaintenance(m); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.e.Maintenance(m.ID); !ok {
		t.Error("window not recalled")
	}
	m.ID, m.Status = "y", InProgress
	if err := h.e.RecallMaintenance(m); !errorsIs(err, ErrConflict) {
		t.Errorf("recall running window: %v", err)
	}
}

func TestErrorMessages(t *testing.T) {
	h := newHarness(t, webSpec())
	_, err := h.put(IncidentInput{ID: "x"})
	if err == nil || err.Error() != "a new incident needs a name" || strings.Contains(err.Error(), "invalid") {
		t.Errorf("message %q", err)
	}
}
