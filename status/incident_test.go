package status

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A scenario step: what to do, then what the website component and its
// open auto incident look like ("none": no open auto incident).
type want struct {
	steps   []string
	comp    ComponentStatus
	inc     IncidentStatus
	impact  ComponentStatus
	updates int // updates of the open (or last) auto incident; 0: skip
}

func runScenario(t *testing.T, spec Spec, steps []want) *harness {
	t.Helper()
	h := newHarness(t, spec)
	for i, w := range steps {
		h.do(w.steps...)
		if got := h.status("website"); got != w.comp {
			t.Fatalf("step %d %v: website is %s, want %s", i, w.steps, got, w.comp)
		}
		open := h.openAuto("website")
		if w.inc == "none" {
			if len(open) > 0 {
				t.Fatalf("step %d %v: open incident %s %s", i, w.steps, open[0].Status, open[0].Name)
			}
			continue
		}
		if w.inc == "" {
			continue
		}
		if len(open) != 1 {
			t.Fatalf("step %d %v: %d open auto incidents, want 1 %s", i, w.steps, len(open), w.inc)
		}
		inc := open[0]
		if inc.Status != w.inc || (w.impact != "" && inc.Impact != w.impact) {
			t.Fatalf("step %d %v: incident %s impact %s, want %s impact %s", i, w.steps, inc.Status, inc.Impact, w.inc, w.impact)
		}
		if w.updates > 0 && len(inc.Updates) != w.updates {
			t.Fatalf("step %d %v: %d updates, want %d", i, w.steps, len(inc.Updates), w.updates)
		}
	}
	return h
}

func TestAutoIncidentLifecycle(t *testing.T) {
	h := runScenario(t, webSpec(), []want{
		{steps: []string{"home o", "ping o"}, comp: Operational, inc: "none"},
		{steps: []string{"home ff"}, comp: Operational, inc: "none"},
		{steps: []string{"home f"}, comp: PartialOutage, inc: Investigating, impact: PartialOutage, updates: 1},
		{steps: []string{"ping ff"}, comp: PartialOutage, inc: Investigating, impact: PartialOutage, updates: 1},
		{steps: []string{"ping f"}, comp: MajorOutage, inc: Investigating, impact: MajorOutage, updates: 2},
		{steps: []string{"ping oo"}, comp: PartialOutage, inc: Investigating, impact: MajorOutage, updates: 3},
		{steps: []string{"home o"}, comp: PartialOutage, inc: Investigating, updates: 3},
		{steps: []string{"home o"}, comp: Operational, inc: Monitoring, impact: MajorOutage, updates: 4},
		{steps: []string{"tick 4m"}, comp: Operational, inc: Monitoring, updates: 4},
		{steps: []string{"tick 1m"}, comp: Operational, inc: "none"},
	})
	s := h.e.Snapshot()
	if len(s.Incidents) != 1 {
		t.Fatalf("%d incidents", len(s.Incidents))
	}
	inc := s.Incidents[0]
	if inc.Status != Resolved || inc.ResolvedAt.IsZero() || len(inc.Updates) != 5 || inc.Name != "Website major outage" {
		t.Errorf("resolved incident: %s at %v, %d updates, name %q", inc.Status, inc.ResolvedAt, len(inc.Updates), inc.Name)
	}
	var got []IncidentStatus
	for _, u := range inc.Updates {
		got = append(got, u.Status)
	}
	wantSt := []IncidentStatus{Resolved, Monitoring, Investigating, Investigating, Investigating}
	for i := range wantSt {
		if got[i] != wantSt[i] {
			t.Fatalf("update statuses %v, want %v", got, wantSt)
		}
	}
	if !strings.Contains(inc.Updates[0].Body, "operational for 5m0s") {
		t.Errorf("resolve body %q", inc.Updates[0].Body)
	}
}

func TestAutoIncidentTransitions(t *testing.T) {
	majorOnly := webSpec()
	majorOnly.OpenAt = MajorOutage
	degraded := webSpec()
	degraded.OpenAt = DegradedPerformance
	tests := []struct {
		name  string
		spec  Spec
		steps []want
	}{
		{"relapse while monitoring reopens the same incident", webSpec(), []want{
			{steps: []string{"home o", "ping o", "home fff"}, comp: PartialOutage, inc: Investigating, updates: 1},
			{steps: []string{"home oo"}, comp: Operational, inc: Monitoring, updates: 2},
			{steps: []string{"tick 2m", "home fff"}, comp: PartialOutage, inc: Investigating, updates: 3},
			{steps: []string{"tick 10m"}, comp: PartialOutage, inc: Investigating, updates: 3},
			{steps: []string{"home o"}, comp: PartialOutage, inc: Investigating},
		}},
		{"open_at MAJOROUTAGE ignores a partial outage", majorOnly, []want{
			{steps: []string{"home o", "ping o", "home fff"}, comp: PartialOutage, inc: "none"},
			{steps: []string{"ping fff"}, comp: MajorOutage, inc: Investigating, impact: MajorOutage},
			{steps: []string{"ping oo"}, comp: PartialOutage, inc: Investigating, impact: MajorOutage},
			{steps: []string{"home oo", "tick 5m"}, comp: Operational, inc: "none"},
		}},
		{"open_at DEGRADEDPERFORMANCE opens on slowness", degraded, []want{
			{steps: []string{"home o", "ping o", "home ss"}, comp: Operational, inc: "none"},
			{steps: []string{"home s"}, comp: DegradedPerformance, inc: Investigating, impact: DegradedPerformance},
			{steps: []string{"home o"}, comp: Operational, inc: Monitoring},
		}},
		{"a status below open_at while monitoring restarts the wait", webSpec(), []want{
			{steps: []string{"home o", "ping o", "home fff", "home oo"}, comp: Operational, inc: Monitoring, updates: 2},
			{steps: []string{"tick 4m", "ping sss"}, comp: DegradedPerformance, inc: Monitoring, updates: 3},
			{steps: []string{"tick 2m"}, comp: DegradedPerformance, inc: Monitoring, updates: 3},
			{steps: []string{"ping o"}, comp: Operational, inc: Monitoring, updates: 4},
			{steps: []string{"tick 4m"}, comp: Operational, inc: Monitoring},
			{steps: []string{"tick 1m"}, comp: Operational, inc: "none"},
		}},
		{"a resolved incident stays resolved; a new outage opens a new one", webSpec(), []want{
			{steps: []string{"home o", "ping o", "home fff", "home oo", "tick 5m"}, comp: Operational, inc: "none"},
			{steps: []string{"ping fff"}, comp: PartialOutage, inc: Investigating, updates: 1},
		}},
		{"flapping check opens one incident, not one per flap", webSpec(), []want{
			{steps: []string{"home o", "ping o", "home fofofofo"}, comp: PartialOutage, inc: Investigating, updates: 1},
		}},
		{"only unknown checks are never an outage", webSpec(), []want{
			{steps: []string{"tick 10m"}, comp: Operational, inc: "none"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runScenario(t, tt.spec, tt.steps) })
	}
}

// TestResolveAfterZeroResolvesAtOnce: resolve_after: 0 is a value, not
// "use the default"; the incident is resolved at the first tick after the
// component is back, with no time passing.
func TestResolveAfterZeroResolvesAtOnce(t *testing.T) {
	spec := webSpec()
	spec.ResolveAfter = 0
	h := runScenario(t, spec, []want{
		{steps: []string{"home o", "ping o", "home fff"}, comp: PartialOutage, inc: Investigating},
		{steps: []string{"home oo"}, comp: Operational, inc: Monitoring},
	})
	h.record(h.e.Tick(h.now)) // the same instant: no time has passed
	if open := h.openAuto("website"); len(open) != 0 {
		t.Fatalf("with resolve_after 0 the incident is still %s", open[0].Status)
	}
	inc := h.e.Snapshot().Incidents[0]
	if inc.Status != Resolved || !inc.ResolvedAt.Equal(h.now) {
		t.Errorf("incident %s resolved at %v, want RESOLVED at %v", inc.Status, inc.ResolvedAt, h.now)
	}
}

func TestIncidentBodyNamesFailingChecks(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o")
	for i := 0; i < 3; i++ {
		h.now = h.now.Add(time.Second)
		h.record(h.e.Observe(h.now, Observation{CheckID: "website.home", Outcome: Fail, Err: "status 503, want 200-299"}))
		h.record(h.e.Observe(h.now, Observation{CheckID: "website.ping", Outcome: Fail, Err: "timeout after 2s"}))
	}
	inc := h.only("website")
	want := "website.home is DOWN: status 503, want 200-299; website.ping is DOWN: timeout after 2s"
	if inc.Updates[0].Body != want {
		t.Errorf("body %q\nwant %q", inc.Updates[0].Body, want)
	}
	if inc.Name != "Website major outage" || !inc.Auto || inc.Impact != MajorOutage {
		t.Errorf("incident %+v", inc)
	}
	if first := inc.Updates[len(inc.Updates)-1].Body; first != "website.home is DOWN: status 503, want 200-299" {
		t.Errorf("first body %q", first)
	}
}

func TestIncidentBodySlow(t *testing.T) {
	spec := webSpec()
	spec.OpenAt = DegradedPerformance
	h := newHarness(t, spec)
	h.do("home o", "ping o", "home sss")
	if got := h.only("website").Updates[0].Body; got != "website.home is SLOW: 3s" {
		t.Errorf("body %q", got)
	}
}

// A result the caller calls SLOW for a reason of its own (a certificate
// near its end) says that reason, not a latency nobody complained about.
func TestIncidentBodySlowForAReason(t *testing.T) {
	spec := webSpec()
	spec.OpenAt = DegradedPerformance
	h := newHarness(t, spec)
	h.do("home o", "ping o")
	const why = "certificate for acme.example expires in 10 days"
	for range 3 {
		h.now = h.now.Add(time.Second)
		h.record(h.e.Observe(h.now, Observation{CheckID: "website.home", Outcome: Slow, Err: why, Latency: 20 * time.Millisecond}))
	}
	st, _ := h.e.Check("website.home")
	if st.State != CheckSlow || st.LastError != "" {
		t.Fatalf("state %s, last error %q; want SLOW with no error", st.State, st.LastError)
	}
	if got := h.only("website").Updates[0].Body; got != "website.home is SLOW: "+why {
		t.Errorf("body %q", got)
	}
}

func TestIncidentUpdatesHaveOwnIDsAndTimes(t *testing.T) {
	h := newHarness(t, webSpec())
	h.do("home o", "ping o", "home fff", "ping fff", "home oo", "ping oo")
	inc := h.only("website")
	if len(inc.Updates) != 4 {
		t.Fatalf("%d updates", len(inc.Updates))
	}
	for i, u := range inc.Updates {
		if u.IncidentID != inc.ID || u.ID == "" || u.CreatedAt.IsZero() || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Errorf("update %d: %+v", i, u)
		}
		if i > 0 && !u.CreatedAt.Before(inc.Updates[i-1].CreatedAt) {
			t.Errorf("update %d not older than %d", i, i-1)
		}
	}
	if !inc.UpdatedAt.Equal(inc.Updates[0].CreatedAt) || !inc.CreatedAt.Equal(inc.Updates[3].CreatedAt) {
		t.Errorf("incident times %v %v", inc.CreatedAt, inc.UpdatedAt)
	}
}

func TestClockJumps(t *testing.T) {
	tests := []struct {
		name  string
		steps []want
	}{
		{"a jump forward does not resolve", []want{
			{steps: []string{"home o", "ping o", "home fff", "home oo"}, comp: Operational, inc: Monitoring},
			{steps: []string{"jump 1h"}, comp: Operational, inc: Monitoring},
			{steps: []string{"jump 24h", "jump 24h"}, comp: Operational, inc: Monitoring},
			{steps: []string{"tick 4m"}, comp: Operational, inc: Monitoring},
			{steps: []string{"tick 1m"}, comp: Operational, inc: "none"},
		}},
		{"a jump back neither resolves nor stalls", []want{
			{steps: []string{"home o", "ping o", "home fff", "home oo", "tick 2m"}, comp: Operational, inc: Monitoring},
			{steps: []string{"jump -1h"}, comp: Operational, inc: Monitoring},
			{steps: []string{"tick 2m"}, comp: Operational, inc: Monitoring},
			{steps: []string{"tick 1m"}, comp: Operational, inc: "none"},
		}},
		{"jumps do not open incidents", []want{
			{steps: []string{"home o", "ping o", "jump 2h", "jump -3h", "tick 10s"}, comp: Operational, inc: "none"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runScenario(t, webSpec(), tt.steps) })
	}
}

func TestMaxStepOption(t *testing.T) {
	h := runScenario(t, webSpec(), nil)
	h.e.maxStep = 0
	WithMaxStep(time.Minute)(h.e)
	WithMaxStep(-1)(h.e)
	if h.e.maxStep != time.Minute {
		t.Errorf("max step %s", h.e.maxStep)
	}
	// With a one-minute step, ticks every 30 s still count in full.
	h.do("home o", "ping o", "home fff", "home oo")
	for i := 0; i < 10; i++ {
		h.now = h.now.Add(30 * time.Second)
		h.record(h.e.Tick(h.now))
	}
	if len(h.openAuto("website")) != 0 {
		t.Error("not resolved after 5 minutes of 30 s ticks")
	}
}

// TestSnapshotListsIncidentsByStart: the snapshot, which the status page
// and GET /status list, puts incidents newest start first, also when a
// long one ended after shorter ones that started later.
func TestSnapshotListsIncidentsByStart(t *testing.T) {
	h := newHarness(t, webSpec())
	long, err := h.put(IncidentInput{Name: "long", Status: Resolved, Backfilled: true, CreatedAt: t0.Add(-48 * time.Hour), ResolvedAt: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	short, err := h.put(IncidentInput{Name: "short", Status: Resolved, Backfilled: true, CreatedAt: t0.Add(-24 * time.Hour), ResolvedAt: t0.Add(-23 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	h.do("home o", "ping o", "home fff") // an open one, started now
	var got []string
	for _, inc := range h.e.Snapshot().Incidents {
		got = append(got, inc.Name)
	}
	if want := []string{"Website partial outage", short.Name, long.Name}; !slices.Equal(got, want) {
		t.Errorf("incidents %q, want %q", got, want)
	}
}
