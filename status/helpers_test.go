package status

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)

// seqIDs makes ids "id-1", "id-2"... so tests are deterministic.
func seqIDs() func() string {
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("id-%d", n)
	}
}

// checkSpec is a check with the thresholds and interval a file gets
// by default; the engine has no defaults of its own.
func checkSpec(id string) CheckSpec {
	return CheckSpec{ID: id, FailureThreshold: 3, SuccessThreshold: 2, Interval: 30 * time.Second}
}

// webSpec is one component with two checks and a second, check-less one.
func webSpec() Spec {
	return Spec{
		OpenAt:       PartialOutage,
		ResolveAfter: 5 * time.Minute,
		Groups:       []GroupSpec{{ID: "web", Name: "Website"}},
		Components: []ComponentSpec{
			{ID: "website", Name: "Website", Group: "web", Checks: []CheckSpec{
				{ID: "website.home", FailureThreshold: 3, SuccessThreshold: 2, Interval: 10 * time.Second},
				{ID: "website.ping", FailureThreshold: 3, SuccessThreshold: 2, Interval: 10 * time.Second},
			}},
			{ID: "support", Name: "Support line", Group: "web"},
		},
	}
}

// harness drives an engine with a clock that moves one second per
// result or tick, and checks the invariants after every call.
type harness struct {
	t      *testing.T
	e      *Engine
	ids    func() string
	now    time.Time
	events []Event // of the last call
	all    []Event
}

func newHarness(t *testing.T, spec Spec, opts ...Option) *harness {
	t.Helper()
	ids := seqIDs()
	e, err := New(t0, spec, ids, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, e: e, ids: ids, now: t0}
}

func (h *harness) record(ev []Event) []Event {
	h.t.Helper()
	h.events = ev
	h.all = append(h.all, ev...)
	checkEvents(h.t, h.e, ev)
	checkInvariants(h.t, h.e)
	return ev
}

// observe feeds results of one check, one second apart.
func (h *harness) observe(id string, outs ...Outcome) {
	h.t.Helper()
	var ev []Event
	for _, o := range outs {
		h.now = h.now.Add(time.Second)
		err := ""
		if o == Fail {
			err = "status 503, want 200-299"
		}
		ev = append(ev, h.record(h.e.Observe(h.now, Observation{CheckID: id, Outcome: o, Err: err, Latency: 3 * time.Second}))...)
	}
	h.events = ev
}

// tick ticks once a second for d.
func (h *harness) tick(d time.Duration) {
	h.t.Helper()
	var ev []Event
	for end := h.now.Add(d); h.now.Before(end); {
		h.now = h.now.Add(time.Second)
		ev = append(ev, h.record(h.e.Tick(h.now))...)
	}
	h.events = ev
}

func (h *harness) status(id string) ComponentStatus {
	h.t.Helper()
	c, ok := h.e.Component(id)
	if !ok {
		h.t.Fatalf("no component %q", id)
	}
	return c.Status
}

func (h *harness) state(id string) CheckState {
	h.t.Helper()
	c, ok := h.e.Check(id)
	if !ok {
		h.t.Fatalf("no check %q", id)
	}
	return c.State
}

// openAuto returns the open auto incidents of a component.
func (h *harness) openAuto(comp string) []Incident {
	return openAuto(h.e.Snapshot(), comp)
}

func openAuto(s Snapshot, comp string) []Incident {
	var out []Incident
	for _, inc := range s.Incidents {
		if inc.Auto && inc.Open() && slices.Contains(inc.Components, comp) {
			out = append(out, inc)
		}
	}
	return out
}

// only returns the single open auto incident of a component.
func (h *harness) only(comp string) Incident {
	h.t.Helper()
	incs := h.openAuto(comp)
	if len(incs) != 1 {
		h.t.Fatalf("%s: %d open auto incidents, want 1", comp, len(incs))
	}
	return incs[0]
}

func kinds(ev []Event) []EventKind {
	var out []EventKind
	for _, e := range ev {
		out = append(out, e.Kind)
	}
	return out
}

func ofKind(ev []Event, k EventKind) []Event {
	var out []Event
	for _, e := range ev {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// checkEvents: every event carries the page after the call, and its
// objects share no memory with the engine.
func checkEvents(t *testing.T, e *Engine, ev []Event) {
	t.Helper()
	for _, x := range ev {
		if x.Page != e.Page() {
			t.Fatalf("%s event has page %+v, engine has %+v", x.Kind, x.Page, e.Page())
		}
		if x.Incident != nil && len(x.Incident.Updates) > 0 {
			if inc, ok := e.Incident(x.Incident.ID); ok && len(inc.Updates) > 0 {
				body := x.Incident.Updates[0].Body
				x.Incident.Updates[0].Body = "scribbled"
				if got, _ := e.Incident(x.Incident.ID); got.Updates[0].Body == "scribbled" {
					t.Fatal("event shares incident updates with the engine")
				}
				x.Incident.Updates[0].Body = body
			}
		}
		if x.Component != nil && len(x.Component.Checks) > 0 {
			id := x.Component.Checks[0]
			x.Component.Checks[0] = "scribbled"
			if c, ok := e.Component(x.Component.ID); ok && len(c.Checks) > 0 && c.Checks[0] == "scribbled" {
				t.Fatal("event shares checks with the engine")
			}
			x.Component.Checks[0] = id
		}
	}
}

// checkInvariants holds after any call: one open auto incident per
// component at most, statuses follow the rules, update ids unique.
func checkInvariants(t *testing.T, e *Engine) {
	t.Helper()
	s := e.Snapshot()
	var counts [numStatuses]int
	byID := map[string]Component{}
	for _, c := range s.Components {
		byID[c.ID] = c
		if i := rank(c.Status); i < 0 {
			t.Fatalf("component %s has status %q", c.ID, c.Status)
		} else {
			counts[i]++
		}
		if n := len(openAuto(s, c.ID)); n > 1 {
			t.Fatalf("component %s has %d open auto incidents", c.ID, n)
		}
	}
	if want := pageFor(&counts); s.Page != want {
		t.Fatalf("page %+v, components say %+v", s.Page, want)
	}
	for _, g := range s.Groups {
		want := Operational
		for _, id := range g.Components {
			want = Worse(want, byID[id].Status)
			if byID[id].Group != g.ID {
				t.Fatalf("group %s lists %s of group %q", g.ID, id, byID[id].Group)
			}
		}
		if g.Status != want {
			t.Fatalf("group %s is %s, worst member is %s", g.ID, g.Status, want)
		}
	}
	// Component status from its checks, where no override, maintenance or
	// restore hold decides.
	states := map[string][]CheckState{}
	for _, ch := range s.Checks {
		states[ch.Component] = append(states[ch.Component], ch.State)
	}
	for _, c := range s.Components {
		rc := e.comps[c.ID]
		if c.Override != "" || rc.inMaint || rc.held || len(c.Checks) == 0 {
			continue
		}
		if want := ruleStatus(states[c.ID]); c.Status != want {
			t.Fatalf("component %s is %s, its checks %v say %s", c.ID, c.Status, states[c.ID], want)
		}
	}
	seen := map[string]bool{}
	for _, inc := range s.Incidents {
		for _, u := range inc.Updates {
			if seen[u.ID] {
				t.Fatalf("update id %s used twice", u.ID)
			}
			seen[u.ID] = true
		}
		if len(inc.Updates) == 0 || inc.Updates[0].Status != inc.Status {
			t.Fatalf("incident %s: status %s but latest update %+v", inc.ID, inc.Status, inc.Updates)
		}
		if inc.Open() != inc.ResolvedAt.IsZero() {
			t.Fatalf("incident %s: status %s, resolved at %v", inc.ID, inc.Status, inc.ResolvedAt)
		}
	}
	for _, m := range s.Maintenance {
		if len(m.Updates) == 0 || m.Updates[0].Status != m.Status {
			t.Fatalf("maintenance %s: status %s but latest update %+v", m.ID, m.Status, m.Updates)
		}
	}
}

// ruleStatus is the documented component rule written out plainly, to check
// the engine's counting version against.
func ruleStatus(states []CheckState) ComponentStatus {
	known, down, flaky, slow := 0, 0, 0, 0
	for _, s := range states {
		switch s {
		case CheckUnknown:
			continue
		case CheckDown:
			down++
		case CheckFlaky:
			flaky++
		case CheckSlow:
			slow++
		}
		known++
	}
	switch {
	case known == 0:
		return Operational
	case down == known:
		return MajorOutage
	case down > 0 || flaky > 0:
		return PartialOutage
	case slow > 0:
		return DegradedPerformance
	}
	return Operational
}

// do runs steps written as "<check> <results>" (check name within the
// website component unless it has a dot; results as in outs),
// "tick <duration>" (a tick a second), or "jump <duration>" (the wall
// clock steps by the duration, then one tick; negative steps back).
func (h *harness) do(steps ...string) {
	h.t.Helper()
	var ev []Event
	for _, s := range steps {
		f := strings.Fields(s)
		if len(f) < 2 {
			h.t.Fatalf("bad step %q", s)
		}
		switch f[0] {
		case "tick":
			h.tick(parseDur(h.t, f[1]))
		case "jump":
			h.now = h.now.Add(parseDur(h.t, f[1]))
			h.record(h.e.Tick(h.now))
		default:
			id := f[0]
			if !strings.Contains(id, ".") {
				id = "website." + id
			}
			h.observe(id, outs(strings.Join(f[1:], ""))...)
		}
		ev = append(ev, h.events...)
	}
	h.events = ev
}

func parseDur(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
