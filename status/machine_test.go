package status

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// machineCase draws a check's thresholds from rng.
func machineCase(rng *rand.Rand) CheckSpec {
	return CheckSpec{
		ID:               "website.home",
		FailureThreshold: 1 + rng.IntN(4),
		SuccessThreshold: 1 + rng.IntN(3),
		Interval:         10 * time.Second,
		DegradedLatency:  []time.Duration{0, time.Second}[rng.IntN(2)],
	}
}

// TestMachineFollowsTheEngine feeds the same random results to an engine
// and to a Machine: after every result they must agree on the state, the
// latest failure and the latency, through reloads that change the
// thresholds on the way.
func TestMachineFollowsTheEngine(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	outcomes := []Outcome{OK, OK, OK, Slow, Fail, Fail, "TIMEOUT"}
	for run := range 500 {
		cs := machineCase(rng)
		spec := webSpec()
		spec.Components[0].Checks[0] = cs
		h := newHarness(t, spec)
		m := NewMachine(cs)
		if m.State() != CheckUnknown {
			t.Fatalf("a new machine is %s, want UNKNOWN", m.State())
		}
		var seq []string
		for i := range 60 {
			if rng.IntN(20) == 0 {
				cs = machineCase(rng)
				spec.Components[0].Checks[0] = cs
				h.reconfigure(spec)
				m.Reconfigure(cs)
				seq = append(seq, fmt.Sprintf("reload %d/%d/%s", cs.FailureThreshold, cs.SuccessThreshold, cs.DegradedLatency))
			}
			o := Observation{
				CheckID: "website.home",
				Outcome: outcomes[rng.IntN(len(outcomes))],
				Err:     fmt.Sprintf("error %d", i),
				Latency: time.Duration(rng.IntN(2000)) * time.Millisecond,
			}
			seq = append(seq, fmt.Sprintf("%s %s", o.Outcome, o.Latency))
			h.now = h.now.Add(time.Second)
			h.record(h.e.Observe(h.now, o))
			got := m.Observe(o)
			want := found(h.e.Check("website.home"))
			if got != want.State || m.State() != want.State || m.LastFailure() != want.LastFailure || m.Latency() != want.LastLatency {
				t.Fatalf("run %d, %+v after %v:\nmachine %s, last failure %q, latency %s\nengine  %s, last failure %q, latency %s",
					run, cs, seq, got, m.LastFailure(), m.Latency(), want.State, want.LastFailure, want.LastLatency)
			}
		}
	}
}

// TestMachineRules spells out the rules the Machine shares: the engine's
// order of states, SLOW past degraded_latency or when the caller says so,
// and thresholds below 1 read as 1 rather than as "always".
func TestMachineRules(t *testing.T) {
	tests := []struct {
		name   string
		spec   CheckSpec
		in     []Observation
		want   CheckState
		slowBy string
	}{
		{"down at failure_threshold", CheckSpec{FailureThreshold: 2, SuccessThreshold: 1},
			[]Observation{{Outcome: Fail, Err: "a"}, {Outcome: Fail, Err: "b"}}, CheckDown, ""},
		{"up again at success_threshold", CheckSpec{FailureThreshold: 1, SuccessThreshold: 2},
			[]Observation{{Outcome: Fail}, {Outcome: OK}, {Outcome: OK}}, CheckUp, ""},
		{"slow past degraded_latency", CheckSpec{FailureThreshold: 2, SuccessThreshold: 1, DegradedLatency: time.Second},
			[]Observation{{Outcome: OK, Latency: 2 * time.Second}, {Outcome: OK, Latency: 2 * time.Second}}, CheckSlow, ""},
		{"slow when the caller says so", CheckSpec{FailureThreshold: 1, SuccessThreshold: 1},
			[]Observation{{Outcome: Slow, Err: "certificate expires in 3 days"}}, CheckSlow, "certificate expires in 3 days"},
		{"flaky after two short runs", CheckSpec{FailureThreshold: 3, SuccessThreshold: 1},
			[]Observation{{Outcome: Fail}, {Outcome: OK}, {Outcome: Fail}, {Outcome: OK}}, CheckFlaky, ""},
		{"zero thresholds count as 1", CheckSpec{},
			[]Observation{{Outcome: OK}}, CheckUp, ""},
		{"zero thresholds count as 1, failing", CheckSpec{},
			[]Observation{{Outcome: Fail, Err: "refused"}}, CheckDown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMachine(tt.spec)
			for _, o := range tt.in {
				m.Observe(o)
			}
			if m.State() != tt.want || m.SlowReason() != tt.slowBy {
				t.Errorf("%s, slow reason %q; want %s, %q", m.State(), m.SlowReason(), tt.want, tt.slowBy)
			}
		})
	}
}

// A check's thresholds run apart from the engine, here for one region.
func ExampleMachine() {
	m := NewMachine(CheckSpec{ID: "website.home", FailureThreshold: 2, SuccessThreshold: 1})
	fmt.Println(m.Observe(Observation{Outcome: OK}))
	fmt.Println(m.Observe(Observation{Outcome: Fail, Err: "status 500, want 200-299"}))
	fmt.Println(m.Observe(Observation{Outcome: Fail, Err: "status 500, want 200-299"}), m.LastFailure())
	// Output:
	// UP
	// UP
	// DOWN status 500, want 200-299
}
