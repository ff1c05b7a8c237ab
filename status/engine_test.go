package status

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// drive brings a fresh check (thresholds 3 and 2) to a state.
var drive = map[CheckState]string{
	CheckUnknown: "",
	CheckUp:      "o",
	CheckDown:    "fff",
	CheckFlaky:   "fofo",
	CheckSlow:    "sss",
}

func TestComponentRule(t *testing.T) {
	tests := []struct {
		checks []CheckState
		want   ComponentStatus
	}{
		{[]CheckState{CheckUnknown, CheckUnknown}, Operational},
		{[]CheckState{CheckUp, CheckUp}, Operational},
		{[]CheckState{CheckUp, CheckUnknown}, Operational},
		{[]CheckState{CheckDown, CheckDown}, MajorOutage},
		{[]CheckState{CheckDown, CheckUnknown}, MajorOutage},
		{[]CheckState{CheckDown, CheckUp}, PartialOutage},
		{[]CheckState{CheckDown, CheckSlow}, PartialOutage},
		{[]CheckState{CheckDown, CheckFlaky}, PartialOutage},
		{[]CheckState{CheckFlaky, CheckUp}, PartialOutage},
		{[]CheckState{CheckFlaky, CheckFlaky}, PartialOutage},
		{[]CheckState{CheckSlow, CheckUp}, DegradedPerformance},
		{[]CheckState{CheckSlow, CheckSlow}, DegradedPerformance},
		{[]CheckState{CheckSlow, CheckUnknown}, DegradedPerformance},
		{[]CheckState{CheckDown, CheckDown, CheckUp}, PartialOutage},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.checks), func(t *testing.T) {
			spec := Spec{OpenAt: PartialOutage, Components: []ComponentSpec{{ID: "c", Name: "C"}}}
			for i := range tt.checks {
				spec.Components[0].Checks = append(spec.Components[0].Checks, checkSpec(fmt.Sprintf("c.%d", i)))
			}
			h := newHarness(t, spec)
			for i, st := range tt.checks {
				h.observe(fmt.Sprintf("c.%d", i), outs(drive[st])...)
			}
			for i, st := range tt.checks {
				if got := h.state(fmt.Sprintf("c.%d", i)); got != st {
					t.Fatalf("check %d is %s, want %s", i, got, st)
				}
			}
			if got := h.status("c"); got != tt.want {
				t.Errorf("component is %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPageAndGroups(t *testing.T) {
	tests := []struct {
		a, b, c  ComponentStatus // a and b in group g1, c in g2
		page     Page
		g1, g2   ComponentStatus
		wantPage PageStatus
	}{
		{Operational, Operational, Operational, Page{PageUp, "All Systems Operational"}, Operational, Operational, PageUp},
		{UnderMaintenance, Operational, Operational, Page{PageUnderMaintenance, "Service Under Maintenance"}, UnderMaintenance, Operational, PageUnderMaintenance},
		{UnderMaintenance, DegradedPerformance, Operational, Page{PageHasIssues, "Degraded Performance"}, DegradedPerformance, Operational, PageHasIssues},
		{Operational, Operational, PartialOutage, Page{PageHasIssues, "Partial System Outage"}, Operational, PartialOutage, PageHasIssues},
		{MajorOutage, DegradedPerformance, UnderMaintenance, Page{PageHasIssues, "Major System Outage"}, MajorOutage, UnderMaintenance, PageHasIssues},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.a, tt.b, tt.c), func(t *testing.T) {
			h := newHarness(t, Spec{
				OpenAt:     PartialOutage,
				Groups:     []GroupSpec{{ID: "g1"}, {ID: "g2"}},
				Components: []ComponentSpec{{ID: "a", Group: "g1"}, {ID: "b", Group: "g1"}, {ID: "c", Group: "g2"}},
			})
			for id, st := range map[string]ComponentStatus{"a": tt.a, "b": tt.b, "c": tt.c} {
				_, ev, err := h.e.SetComponentStatus(h.now, id, st, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				h.record(ev)
			}
			s := h.e.Snapshot()
			if s.Page != tt.page {
				t.Errorf("page %+v, want %+v", s.Page, tt.page)
			}
			if s.Groups[0].Status != tt.g1 || s.Groups[1].Status != tt.g2 {
				t.Errorf("groups %s %s, want %s %s", s.Groups[0].Status, s.Groups[1].Status, tt.g1, tt.g2)
			}
			if !slices.Equal(s.Groups[0].Components, []string{"a", "b"}) {
				t.Errorf("g1 members %v", s.Groups[0].Components)
			}
		})
	}
}

func TestEmptyPage(t *testing.T) {
	h := newHarness(t, Spec{OpenAt: PartialOutage})
	if p := h.e.Page(); p != (Page{PageUp, "All Systems Operational"}) {
		t.Errorf("page %+v", p)
	}
}

func TestEventsOfOneChange(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o", "home fof")
	h.do("home o")
	want := []EventKind{CheckChanged, ComponentChanged, GroupChanged, IncidentChanged, PageChanged}
	if got := kinds(h.events); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	ev := h.events
	if ev[0].Check.ID != "website.home" || ev[0].Check.State != CheckFlaky || ev[0].OldCheck != CheckUp {
		t.Errorf("check event %+v old %s", ev[0].Check, ev[0].OldCheck)
	}
	if ev[1].Component.Status != PartialOutage || ev[1].OldStatus != Operational {
		t.Errorf("component event %s from %s", ev[1].Component.Status, ev[1].OldStatus)
	}
	if ev[2].Group.Status != PartialOutage || ev[2].OldStatus != Operational {
		t.Errorf("group event %s from %s", ev[2].Group.Status, ev[2].OldStatus)
	}
	if ev[4].OldPage != PageUp || ev[4].Page.Status != PageHasIssues {
		t.Errorf("page event %s from %s", ev[4].Page.Status, ev[4].OldPage)
	}
	for _, x := range ev {
		if !x.At.Equal(h.now) {
			t.Errorf("%s event at %v, want %v", x.Kind, x.At, h.now)
		}
	}
	h.do("home o")
	if len(h.events) != 0 {
		t.Errorf("a result that changes no state gave %v", kinds(h.events))
	}
}

func TestObserveUnknownCheck(t *testing.T) {
	h := newHarness(t, webSpec())
	if ev := h.e.Observe(t0, Observation{CheckID: "nope", Outcome: Fail}); ev != nil {
		t.Errorf("events %v", kinds(ev))
	}
}

func TestObserveAllocatesNothingWithoutChange(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o")
	now := h.now
	allocs := testing.AllocsPerRun(1000, func() {
		now = now.Add(time.Second)
		if ev := h.e.Observe(now, Observation{CheckID: "website.home", Outcome: OK, Latency: time.Millisecond}); ev != nil {
			t.Fatal("unexpected events")
		}
	})
	if allocs > 0.01 {
		t.Errorf("%.2f allocations per result", allocs)
	}
}

func TestNewRefusesBadSpecs(t *testing.T) {
	good := webSpec()
	tests := map[string]func(s *Spec){
		"open_at operational": func(s *Spec) { s.OpenAt = Operational },
		"open_at unknown":     func(s *Spec) { s.OpenAt = "BROKEN" },
		"negative resolve":    func(s *Spec) { s.ResolveAfter = -time.Second },
		"duplicate group":     func(s *Spec) { s.Groups = append(s.Groups, s.Groups[0]) },
		"duplicate component": func(s *Spec) { s.Components = append(s.Components, s.Components[1]) },
		"unknown group":       func(s *Spec) { s.Components[1].Group = "nope" },
		"duplicate check": func(s *Spec) {
			s.Components[1].Checks = []CheckSpec{checkSpec("website.home")}
		},
		"empty check id": func(s *Spec) { s.Components[0].Checks[0].ID = "" },
		"maintenance of unknown component": func(s *Spec) {
			s.Maintenance = []MaintenanceSpec{{ID: "m", Components: []string{"nope"}, Start: t0, Duration: time.Hour}}
		},
		"maintenance without duration": func(s *Spec) {
			s.Maintenance = []MaintenanceSpec{{ID: "m", Start: t0}}
		},
	}
	for name, mut := range tests {
		t.Run(name, func(t *testing.T) {
			s := good.clone()
			mut(&s)
			_, err := New(t0, s, seqIDs())
			if !errorsIs(err, ErrInvalid) {
				t.Errorf("err %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := New(t0, good, nil); err == nil {
		t.Error("New without ids gave no error")
	}
}

// TestNewRefusesLeftOutValues: the engine has no defaults; a Spec that
// leaves out what the rules need is refused with a message naming it,
// by New and by Reconfigure alike.
func TestNewRefusesLeftOutValues(t *testing.T) {
	tests := []struct {
		name string
		mut  func(s *Spec)
		want string
	}{
		{"no open_at", func(s *Spec) { s.OpenAt = "" }, `open_at ""`},
		{"no failure threshold", func(s *Spec) { s.Components[0].Checks[0].FailureThreshold = 0 }, `check "website.home": failure_threshold 0`},
		{"no success threshold", func(s *Spec) { s.Components[0].Checks[1].SuccessThreshold = 0 }, `check "website.ping": success_threshold 0`},
		{"no interval", func(s *Spec) { s.Components[0].Checks[0].Interval = 0 }, `check "website.home": interval 0s`},
		{"negative interval", func(s *Spec) { s.Components[0].Checks[0].Interval = -time.Second }, "interval -1s"},
		{"negative degraded latency", func(s *Spec) { s.Components[0].Checks[0].DegradedLatency = -time.Second }, "degraded_latency -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := webSpec()
			tt.mut(&s)
			_, err := New(t0, s, seqIDs())
			var e *Error
			if !errors.As(err, &e) || e.Kind != ErrInvalid || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("New: %v, want an *Error of kind ErrInvalid saying %q", err, tt.want)
			}
			h := newHarness(t, webSpec())
			if _, err := h.e.Reconfigure(h.now, s); !errors.As(err, &e) || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("Reconfigure: %v, want an *Error saying %q", err, tt.want)
			}
		})
	}
}
