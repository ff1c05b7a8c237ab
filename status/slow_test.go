package status

import (
	"testing"
	"time"
)

// The SLOW decision is a status rule: a success slower than the check's
// degraded_latency counts as SLOW, whatever the caller called it.
func TestDegradedLatencyMakesSuccessSlow(t *testing.T) {
	spec := webSpec()
	spec.Components[0].Checks[0].DegradedLatency = time.Second
	h := newHarness(t, spec)
	obs := func(d time.Duration) {
		h.now = h.now.Add(time.Second)
		h.record(h.e.Observe(h.now, Observation{CheckID: "website.home", Outcome: OK, Latency: d}))
	}
	for range 3 {
		obs(1500 * time.Millisecond)
	}
	if st, _ := h.e.Check("website.home"); st.State != CheckSlow {
		t.Fatalf("three successes above degraded_latency: state %s, want SLOW", st.State)
	}
	for range 3 {
		obs(time.Second) // not slower than the limit
	}
	if st, _ := h.e.Check("website.home"); st.State != CheckUp {
		t.Fatalf("successes at the limit: state %s, want UP", st.State)
	}
	// The other check has no limit: any latency is fine.
	for range 3 {
		h.now = h.now.Add(time.Second)
		h.record(h.e.Observe(h.now, Observation{CheckID: "website.ping", Outcome: OK, Latency: time.Hour}))
	}
	if st, _ := h.e.Check("website.ping"); st.State != CheckUp {
		t.Fatalf("check without degraded_latency: state %s, want UP", st.State)
	}
}
