package status

import (
	"testing"
	"time"
)

func stateOf(s Snapshot) State {
	return State{Components: s.Components, Groups: s.Groups, Incidents: s.Incidents, Maintenance: s.Maintenance}
}

// restart builds a new engine on the same spec from the old one's state,
// as the daemon does after a restart that took d.
func (h *harness) restart(spec Spec, d time.Duration) {
	h.t.Helper()
	st := stateOf(h.e.Snapshot())
	h.now = h.now.Add(d)
	e, err := New(h.now, spec, h.ids)
	if err != nil {
		h.t.Fatal(err)
	}
	h.e = e
	h.record(e.Restore(h.now, st))
}

func TestRestartContinuesTheIncident(t *testing.T) {
	tests := []struct {
		name  string
		steps []want
	}{
		{"still down after the restart: nothing moves", []want{
			{steps: []string{"home o", "ping o", "home fff", "ping fff"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"restart"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"home f"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"ping f"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"tick 10m", "home oo", "ping oo"}, comp: Operational, inc: Monitoring, updates: 4},
			{steps: []string{"tick 5m"}, comp: Operational, inc: "none"},
		}},
		{"recovered while stopped: monitoring once every check reported", []want{
			{steps: []string{"home o", "ping o", "home fff", "ping fff"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"restart", "home o"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"tick 10m"}, comp: MajorOutage, inc: Investigating, updates: 2},
			{steps: []string{"ping o"}, comp: Operational, inc: Monitoring, updates: 3},
			{steps: []string{"tick 5m"}, comp: Operational, inc: "none"},
		}},
		{"monitoring: the wait goes on from its start once every check reported", []want{
			{steps: []string{"home o", "ping o", "home fff", "home oo", "tick 4m"}, comp: Operational, inc: Monitoring, updates: 2},
			{steps: []string{"restart", "tick 10m"}, comp: Operational, inc: Monitoring, updates: 2},
			{steps: []string{"home o"}, comp: Operational, inc: Monitoring, updates: 2},
			{steps: []string{"ping o", "tick 1s"}, comp: Operational, inc: "none"},
		}},
		{"partial outage: the down check stays down, the healthy one up", []want{
			{steps: []string{"home o", "ping o", "home fff"}, comp: PartialOutage, inc: Investigating, updates: 1},
			{steps: []string{"restart", "ping o", "home f"}, comp: PartialOutage, inc: Investigating, updates: 1},
		}},
		{"an outage without incident opens none on restart", []want{
			{steps: []string{"home o", "ping o", "home fff", "resolve"}, comp: PartialOutage, inc: "none"},
			{steps: []string{"restart", "home f", "ping o", "tick 1m"}, comp: PartialOutage, inc: "none"},
			{steps: []string{"ping fff"}, comp: MajorOutage, inc: Investigating},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, webSpec())
			var id string
			for i, w := range tt.steps {
				for _, s := range w.steps {
					switch s {
					case "restart":
						h.restart(webSpec(), time.Minute)
						for _, ev := range h.events {
							if ev.Kind == IncidentChanged || ev.Kind == ComponentChanged || ev.Kind == PageChanged {
								t.Fatalf("restart told %s", ev.Kind)
							}
						}
					case "resolve":
						h.put(IncidentInput{ID: h.only("website").ID, Status: Resolved})
					default:
						h.do(s)
					}
				}
				runSteps(t, h, i, want{comp: w.comp, inc: w.inc, impact: w.impact, updates: w.updates})
				if open := h.openAuto("website"); len(open) == 1 {
					if id != "" && open[0].ID != id {
						t.Fatalf("step %d: incident %s replaced %s", i, open[0].ID, id)
					}
					id = open[0].ID
				}
			}
		})
	}
}

// runSteps is one step of runScenario on an existing harness.
func runSteps(t *testing.T, h *harness, i int, w want) {
	t.Helper()
	if len(w.steps) > 0 {
		h.do(w.steps...)
	}
	if got := h.status("website"); got != w.comp {
		t.Fatalf("step %d %v: website is %s, want %s", i, w.steps, got, w.comp)
	}
	open := h.openAuto("website")
	switch {
	case w.inc == "none" && len(open) > 0:
		t.Fatalf("step %d: open incident %s", i, open[0].Status)
	case w.inc == "none" || w.inc == "":
	case len(open) != 1:
		t.Fatalf("step %d: %d open auto incidents", i, len(open))
	case open[0].Status != w.inc:
		t.Fatalf("step %d: incident %s, want %s", i, open[0].Status, w.inc)
	case w.updates > 0 && len(open[0].Updates) != w.updates:
		t.Fatalf("step %d: %d updates, want %d", i, len(open[0].Updates), w.updates)
	}
}

func TestRestoreFirstStart(t *testing.T) {
	h := newHarness(t, maintSpec())
	ev := h.record(h.e.Restore(h.now, State{}))
	counts := map[EventKind]int{}
	for _, x := range ev {
		counts[x.Kind]++
		if x.Kind == ComponentChanged && x.OldStatus != "" {
			t.Errorf("creation with old status %q", x.OldStatus)
		}
	}
	if counts[ComponentChanged] != 2 || counts[GroupChanged] != 1 || counts[MaintenanceChanged] != 1 || counts[CheckChanged] != 2 {
		t.Errorf("first start events %v", counts)
	}
	// Restoring what that produced is quiet.
	h.restart(maintSpec(), time.Second)
	if len(h.events) != 0 {
		t.Errorf("second start told %v", kinds(h.events))
	}
}

func TestRestoreReconciles(t *testing.T) {
	h := newHarness(t, maintSpec())
	h.do("home o", "ping o", "home fff")
	old := h.only("website")
	_, ev, _ := h.e.PutComponent(h.now, ComponentInput{ID: "cdn", Name: "CDN", Status: DegradedPerformance})
	h.record(ev)
	_, ev, _ = h.e.SetComponentStatus(h.now, "support", MajorOutage, time.Time{})
	h.record(ev)
	st := stateOf(h.e.Snapshot())

	// A duplicate open auto incident, as two instances could leave.
	dup := old.clone()
	dup.ID, dup.CreatedAt = "dup", old.CreatedAt.Add(-time.Minute)
	for i := range dup.Updates {
		dup.Updates[i].ID += "-dup"
	}
	st.Incidents = append(st.Incidents, dup)
	// The file lost the website component while up was stopped.
	spec := maintSpec()
	spec.Components = spec.Components[1:]
	spec.Maintenance = nil

	h.now = h.now.Add(time.Minute)
	e, _ := New(h.now, spec, h.ids)
	h.e = e
	h.record(e.Restore(h.now, st))
	if inc, _ := e.Incident("dup"); inc.Status != Resolved || inc.Updates[0].Body != "Closed as a duplicate of incident "+old.ID+"." {
		t.Errorf("duplicate %s %q", inc.Status, inc.Updates[0].Body)
	}
	if inc, _ := e.Incident(old.ID); inc.Status != Resolved {
		t.Errorf("incident of a removed component is %s", inc.Status)
	}
	if _, ok := e.Component("website"); ok {
		t.Error("removed component restored")
	}
	if len(ofKind(h.events, ComponentDeleted)) != 1 || len(ofKind(h.events, CheckDeleted)) != 2 {
		t.Errorf("events %v", kinds(h.events))
	}
	if c, _ := e.Component("cdn"); c.Status != DegradedPerformance || c.FromConfig {
		t.Errorf("API component %+v", c)
	}
	if c, _ := e.Component("support"); c.Status != MajorOutage {
		t.Errorf("status set by hand lost: %s", c.Status)
	}
	if m, _ := e.Maintenance("db-upgrade"); m.Status != Completed || !m.Cancelled {
		t.Errorf("window dropped from the file: %+v", m)
	}
}

func TestRestoreOverridesAndWindows(t *testing.T) {
	h := newHarness(t, maintSpec())
	h.do("home o", "ping o")
	_, ev, _ := h.e.SetComponentStatus(h.now, "website", MajorOutage, h.now.Add(time.Hour))
	h.record(ev)
	h.restart(maintSpec(), time.Minute)
	if c, _ := h.e.Component("website"); c.Override != MajorOutage || c.Status != MajorOutage {
		t.Errorf("override lost %+v", c)
	}
	h.restart(maintSpec(), 70*time.Minute) // override expired, window running
	c, _ := h.e.Component("website")
	if c.Override != "" || c.Status != UnderMaintenance {
		t.Errorf("after the override's end %+v", c)
	}
	if m := h.window("db-upgrade"); m.Status != InProgress {
		t.Errorf("window %s", m.Status)
	}
	h.restart(maintSpec(), time.Minute)
	if h.status("website") != UnderMaintenance || len(h.events) != 0 {
		t.Errorf("website %s, events %v", h.status("website"), kinds(h.events))
	}
	h.restart(maintSpec(), 3*time.Hour)
	if h.status("website") != Operational || h.window("db-upgrade").Status != Completed {
		t.Errorf("after the window: website %s", h.status("website"))
	}
}

// TestRestartKeepsTheResolveCountdown: an incident MONITORING when up
// stops resolves resolve_after after its monitoring began, counted from
// the stored update, once every check has reported again; not
// resolve_after after the restart.
func TestRestartKeepsTheResolveCountdown(t *testing.T) {
	spec := webSpec()
	spec.ResolveAfter = time.Minute
	tests := []struct {
		name string
		// in: how long the incident was MONITORING when up stopped;
		// gap: how far the clock moved until the restart; idle: ticks
		// after the restart before the checks report.
		in, gap, idle time.Duration
		// whole: the clock went back, so the whole wait starts over.
		whole bool
	}{
		{"55s in, restarted 5s later", 55 * time.Second, 5 * time.Second, 0, false},
		{"40s in, restarted 2s later: the remaining 18s", 40 * time.Second, 2 * time.Second, 0, false},
		{"stopped an hour: resolves once the checks report, not before", 10 * time.Second, time.Hour, time.Minute, false},
		{"clock set back an hour: the whole wait again", 30 * time.Second, -time.Hour, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, spec)
			h.do("home o", "ping o", "home fff", "home oo")
			inc := h.only("website")
			if inc.Status != Monitoring {
				t.Fatalf("incident %s", inc.Status)
			}
			began := inc.Updates[0].CreatedAt
			h.tick(tt.in - h.now.Sub(began))
			h.restart(spec, tt.gap)
			if len(h.events) != 0 {
				t.Fatalf("restart told %v", kinds(h.events))
			}
			h.tick(tt.idle)
			if h.only("website").Status != Monitoring {
				t.Fatal("resolved or moved before the checks reported")
			}
			h.do("home o")
			if h.only("website").Status != Monitoring {
				t.Fatal("resolved before every check reported")
			}
			h.do("ping o")
			settled := h.now.Sub(began)
			for range 200 {
				if len(h.openAuto("website")) == 0 {
					break
				}
				h.tick(time.Second)
			}
			got, _ := h.e.Incident(inc.ID)
			if got.Status != Resolved {
				t.Fatalf("incident %s after the checks reported", got.Status)
			}
			lo := max(spec.ResolveAfter, settled)
			if tt.whole {
				lo = settled + spec.ResolveAfter
			}
			if took := got.ResolvedAt.Sub(began); took < lo || took > lo+time.Second {
				t.Errorf("resolved %s after monitoring began (checks back at %s), want %s", took, settled, lo)
			}
		})
	}

	// A relapse on the first results after the restart stops the
	// countdown: the incident goes back to INVESTIGATING.
	h := newHarness(t, spec)
	h.do("home o", "ping o", "home fff", "home oo", "tick 50s")
	h.restart(spec, 5*time.Second)
	h.do("home fff", "ping o", "tick 2m")
	if inc := h.only("website"); inc.Status != Investigating {
		t.Errorf("incident %s after a relapse", inc.Status)
	}
}
