package status

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// flapSpec: one component with one check that turns DOWN at the first
// failure, incidents resolved after a minute.
func flapSpec(reopen time.Duration) Spec {
	return Spec{
		OpenAt:       PartialOutage,
		ResolveAfter: time.Minute,
		ReopenWithin: reopen,
		Components: []ComponentSpec{
			{ID: "api", Name: "API", Checks: []CheckSpec{{ID: "api.health", FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second}}},
			{ID: "db", Name: "DB", Checks: []CheckSpec{{ID: "db.ping", FailureThreshold: 1, SuccessThreshold: 1, Interval: 10 * time.Second}}},
		},
	}
}

// outage fails the check, recovers it and waits until its incident is
// resolved.
func (h *harness) outage(check string) {
	h.t.Helper()
	h.observe(check, Fail)
	h.observe(check, OK)
	h.tick(time.Minute + 2*time.Second)
}

func incidentsOf(s Snapshot, comp string) []Incident {
	var out []Incident
	for _, inc := range s.Incidents {
		if len(inc.Components) > 0 && inc.Components[0] == comp {
			out = append(out, inc)
		}
	}
	return out
}

func TestRelapseReopensTheResolvedIncident(t *testing.T) {
	h := newHarness(t, flapSpec(30*time.Minute))
	h.outage("api.health")
	first := h.e.Snapshot().Incidents
	if len(first) != 1 || first[0].Status != Resolved {
		t.Fatalf("after the first outage: %+v", first)
	}

	h.tick(5 * time.Minute)
	h.observe("api.health", Fail)
	got := incidentsOf(h.e.Snapshot(), "api")
	if len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("a relapse 5 minutes after resolution opened a new incident: %+v", got)
	}
	inc := got[0]
	if inc.Status != Investigating || !inc.ResolvedAt.IsZero() || !strings.Contains(inc.Updates[0].Body, "reopened") {
		t.Fatalf("reopened incident: status %s, resolved_at %v, latest update %q", inc.Status, inc.ResolvedAt, inc.Updates[0].Body)
	}

	// Resolved again, then a failure long after: that is new trouble.
	h.observe("api.health", OK)
	h.tick(time.Minute + 2*time.Second)
	h.tick(40 * time.Minute)
	h.observe("api.health", Fail)
	if got := incidentsOf(h.e.Snapshot(), "api"); len(got) != 2 {
		t.Fatalf("a failure 40 minutes after resolution (reopen_within 30m): %d incidents, want 2", len(got))
	}
}

// A service that fails for ten seconds every three minutes for an hour:
// one incident with reopen_within, twenty without.
func TestFlappingIsOneIncident(t *testing.T) {
	for _, tc := range []struct {
		reopen time.Duration
		want   int
	}{{30 * time.Minute, 1}, {0, 20}} {
		t.Run(fmt.Sprint("reopen_within=", tc.reopen), func(t *testing.T) {
			h := newHarness(t, flapSpec(tc.reopen))
			for range 20 {
				h.outage("api.health")
				h.tick(3*time.Minute - time.Minute - 4*time.Second)
			}
			if got := incidentsOf(h.e.Snapshot(), "api"); len(got) != tc.want {
				t.Fatalf("%d incidents, want %d", len(got), tc.want)
			}
		})
	}
}

// After a restart the relapse rule still knows the last resolved
// incident: it is in the store.
func TestRelapseAfterRestartReopens(t *testing.T) {
	spec := flapSpec(30 * time.Minute)
	h := newHarness(t, spec)
	h.outage("api.health")
	id := h.e.Snapshot().Incidents[0].ID
	h.restart(spec, 10*time.Second)
	h.observe("api.health", OK)
	h.observe("api.health", Fail)
	if got := incidentsOf(h.e.Snapshot(), "api"); len(got) != 1 || got[0].ID != id || got[0].Status != Investigating {
		t.Fatalf("relapse after a restart: %+v, want %s reopened", got, id)
	}
}

// The engine's memory is bounded however many incidents a flapping
// estate opens: resolved ones beyond the caps live only in the store.
func TestResolvedIncidentsAreCapped(t *testing.T) {
	spec := flapSpec(0)
	spec.KeepResolved, spec.KeepResolvedPerComponent = 5, 3
	h := newHarness(t, spec)
	var newest []string
	for i := range 8 {
		h.outage("api.health")
		h.outage("db.ping")
		if i >= 5 {
			s := h.e.Snapshot()
			newest = append(newest, incidentsOf(s, "api")[0].ID)
		}
	}
	s := h.e.Snapshot()
	if n := len(s.Incidents); n != 5 {
		t.Fatalf("%d resolved incidents kept, want the cap of 5", n)
	}
	for _, comp := range []string{"api", "db"} {
		if n := len(incidentsOf(s, comp)); n > 3 {
			t.Errorf("%s keeps %d resolved incidents, want at most 3", comp, n)
		}
	}
	kept := map[string]bool{}
	for _, inc := range s.Incidents {
		kept[inc.ID] = true
	}
	for _, id := range newest[1:] { // the newest per component survive
		if !kept[id] {
			t.Errorf("a recent incident %s was dropped before older ones", id)
		}
	}
	// Open incidents are never dropped.
	h.observe("api.health", Fail)
	if open := h.openAuto("api"); len(open) != 1 {
		t.Fatalf("open incidents after the cap: %+v", open)
	}
}

func TestDeletedIncidentIsNotReopened(t *testing.T) {
	h := newHarness(t, flapSpec(30*time.Minute))
	h.outage("api.health")
	id := h.e.Snapshot().Incidents[0].ID
	h.now = h.now.Add(time.Second)
	if _, err := h.e.DeleteIncident(h.now, id); err != nil {
		t.Fatal(err)
	}
	h.observe("api.health", Fail)
	got := incidentsOf(h.e.Snapshot(), "api")
	if len(got) != 1 || got[0].ID == id {
		t.Fatalf("after deleting %s, a relapse gave %+v; want a new incident", id, got)
	}
}
