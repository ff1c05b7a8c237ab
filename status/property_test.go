package status

import (
	"math/rand/v2"
	"testing"
	"time"
)

// propSpec is a small page whose shape the operations below can change.
type propShape struct {
	withA2, withB, window bool
	fail                  int
}

func (p propShape) spec() Spec {
	s := Spec{
		OpenAt:       PartialOutage,
		ResolveAfter: 30 * time.Second,
		Groups:       []GroupSpec{{ID: "g1"}, {ID: "g2"}},
		Components: []ComponentSpec{
			{ID: "a", Name: "A", Group: "g1", Checks: []CheckSpec{{ID: "a.1", FailureThreshold: p.fail, SuccessThreshold: 2, Interval: 5 * time.Second}}},
			{ID: "c", Name: "C", Group: "g2"},
		},
	}
	if p.withA2 {
		s.Components[0].Checks = append(s.Components[0].Checks, CheckSpec{ID: "a.2", FailureThreshold: 2, SuccessThreshold: 1, Interval: 30 * time.Second})
	}
	if p.withB {
		s.Components = append(s.Components, ComponentSpec{ID: "b", Name: "B", Group: "g1", Checks: []CheckSpec{{ID: "b.1", FailureThreshold: 1, SuccessThreshold: 1, Interval: 30 * time.Second}}})
	}
	if p.window {
		s.Maintenance = []MaintenanceSpec{{ID: "w", Name: "W", Components: []string{"a", "c"}, Start: t0.Add(5 * time.Minute), Duration: 2 * time.Minute}}
	}
	return s
}

type bytes struct {
	b []byte
	i int
}

func (r *bytes) next() int {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return int(r.b[r.i-1])
}

func (r *bytes) pick(n int) int { return r.next() % n }

// runOps reads operations from data and applies them, checking the
// invariants (checkInvariants, checkEvents, consistent) after each one.
func runOps(t *testing.T, data []byte) {
	shape := propShape{withA2: true, withB: true, window: true, fail: 2}
	h := newHarness(t, shape.spec())
	h.record(h.e.Restore(h.now, State{}))
	r := &bytes{b: data}
	checks := []string{"a.1", "a.2", "b.1", "gone"}
	comps := []string{"a", "b", "c"}
	statuses := append([]ComponentStatus{""}, ComponentStatuses...)
	for steps := 0; r.i < len(r.b) && steps < 3000; steps++ {
		switch op := r.pick(20); {
		case op < 9:
			h.now = h.now.Add(time.Duration(r.pick(3)) * time.Second)
			o := []Outcome{OK, OK, Slow, Fail, Fail}[r.pick(5)]
			h.record(h.e.Observe(h.now, Observation{CheckID: checks[r.pick(len(checks))], Outcome: o, Err: "boom"}))
		case op == 9:
			h.tick(time.Duration(1+r.pick(40)) * time.Second)
		case op == 10:
			d := []time.Duration{time.Hour, -time.Hour, 3 * time.Minute, -10 * time.Second}[r.pick(4)]
			h.now = h.now.Add(d)
			h.record(h.e.Tick(h.now))
		case op == 11:
			start := h.now.Add(time.Duration(r.pick(120)-30) * time.Second)
			_, ev, _ := h.e.PutMaintenance(h.now, MaintenanceInput{
				ID: []string{"m1", "m2", ""}[r.pick(3)], Name: "M", Components: []string{comps[r.pick(3)]},
				Start: start, Duration: time.Duration(1+r.pick(120)) * time.Second,
			})
			h.record(ev)
		case op == 12:
			id := []string{"m1", "m2", "w"}[r.pick(3)]
			var ev []Event
			if r.pick(2) == 0 {
				_, ev, _ = h.e.CompleteMaintenance(h.now, id, "")
			} else {
				_, ev, _ = h.e.CancelMaintenance(h.now, id, "")
			}
			h.record(ev)
		case op == 13:
			var until time.Time
			if r.pick(2) == 0 {
				until = h.now.Add(time.Duration(1+r.pick(60)) * time.Second)
			}
			_, ev, _ := h.e.SetComponentStatus(h.now, comps[r.pick(3)], statuses[r.pick(len(statuses))], until)
			h.record(ev)
		case op == 14:
			incs := h.e.Snapshot().Incidents
			if len(incs) == 0 {
				continue
			}
			inc := incs[r.pick(len(incs))]
			in := IncidentInput{ID: inc.ID, Body: []string{"", "comment", "more"}[r.pick(3)]}
			in.Status = append([]IncidentStatus{""}, IncidentStatuses...)[r.pick(5)]
			_, ev, _ := h.e.PutIncident(h.now, in)
			h.record(ev)
		case op == 15:
			incs := h.e.Snapshot().Incidents
			if len(incs) > 0 {
				ev, _ := h.e.DeleteIncident(h.now, incs[r.pick(len(incs))].ID)
				h.record(ev)
			}
		case op == 16:
			switch r.pick(4) {
			case 0:
				shape.withA2 = !shape.withA2
			case 1:
				shape.withB = !shape.withB
			case 2:
				shape.window = !shape.window
			case 3:
				shape.fail = 1 + r.pick(3)
			}
			h.reconfigure(shape.spec())
		case op == 17:
			h.restart(shape.spec(), time.Duration(r.pick(600))*time.Second)
		case op == 18:
			_, ev, _ := h.e.PutIncident(h.now, IncidentInput{Name: "by hand", Components: []string{comps[r.pick(3)]}})
			h.record(ev)
		default:
			h.tick(time.Minute)
		}
		consistent(t, h.e)
	}
}

// consistent checks the engine's private bookkeeping against its state.
func consistent(t *testing.T, e *Engine) {
	t.Helper()
	attached := map[*Incident]bool{}
	for _, c := range e.order {
		if e.comps[c.c.ID] != c {
			t.Fatalf("order and map disagree on %s", c.c.ID)
		}
		if inc := c.auto; inc != nil {
			if !inc.Auto || !inc.Open() || e.incidents[inc.ID] != inc || inc.Components[0] != c.c.ID {
				t.Fatalf("component %s tracks %+v", c.c.ID, inc)
			}
			attached[inc] = true
		}
		n := [4]int{}
		for _, ch := range c.checks {
			if e.checks[ch.id] != ch || ch.comp != c {
				t.Fatalf("check %s not indexed", ch.id)
			}
			switch ch.state {
			case CheckUnknown:
				n[0]++
			case CheckDown:
				n[1]++
			case CheckFlaky:
				n[2]++
			case CheckSlow:
				n[3]++
			}
		}
		if n != [4]int{c.nUnknown, c.nDown, c.nFlaky, c.nSlow} {
			t.Fatalf("component %s counts %v, checks say %v", c.c.ID, []int{c.nUnknown, c.nDown, c.nFlaky, c.nSlow}, n)
		}
		if c.inMaint != e.covered(c.c.ID) {
			t.Fatalf("component %s maintenance flag stale", c.c.ID)
		}
		if _, ok := e.stable[c]; ok && (c.auto == nil || c.c.Status != Operational) {
			t.Fatalf("component %s counts toward resolving without reason", c.c.ID)
		}
	}
	for _, inc := range e.incidents {
		if inc.Auto && inc.Open() && !inc.ByHand && !attached[inc] {
			t.Fatalf("open auto incident %s belongs to no component", inc.ID)
		}
	}
	if len(e.checks) != func() int {
		n := 0
		for _, c := range e.order {
			n += len(c.checks)
		}
		return n
	}() {
		t.Fatal("stray checks in the index")
	}
}

func TestRandomOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	runs := 300
	if testing.Short() {
		runs = 30
	}
	for i := 0; i < runs; i++ {
		data := make([]byte, 400)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		runOps(t, data)
		if t.Failed() {
			t.Fatalf("run %d failed", i)
		}
	}
}

// FuzzEngine feeds arbitrary operation sequences; the seeds run in the
// normal test suite.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 3, 3, 0, 3, 3, 0, 3, 3, 19, 19})
	f.Add([]byte{0, 3, 3, 0, 3, 3, 17, 5, 0, 0, 0, 0, 0, 0, 19})
	f.Add([]byte{11, 0, 0, 30, 10, 0, 3, 3, 3, 3, 3, 3, 9, 39, 19})
	f.Add([]byte{0, 3, 3, 0, 3, 3, 14, 0, 2, 19, 0, 3, 3, 0, 3, 3, 14, 0, 0, 4})
	f.Add([]byte{16, 0, 0, 3, 3, 16, 1, 17, 9, 13, 0, 4, 1, 19, 10, 0, 10, 1})
	f.Fuzz(func(t *testing.T, data []byte) { runOps(t, data) })
}
