package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/up-status/up/config"
	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/probe"
)

// fakeProber records runs; hold, when set, keeps each run busy until the
// probe's context ends or hold elapses.
type fakeProber struct {
	check   *config.Check
	hold    time.Duration
	runs    atomic.Int64
	active  atomic.Int64
	maxSeen atomic.Int64
}

func (f *fakeProber) Probe(ctx context.Context) probe.Result {
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	f.runs.Add(1)
	if f.hold > 0 {
		select {
		case <-ctx.Done():
			return probe.Result{CheckID: f.check.ID, Err: "timeout"}
		case <-time.After(f.hold):
		}
	}
	return probe.Result{CheckID: f.check.ID, Success: true}
}

type harness struct {
	mu      sync.Mutex
	probers map[string]*fakeProber
	built   map[string]int
	results map[string]int
	skipped atomic.Int64
	hold    map[string]time.Duration
	s       *Scheduler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		probers: map[string]*fakeProber{},
		built:   map[string]int{},
		results: map[string]int{},
		hold:    map[string]time.Duration{},
	}
	s, err := New(Options{
		NewProber: func(c *config.Check) (probe.Prober, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if c.Name == "broken" {
				return nil, errors.New("cannot build")
			}
			p := &fakeProber{check: c, hold: h.hold[c.ID]}
			h.probers[c.ID] = p
			h.built[c.ID]++
			return p, nil
		},
		OnResult: func(c *config.Check, r probe.Result) {
			h.mu.Lock()
			h.results[c.ID]++
			h.mu.Unlock()
		},
		OnRun: func(c *config.Check, lag time.Duration, skipped bool) {
			if skipped {
				h.skipped.Add(1)
			}
		},
		StopTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.s = s
	t.Cleanup(func() { _ = s.Shutdown() })
	return h
}

func (h *harness) count(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.results[id]
}

func check(component, name string, interval, timeout time.Duration) *config.Check {
	return &config.Check{
		ID: component + "." + name, Component: component, Name: name,
		Interval: interval, Timeout: timeout,
		FailureThreshold: 3, SuccessThreshold: 2,
		TCP: &config.TCPCheck{Address: "127.0.0.1:1"},
	}
}

func TestRunsEveryCheckAndHandsOnResults(t *testing.T) {
	h := newHarness(t)
	checks := []*config.Check{
		check("a", "x", 100*time.Millisecond, 50*time.Millisecond),
		check("b", "x", 150*time.Millisecond, 50*time.Millisecond),
		check("c", "x", 200*time.Millisecond, 50*time.Millisecond),
	}
	ch, err := h.s.Apply(checks)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Added != 3 || h.s.Len() != 3 {
		t.Fatalf("Apply = %+v, Len %d; want 3 added", ch, h.s.Len())
	}
	h.s.Start()
	testenv.Eventually(t, 10*time.Second, "three results per check", func() bool {
		return h.count("a.x") >= 3 && h.count("b.x") >= 3 && h.count("c.x") >= 3
	})
}

func TestARunNeverOverlapsTheNextOfTheSameCheck(t *testing.T) {
	h := newHarness(t)
	c := check("slow", "x", 50*time.Millisecond, time.Second)
	h.hold[c.ID] = 220 * time.Millisecond
	if _, err := h.s.Apply([]*config.Check{c}); err != nil {
		t.Fatal(err)
	}
	h.s.Start()
	testenv.Eventually(t, 10*time.Second, "runs to be skipped while one is busy", func() bool {
		return h.count(c.ID) >= 2 && h.skipped.Load() >= 2
	})
	h.mu.Lock()
	p := h.probers[c.ID]
	h.mu.Unlock()
	if m := p.maxSeen.Load(); m != 1 {
		t.Fatalf("saw %d runs of one check at once, want 1", m)
	}
}

func TestSlowChecksDoNotStarveFastOnes(t *testing.T) {
	h := newHarness(t)
	var checks []*config.Check
	for i := range 50 {
		c := check("hang", string(rune('a'+i%26))+string(rune('a'+i/26)), 100*time.Millisecond, 5*time.Second)
		h.hold[c.ID] = 5 * time.Second
		checks = append(checks, c)
	}
	fast := check("fast", "x", 50*time.Millisecond, 40*time.Millisecond)
	checks = append(checks, fast)
	if _, err := h.s.Apply(checks); err != nil {
		t.Fatal(err)
	}
	h.s.Start()
	// Every hanging check holds its run for seconds; the fast check must
	// still complete many runs meanwhile.
	testenv.Eventually(t, 3*time.Second, "the fast check to keep running", func() bool {
		return h.count(fast.ID) >= 10
	})
}

func TestApplyKeepsUnchangedChecksAndReplacesChangedOnes(t *testing.T) {
	h := newHarness(t)
	a := check("a", "x", time.Hour, time.Second)
	b := check("b", "x", time.Hour, time.Second)
	if _, err := h.s.Apply([]*config.Check{a, b}); err != nil {
		t.Fatal(err)
	}
	jobA := h.s.jobs["a.x"]

	a2 := check("a", "x", time.Hour, time.Second) // same settings, new value
	b2 := check("b", "x", time.Hour, 2*time.Second)
	c := check("c", "x", time.Hour, time.Second)
	ch, err := h.s.Apply([]*config.Check{a2, b2, c})
	if err != nil {
		t.Fatal(err)
	}
	if ch != (Change{Added: 1, Kept: 1, Replaced: 1}) {
		t.Fatalf("Apply = %+v, want 1 added, 1 kept, 1 replaced", ch)
	}
	if got := h.s.jobs["a.x"]; got != jobA {
		t.Fatal("unchanged check got a new job")
	}
	if h.built["a.x"] != 1 || h.built["b.x"] != 2 || h.built["c.x"] != 1 {
		t.Fatalf("probers built %v, want a once, b twice, c once", h.built)
	}

	ch, err = h.s.Apply([]*config.Check{c})
	if err != nil {
		t.Fatal(err)
	}
	if ch != (Change{Kept: 1, Removed: 2}) || h.s.Len() != 1 {
		t.Fatalf("Apply = %+v, Len %d; want 1 kept, 2 removed", ch, h.s.Len())
	}
}

func TestApplyWithABadCheckChangesNothing(t *testing.T) {
	h := newHarness(t)
	a := check("a", "x", time.Hour, time.Second)
	if _, err := h.s.Apply([]*config.Check{a}); err != nil {
		t.Fatal(err)
	}
	bad := check("b", "broken", time.Hour, time.Second)
	if _, err := h.s.Apply([]*config.Check{bad}); err == nil {
		t.Fatal("Apply accepted a check whose prober cannot be built")
	}
	if h.s.Len() != 1 || h.s.jobs["a.x"] == nil {
		t.Fatal("a failed Apply changed the running checks")
	}
}

func TestShutdownCancelsProbesAndDeliversNothingAfter(t *testing.T) {
	h := newHarness(t)
	c := check("hang", "x", 50*time.Millisecond, time.Minute)
	h.hold[c.ID] = time.Minute
	if _, err := h.s.Apply([]*config.Check{c}); err != nil {
		t.Fatal(err)
	}
	h.s.Start()
	testenv.Eventually(t, 5*time.Second, "the probe to start", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		p := h.probers[c.ID]
		return p != nil && p.runs.Load() > 0
	})
	done := make(chan error, 1)
	go func() { done <- h.s.Shutdown() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return while a probe hung")
	}
	if n := h.count(c.ID); n != 0 {
		t.Fatalf("%d results handed on from probes cut short by shutdown", n)
	}
}

func TestWorkersAreReusedAcrossRuns(t *testing.T) {
	h := newHarness(t)
	c := check("a", "x", 30*time.Millisecond, 20*time.Millisecond)
	if _, err := h.s.Apply([]*config.Check{c}); err != nil {
		t.Fatal(err)
	}
	h.s.Start()
	testenv.Eventually(t, 10*time.Second, "ten runs", func() bool { return h.count(c.ID) >= 10 })
	// One check never runs twice at once, so one worker (two at most, if
	// a run is handed over while the worker returns to waiting) does it all.
	if n := h.s.spawned.Load(); n > 2 {
		t.Fatalf("%d workers started for %d runs of one check", n, h.count(c.ID))
	}
}

// TestAScheduledCheckCostsLittleMemory: a migration from tools with one
// check per component brings thousands of checks, and what the scheduler
// holds per check is paid for each of them. A timer, a closure and a job
// record per check cost about 2 KB; a heap slot and an entry, a tenth.
func TestAScheduledCheckCostsLittleMemory(t *testing.T) {
	h := newHarness(t)
	const n = 5000
	checks := make([]*config.Check, n)
	for i := range checks {
		checks[i] = check(fmt.Sprintf("c%d", i), "x", time.Hour, time.Second)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := h.s.Apply(checks); err != nil {
		t.Fatal(err)
	}
	h.s.Start()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes of heap per scheduled check, prober and bookkeeping of the test included", per)
	if per > 600 {
		t.Errorf("a scheduled check holds %d bytes of heap, want at most 600", per)
	}
	runtime.KeepAlive(checks)
}

// TestPhasesPassedBeforeStartWaitForTheirNextTurn: checks are applied
// before the daemon has restored its state and starts the scheduler; a
// phase that passed meanwhile is skipped to its next turn, not run late
// at start.
func TestPhasesPassedBeforeStartWaitForTheirNextTurn(t *testing.T) {
	h := newHarness(t)
	c := check("a", "x", time.Hour, time.Second)
	if _, err := h.s.Apply([]*config.Check{c}); err != nil {
		t.Fatal(err)
	}
	// As if Start came two hours after Apply.
	h.s.mu.Lock()
	e := h.s.jobs[c.ID]
	e.at -= int64(2 * time.Hour)
	phase := e.at
	h.s.mu.Unlock()
	h.s.Start()
	time.Sleep(300 * time.Millisecond)
	if n := h.count(c.ID); n != 0 {
		t.Fatalf("%d runs at start for a phase that passed before it", n)
	}
	h.s.mu.Lock()
	at := e.at
	h.s.mu.Unlock()
	if at < time.Now().UnixNano() || (at-phase)%int64(time.Hour) != 0 {
		t.Fatalf("next run planned at %v, want the check's phase after now", time.Unix(0, at))
	}
}
