package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/up-status/up/internal/testenv"
	"github.com/up-status/up/status"
)

const clusterToken = "cluster-admin-token-0123456789"

// twoInstances starts two instances of a cluster on one database with
// the failing check of pgConfig and an admin.
func twoInstances(t *testing.T) (a, b *running, url string) {
	t.Helper()
	url = pgDatabase(t)
	extra := "users:\n  - {id: admin, role: admin, token: " + clusterToken + "}\n"
	dead := closedAddr(t)
	a = startDaemon(t, pgConfigAt(t, url, dead, extra+"cluster: {region: eu, instance: node-a}\n"))
	b = startDaemon(t, pgConfigAt(t, url, dead, extra+"cluster: {region: eu, instance: node-b}\n"))
	return a, b, url
}

// leaderOf returns the leading instance and the other once one leads.
func leaderOf(t *testing.T, a, b *running) (leader, follower *running) {
	t.Helper()
	testenv.Eventually(t, 20*time.Second, "a leader", func() bool { return a.d.sides.Leading() || b.d.sides.Leading() })
	if a.d.sides.Leading() {
		return a, b
	}
	return b, a
}

// same reports whether two snapshots agree on what a reader sees: page,
// components, checks' states and incidents.
func same(x, y status.Snapshot) bool {
	if x.Page.Status != y.Page.Status || len(x.Components) != len(y.Components) || len(x.Incidents) != len(y.Incidents) || len(x.Checks) != len(y.Checks) {
		return false
	}
	for i := range x.Components {
		if x.Components[i].ID != y.Components[i].ID || x.Components[i].Status != y.Components[i].Status {
			return false
		}
	}
	for i := range x.Checks {
		if x.Checks[i].State != y.Checks[i].State {
			return false
		}
	}
	for i := range x.Incidents {
		if x.Incidents[i].ID != y.Incidents[i].ID || x.Incidents[i].Status != y.Incidents[i].Status {
			return false
		}
	}
	return true
}

// In a cluster one engine acts: a failing check opens one incident, not
// one per instance, and the follower shows the leader's state. An API
// write sent to the follower is run by the leader and answered as on a
// single instance.
func TestClusterRunsOneEngineAndFollowersAgree(t *testing.T) {
	a, b, url := twoInstances(t)
	leader, follower := leaderOf(t, a, b)

	testenv.Eventually(t, 20*time.Second, "an open incident on both instances, the same", func() bool {
		l, f := leader.d.Snapshot(), follower.d.Snapshot()
		return len(l.Incidents) == 1 && l.Incidents[0].Open() && same(l, f)
	})
	// The checks are shared out: once both have seen each other (a
	// heartbeat), the two probe the one check once.
	owned := func(r *running) int {
		r.d.mu.Lock()
		defer r.d.mu.Unlock()
		return len(r.d.owned)
	}
	testenv.Eventually(t, 15*time.Second, "the check owned by one instance", func() bool {
		return owned(leader)+owned(follower) == 1
	})

	body, _ := json.Marshal(map[string]any{"name": "Payments are slow", "status": "INVESTIGATING", "components": []string{"web"}})
	req, _ := http.NewRequest(http.MethodPut, "http://"+follower.d.APIAddr()+"/incidents", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	err = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil || created.ID == "" || created.Name != "Payments are slow" {
		t.Fatalf("PUT /incidents on the follower: %d %+v %v", resp.StatusCode, created, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("forwarded answer's Content-Type %q", ct)
	}
	testenv.Eventually(t, 10*time.Second, "the incident written through the follower on both", func() bool {
		l, f := leader.d.Snapshot(), follower.d.Snapshot()
		_, okL := findIncident(l, created.ID)
		return okL && same(l, f)
	})

	// A refused write is refused as on a single instance.
	req, _ = http.NewRequest(http.MethodPut, "http://"+follower.d.APIAddr()+"/incidents", bytes.NewReader([]byte(`{"name":`)))
	req.Header.Set("Authorization", "Bearer "+clusterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad body through the follower: %d, want 400", resp.StatusCode)
	}

	// Each instance holds at most 5 connections, the listener included.
	var most int
	if err := openPG(t, url).Pool().QueryRow(context.Background(), `
SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM pg_stat_activity
 WHERE application_name IN ('up/node-a', 'up/node-b') GROUP BY application_name) c`).Scan(&most); err != nil {
		t.Fatal(err)
	}
	if most < 2 || most > 5 {
		t.Fatalf("an instance holds %d connections; want a listener and the pool, 5 at most", most)
	}

	// The leader leaves: the other takes over the same incidents.
	open := leader.d.Snapshot().Incidents
	if err := leader.stop(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the follower leads", func() bool { return follower.d.sides.Leading() })
	testenv.Eventually(t, 10*time.Second, "the new leader owns the check", func() bool {
		follower.d.mu.Lock()
		defer follower.d.mu.Unlock()
		return len(follower.d.owned) == 1
	})
	after := follower.d.Snapshot().Incidents
	if len(after) != len(open) {
		t.Fatalf("after the takeover %d incidents, before %d", len(after), len(open))
	}
	for i := range open {
		if after[i].ID != open[i].ID {
			t.Fatalf("after the takeover incident %s, before %s", after[i].ID, open[i].ID)
		}
	}
}

func findIncident(s status.Snapshot, id string) (status.Incident, bool) {
	for _, inc := range s.Incidents {
		if inc.ID == id {
			return inc, true
		}
	}
	return status.Incident{}, false
}

// Two instances in two regions each probe the check from their own; the
// leader's engine runs each region's thresholds and declares the outage
// when both regions see it (a quorum of two), saying so.
func TestClusterCombinesRegions(t *testing.T) {
	url := pgDatabase(t)
	dead := closedAddr(t)
	extra := "regions: [{id: eu}, {id: us}]\n"
	a := startDaemon(t, pgConfigAt(t, url, dead, extra+"cluster: {region: eu, instance: node-eu}\n"))
	b := startDaemon(t, pgConfigAt(t, url, dead, extra+"cluster: {region: us, instance: node-us}\n"))
	leader, follower := leaderOf(t, a, b)
	owned := func(r *running) int {
		r.d.mu.Lock()
		defer r.d.mu.Unlock()
		return len(r.d.owned)
	}
	testenv.Eventually(t, 15*time.Second, "the check owned in each region", func() bool {
		return owned(a) == 1 && owned(b) == 1
	})
	testenv.Eventually(t, 20*time.Second, "the outage seen by both regions, on both instances", func() bool {
		l, f := leader.d.Snapshot(), follower.d.Snapshot()
		return len(l.Incidents) == 1 && l.Checks[0].State == status.CheckDown &&
			strings.Contains(l.Checks[0].LastError, "2 of 2 regions") && same(l, f)
	})
}
